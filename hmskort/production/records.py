"""What a card carries, as one production record (see README.md and batch.schema.json).

`card_records(cards, now=...)` builds the records for many cards with one bulk
read of Folkeregisteret (birth date and gender come from the register, never
from the identity number). The chip payload is our own documented fixed-width
"bransjekoding"-style record (the industry's real format is not public).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from hmskort.cards.models import Card
from hmskort.cards.numbers import format_card_number
from hmskort.cards.qr import card_qr_token, card_qr_url
from hmskort.eligibility.industries import get_industry
from hmskort.registers.adapters import get_ports
from hmskort.registers.ports import PersonRecord

logger = logging.getLogger(__name__)

RECORD_VERSION = 1

#: Gender as the register states it -> the record's value and ISO/IEC 5218 code.
GENDERS: dict[str, tuple[str, str]] = {
    "mann": ("male", "1"),
    "kvinne": ("female", "2"),
}
UNKNOWN_GENDER = ("unknown", "0")


def barcode_data(card: Card) -> str:
    """What the Code128 barcode holds: organisation number + card number (19 digits)."""
    return f"{card.employer_orgnr}{card.card_number}"


# --- chip payload --------------------------------------------------------------------

CHIP_FORMAT = "HMSK-BK1"
CHIP_MAGIC = "HMS1"
CHIP_ENCODING = "utf-8"


@dataclass(frozen=True)
class ChipField:
    name: str
    length: int  # bytes


#: The fixed-width chip record, in order. Text fields are UTF-8, left-justified,
#: padded with spaces (0x20) to their byte length and cut at a character boundary.
CHIP_FIELDS: tuple[ChipField, ...] = (
    ChipField("magic", 4),  # "HMS1": format and version
    ChipField("industry_code", 4),  # "BA  "
    ChipField("card_number", 10),
    ChipField("orgnr", 9),
    ChipField("valid_until", 8),  # YYYYMMDD
    ChipField("birth_date", 8),  # YYYYMMDD (spaces if unknown)
    ChipField("gender", 1),  # ISO/IEC 5218: 0 unknown, 1 male, 2 female
    ChipField("holder_name", 70),
    ChipField("employer_name", 70),
    ChipField("crc32", 8),  # CRC-32 of all bytes before it, 8 upper-case hex digits
)
CHIP_LENGTH = sum(f.length for f in CHIP_FIELDS)  # 192 bytes


def _fit(text: str, length: int) -> bytes:
    """`text` as UTF-8 cut to at most `length` bytes (whole characters), space-padded."""
    raw = text.encode(CHIP_ENCODING)[:length]
    raw = raw.decode(CHIP_ENCODING, errors="ignore").encode(CHIP_ENCODING)
    return raw.ljust(length, b" ")


def _yyyymmdd(day: dt.date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def chip_payload(
    *,
    industry_code: str,
    card_number: str,
    orgnr: str,
    valid_until: dt.date | None,
    birth_date: dt.date | None,
    gender_code: str,
    holder_name: str,
    employer_name: str,
) -> bytes:
    """The chip record: CHIP_LENGTH bytes (layout `CHIP_FIELDS`)."""
    values = {
        "magic": CHIP_MAGIC,
        "industry_code": industry_code,
        "card_number": card_number,
        "orgnr": orgnr,
        "valid_until": _yyyymmdd(valid_until),
        "birth_date": _yyyymmdd(birth_date),
        "gender": gender_code,
        "holder_name": holder_name,
        "employer_name": employer_name,
    }
    body = b"".join(_fit(values[f.name], f.length) for f in CHIP_FIELDS[:-1])
    crc = f"{zlib.crc32(body) & 0xFFFFFFFF:08X}".encode("ascii")
    payload = body + crc
    assert len(payload) == CHIP_LENGTH
    return payload


def chip_payload_decode(payload: bytes) -> dict[str, str]:
    """The fields of a chip record (text stripped of padding); ValueError if damaged."""
    if len(payload) != CHIP_LENGTH:
        raise ValueError(f"chip record must be {CHIP_LENGTH} bytes, not {len(payload)}")
    body, crc = payload[:-8], payload[-8:]
    if f"{zlib.crc32(body) & 0xFFFFFFFF:08X}".encode("ascii") != crc:
        raise ValueError("chip record CRC mismatch")
    out: dict[str, str] = {}
    offset = 0
    for field in CHIP_FIELDS:
        out[field.name] = payload[offset : offset + field.length].decode(CHIP_ENCODING).rstrip(" ")
        offset += field.length
    if out["magic"] != CHIP_MAGIC:
        raise ValueError("not an HMS-kort chip record")
    return out


# --- records -------------------------------------------------------------------------


def _person_name(card: Card, person: PersonRecord | None) -> str:
    # The card carries the name it was issued with; the register fills a blank.
    return card.holder_name or (person.fulltnavn if person else "")


def card_record(
    card: Card,
    person: PersonRecord | None,
    *,
    now: dt.datetime,
    qr_valid_days: int | None = None,
) -> dict:
    """One production record for `card` (`person`: its holder in Folkeregisteret).

    The QR token works until the card's last valid day, or `qr_valid_days` days
    from `now` (a temporary card). `face` is filled in by the batch writer.
    """
    industry = get_industry(card.card_type)
    gender, gender_code = GENDERS.get(person.kjoenn, UNKNOWN_GENDER) if person else UNKNOWN_GENDER
    birth_date = person.foedselsdato if person else None
    holder_name = _person_name(card, person)
    token = card_qr_token(card, valid_days=qr_valid_days, now=now)
    # Same key, same claims, same instant (Ed25519 is deterministic): the URL
    # carries exactly this token.
    url = card_qr_url(card, valid_days=qr_valid_days, now=now)
    payload = chip_payload(
        industry_code=card.card_type,
        card_number=card.card_number,
        orgnr=card.employer_orgnr,
        valid_until=card.valid_until,
        birth_date=birth_date,
        gender_code=gender_code,
        holder_name=holder_name,
        employer_name=card.employer_name,
    )
    return {
        "card_number": card.card_number,
        "card_number_formatted": format_card_number(card.card_number),
        "industry": {
            "code": card.card_type,
            "name": industry.name_nb if industry else card.card_type,
            "name_en": industry.name_en if industry else card.card_type,
        },
        "holder": {
            "name": holder_name,
            "birth_date": birth_date.isoformat() if birth_date else None,
            "gender": gender,
        },
        "employer": {"orgnr": card.employer_orgnr, "name": card.employer_name},
        "issue_date": card.issue_date.isoformat() if card.issue_date else None,
        "valid_until": card.valid_until.isoformat() if card.valid_until else None,
        "qr": {"token": token, "url": url},
        "barcode": {"symbology": "code128", "data": barcode_data(card)},
        "chip": {
            "format": CHIP_FORMAT,
            "length": len(payload),
            "base64": base64.b64encode(payload).decode("ascii"),
        },
        "face": {"file": "", "sha256": "", "media_type": "application/pdf"},
        "photo": None,  # until the uploads issue adds photos
    }


def persons_for(cards: Iterable[Card]) -> dict[str, PersonRecord]:
    """The holders of `cards` in Folkeregisteret, in one bulk read per chunk."""
    return get_ports().folkeregisteret.personer({c.holder_id for c in cards})


def card_records(cards: Sequence[Card], *, now: dt.datetime | None = None) -> list[dict]:
    """Records for `cards` (persons read in bulk); `face` left empty."""
    now = now or timezone.now()
    persons = persons_for(cards)
    return [card_record(c, persons.get(c.holder_id), now=now) for c in cards]
