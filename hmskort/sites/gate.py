"""The gate decision: admit or refuse one check-in/check-out, and record it.

The hot path, kept to a handful of indexed queries per decision:

1. the reader's site (cached per process for `READER_CACHE_SECONDS`);
2. in one short transaction: the card with "is its company on this site?" in
   one query (by number, printed QR, live QR, or chip code), which on
   PostgreSQL also takes an advisory lock on (site, card) so two readers cannot
   both let the same card in; for a card that passes every other rule, its
   presence from its last admitted events here; and the INSERT. An admission
   is 4 round trips (card, presence, insert, commit), a refusal 3.
3. The INSERT is `ON CONFLICT (reader, event_id) DO NOTHING`: a retried event
   id records nothing and gets the stored first answer (one more query, only
   for retries).

Card status comes from `hmskort.cards.status.public_status` and never from a
cache, so a card blocked or invalidated a moment ago is refused at once.
Exits (`out`) are never refused for the card's status (nobody is locked in);
an exit without a recorded entry is admitted and flagged `exit_without_entry`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from hmskort.cards.models import Card
from hmskort.cards.numbers import is_valid_card_number, normalize_card_number
from hmskort.cards.qr import card_from_live_qr_token, card_from_qr_token
from hmskort.cards.status import PublicStatus, public_status
from hmskort.core.errors import NotFound
from hmskort.core.signing import TokenExpired, TokenInvalid
from hmskort.eligibility.industries import card_valid_for
from hmskort.sites.models import ChipCode, Direction, GateEvent, GateReader, Method, SiteCompany
from hmskort.sites.reasons import STATUS_REASON, GateReason

R = GateReason

#: How long a reader's site settings are cached per process; a change of the
#: site (anti-passback minutes, period) or a deactivated reader takes effect within it.
READER_CACHE_SECONDS = 10


class ReaderNotFound(NotFound):
    code = "reader_not_found"


@dataclass(frozen=True)
class ReaderSite:
    reader_id: int
    site_id: int
    required_industry: str
    anti_passback_minutes: int
    starts_on: dt.date
    ends_on: dt.date


_readers: dict[int, tuple[float, ReaderSite | None]] = {}
_readers_lock = threading.Lock()


def reader_site(client_pk: int) -> ReaderSite:
    """The site of the gate reader behind API client `client_pk` (404 if none)."""
    now = time.monotonic()
    cached = _readers.get(client_pk)
    if cached is None or cached[0] < now:
        reader = (
            GateReader.objects.select_related("site")
            .filter(api_client_id=client_pk, active=True)
            .first()
        )
        found = (
            ReaderSite(
                reader_id=reader.pk,
                site_id=reader.site_id,
                required_industry=reader.site.required_industry,
                anti_passback_minutes=reader.site.anti_passback_minutes,
                starts_on=reader.site.starts_on,
                ends_on=reader.site.ends_on,
            )
            if reader is not None
            else None
        )
        with _readers_lock:
            _readers[client_pk] = (now + READER_CACHE_SECONDS, found)
        cached = _readers[client_pk]
    if cached[1] is None:
        raise ReaderNotFound(
            "Klienten er ikke en portleser på en byggeplass (the client is not a gate reader "
            "bound to a site)."
        )
    return cached[1]


def reader_cache_clear() -> None:
    with _readers_lock:
        _readers.clear()


@dataclass(frozen=True)
class Decision:
    event_id: str
    direction: str
    admitted: bool
    reason: str
    card_number: str
    at: dt.datetime
    replayed: bool = False


@dataclass(frozen=True)
class _CardRow:
    id: int
    card_number: str
    card_type: str
    state: str
    reason_codes: tuple[str, ...]
    valid_until: dt.date | None
    employer_orgnr: str
    on_site: bool


_CARD_COLUMNS = (
    "c.id, c.card_number, c.card_type, c.state, c.reason_codes, c.valid_until, "
    "c.employer_orgnr, EXISTS (SELECT 1 FROM {sc} sc WHERE sc.site_id = %s "
    "AND sc.orgnr = c.employer_orgnr){lock}"
)
# On PostgreSQL the card query also takes the transaction's advisory lock on
# (site, card), so the presence read that follows (a new statement, a new
# snapshot) sees every earlier decision on this card at this site.
_LOCK = ", pg_advisory_xact_lock(%s::int4, mod(c.id, 2147483647)::int4)"


def _card_sql(by_chip: bool, lock: bool) -> str:
    columns = _CARD_COLUMNS.format(sc=SiteCompany._meta.db_table, lock=_LOCK if lock else "")
    if by_chip:
        return (
            f"SELECT {columns} FROM {ChipCode._meta.db_table} cc "
            f"JOIN {Card._meta.db_table} c ON c.id = cc.card_id WHERE cc.code = %s"
        )
    return f"SELECT {columns} FROM {Card._meta.db_table} c WHERE c.card_number = %s"


_GE = GateEvent._meta.db_table
_EXISTING = (
    f"SELECT direction, admitted, reason, card_number, at FROM {_GE} "
    "WHERE reader_id = %s AND event_id = %s"
)
# The last admitted entry (id, time) and the last admitted exit (id) of a card on a site.
_PRESENCE = (
    f"SELECT g.id, g.at, (SELECT MAX(o.id) FROM {_GE} o WHERE o.site_id = %s AND o.card_id = %s "
    "AND o.admitted AND o.direction = 'out') "
    f"FROM {_GE} g WHERE g.id = (SELECT MAX(i.id) FROM {_GE} i WHERE i.site_id = %s "
    "AND i.card_id = %s AND i.admitted AND i.direction = 'in')"
)


def normalize_chip_code(code: str) -> str:
    return "".join(code.split()).replace(":", "").replace("-", "").upper()


def _card_row(site_id: int, key: str, *, by_chip: bool = False) -> _CardRow | None:
    lock = connection.vendor == "postgresql"
    params = [site_id, site_id, key] if lock else [site_id, key]
    with connection.cursor() as cursor:
        cursor.execute(_card_sql(by_chip, lock), params)
        row = cursor.fetchone()
    if row is None:
        return None
    reasons = row[4]
    if isinstance(reasons, str):  # SQLite returns JSON as text
        reasons = json.loads(reasons)
    valid_until = row[5]
    if isinstance(valid_until, str):
        valid_until = dt.date.fromisoformat(valid_until)
    return _CardRow(
        id=row[0],
        card_number=row[1],
        card_type=row[2],
        state=row[3],
        reason_codes=tuple(reasons or ()),
        valid_until=valid_until,
        employer_orgnr=row[6],
        on_site=bool(row[7]),
    )


@dataclass(frozen=True)
class Presented:
    """What the reader scanned: exactly one of these is set."""

    card_number: str | None = None
    qr_token: str | None = None
    live_token: str | None = None
    chip_code: str | None = None


def method_of(presented: Presented) -> str:
    if presented.chip_code is not None:
        return Method.CHIP
    if presented.card_number is not None:
        return Method.CARD_NUMBER
    return Method.LIVE_QR if presented.live_token is not None else Method.QR


def _identify(
    presented: Presented, site_id: int, now: dt.datetime
) -> tuple[str, _CardRow | None, str]:
    """(method, card row or None, refusal reason if the card could not be identified)."""
    if presented.chip_code is not None:
        row = _card_row(site_id, normalize_chip_code(presented.chip_code), by_chip=True)
        return Method.CHIP, row, "" if row else R.CARD_UNKNOWN
    if presented.card_number is not None:
        number = normalize_card_number(presented.card_number)
        if not is_valid_card_number(number):
            return Method.CARD_NUMBER, None, R.CARD_UNKNOWN
        row = _card_row(site_id, number)
        return Method.CARD_NUMBER, row, "" if row else R.CARD_UNKNOWN
    if presented.live_token is not None:
        method, verify = Method.LIVE_QR, card_from_live_qr_token
        token = presented.live_token
    else:
        method, verify = Method.QR, card_from_qr_token
        token = presented.qr_token or ""
    try:
        number, _claims = verify(token, now=now)
    except TokenExpired:
        return method, None, R.TOKEN_EXPIRED
    except TokenInvalid:
        return method, None, R.TOKEN_INVALID
    row = _card_row(site_id, number)
    return method, row, "" if row else R.CARD_UNKNOWN


def _rules(site: ReaderSite, card: _CardRow, direction: str, today: dt.date) -> str:
    """The refusal reason from the card and site alone ("" if none)."""
    if direction == Direction.OUT:
        return ""
    status, _ = public_status(
        state=card.state,
        reason_codes=card.reason_codes,
        valid_until=card.valid_until,
        today=today,
    )
    if status != PublicStatus.VALID:
        return STATUS_REASON.get(status, R.CARD_INVALID)
    if not card_valid_for(card.card_type, site.required_industry):
        return R.WRONG_CARD_TYPE
    if not card.on_site:
        return R.COMPANY_NOT_ON_SITE
    if not site.starts_on <= today <= site.ends_on:
        return R.SITE_CLOSED
    return ""


def _presence_reason(
    site: ReaderSite, card_id: int, direction: str, now: dt.datetime
) -> tuple[bool, str]:
    """Inside the lock: (admitted, reason) from the card's last admitted events here."""
    with connection.cursor() as cursor:
        cursor.execute(_PRESENCE, [site.site_id, card_id, site.site_id, card_id])
        row = cursor.fetchone()
    last_in_id, last_in_at, last_out_id = row if row else (None, None, None)
    if isinstance(last_in_at, str):
        last_in_at = dt.datetime.fromisoformat(last_in_at)
    inside = last_in_id is not None and (last_out_id is None or last_in_id > last_out_id)
    if direction == Direction.OUT:
        return True, R.OK if inside else R.EXIT_WITHOUT_ENTRY
    if inside:
        return False, R.ALREADY_INSIDE
    window = dt.timedelta(minutes=site.anti_passback_minutes)
    if last_in_at is not None and window and now - last_in_at < window:
        return False, R.PASSBACK_TOO_SOON
    return True, R.OK


def _existing(reader_id: int, event_id: str) -> Decision | None:
    with connection.cursor() as cursor:
        cursor.execute(_EXISTING, [reader_id, event_id])
        row = cursor.fetchone()
    if row is None:
        return None
    at = row[4]
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return Decision(
        event_id=event_id,
        direction=row[0],
        admitted=bool(row[1]),
        reason=row[2],
        card_number=row[3],
        at=at,
        replayed=True,
    )


_INSERT = (
    f"INSERT INTO {_GE} (site_id, reader_id, event_id, direction, method, at, admitted, reason, "
    "card_id, card_number, employer_orgnr) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (reader_id, event_id) DO NOTHING RETURNING id"
)


def _insert(
    site: ReaderSite,
    *,
    event_id: str,
    direction: str,
    method: str,
    at: dt.datetime,
    admitted: bool,
    reason: str,
    card: _CardRow | None,
) -> bool:
    """Append the event; False if this reader already recorded this event id."""
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                site.site_id,
                site.reader_id,
                event_id,
                direction,
                method,
                at,
                admitted,
                reason,
                card.id if card else None,
                card.card_number if card else "",
                card.employer_orgnr if card else "",
            ],
        )
        return cursor.fetchone() is not None


def gate_decide(
    *,
    site: ReaderSite,
    event_id: str,
    direction: str,
    presented: Presented,
    now: dt.datetime | None = None,
) -> Decision:
    """Decide one gate event and record it (idempotent per reader and event id:
    a retried id gets the first answer, and nothing new is recorded)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    fields = {"event_id": event_id, "direction": direction, "method": method_of(presented)}
    with transaction.atomic():
        _, card, reason = _identify(presented, site.site_id, now)  # locks (site, card)
        if not reason and card is not None:
            reason = _rules(site, card, direction, today)
        if reason or card is None:
            admitted = False
        else:
            admitted, reason = _presence_reason(site, card.id, direction, now)
        inserted = _insert(site, admitted=admitted, reason=reason, card=card, at=now, **fields)
    if not inserted:  # a retry (or the same id twice at once): the first answer stands
        previous = _existing(site.reader_id, event_id)
        if previous is None:  # pragma: no cover - the row we collided with must exist
            raise RuntimeError(f"gate event {event_id!r} collided but cannot be read")
        return previous
    return Decision(
        event_id=event_id,
        direction=direction,
        admitted=admitted,
        reason=reason,
        card_number=card.card_number if card else "",
        at=now,
    )
