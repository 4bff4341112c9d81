"""The automatic ID document check.

Bank cards are refused. A passport's machine-readable zone (MRZ) is read with
RapidOCR (rapidocr-onnxruntime, whose ONNX models ship inside its wheel: nothing is
downloaded) and its ICAO 9303 check digits verified; the expiry must be in the
future and the birth date and name must match Folkeregisteret's record. Whatever
cannot be decided automatically is accepted and flagged for manual review with the
reason, never refused."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import logging
import re
import threading
from dataclasses import dataclass, field

import numpy as np

from hmskort.photocheck import findings as F
from hmskort.photocheck import thresholds as T
from hmskort.photocheck.findings import Finding
from hmskort.photocheck.mrz import Td3, find_td3, transliterate
from hmskort.photocheck.sniff import ACCEPTED, decode, sniff

logger = logging.getLogger(__name__)

#: The document types the uploader may choose (portal.models.DocumentType values),
#: plus bank cards, which are named so that the uploader is told they are refused.
BANK_CARD = "bank_card"
PASSPORT = "passport"
KNOWN_TYPES = {
    "passport",
    "national_id",
    "driving_licence",
    "residence_card",
    "travel_document",
    BANK_CARD,
}
ID_MIN_SIDE = 250  # pixels on the short side: less cannot be read by a person either
_CARD_NUMBER = re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)")


@dataclass(frozen=True)
class IdReport:
    """`findings` refuse the document; `manual_review` accepts it, flagged, with why."""

    findings: tuple[Finding, ...] = ()
    manual_review: tuple[Finding, ...] = ()
    #: What was verified automatically (e.g. "mrz_valid").
    verified: tuple[str, ...] = ()
    content_type: str | None = None
    extension: str | None = None
    mrz: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Accepted (perhaps for manual review)."""
        return not self.findings

    @property
    def needs_manual_review(self) -> bool:
        return bool(self.manual_review)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    @property
    def review_codes(self) -> list[str]:
        return [f.code for f in self.manual_review]

    @property
    def messages(self) -> list[str]:
        return [f.text for f in self.findings]


_ocr_lock = threading.Lock()


@functools.cache
def _engine():
    """The OCR engine (loaded once; None when rapidocr-onnxruntime is not installed)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:  # pragma: no cover - pinned in requirements.lock
        return None
    return RapidOCR()


def ocr_lines(rgb: np.ndarray) -> list[str] | None:
    """Text lines found in the image, top to bottom; None when OCR is unavailable."""
    engine = _engine()
    if engine is None:
        return None
    with _ocr_lock:
        result, _elapsed = engine(rgb[:, :, ::-1].copy())
    if not result:
        return []
    # Boxes on the same line (OCR may split one printed line in several) are joined.
    items = []
    for box, text, _score in result:
        ys = [p[1] for p in box]
        items.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(p[0] for p in box), text))
    items.sort()
    rows: list[list[tuple]] = []
    for item in items:
        if rows and abs(item[0] - rows[-1][0][0]) < 0.5 * max(item[1], rows[-1][0][1]):
            rows[-1].append(item)
        else:
            rows.append([item])
    return [" ".join(i[3] for i in sorted(row, key=lambda i: i[2])) for row in rows]


def _luhn(number: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = int(char)
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def looks_like_bank_card(lines: list[str]) -> bool:
    """A payment card number (16-19 digits with a valid Luhn check digit) in the text."""
    for line in lines:
        for match in _CARD_NUMBER.finditer(line):
            digits = re.sub(r"\D", "", match.group())
            if 16 <= len(digits) <= 19 and _luhn(digits):
                return True
    return False


def _name_similarity(td3: Td3, person) -> float:
    register = transliterate(f"{person.fornavn} {person.mellomnavn}".strip())
    register_surname = transliterate(person.etternavn)
    passport_given = transliterate(td3.given_names)
    passport_surname = transliterate(td3.surname)
    surname = difflib.SequenceMatcher(None, register_surname, passport_surname).ratio()
    # The passport may hold more given names than the card uses, or fewer.
    given = difflib.SequenceMatcher(None, register, passport_given).ratio()
    first = register.split("<")[0]
    if first and first in passport_given.split("<"):
        given = max(given, 1.0)
    return min(surname, given)


def _mrz_dict(td3: Td3) -> dict:
    return {
        "surname": td3.surname,
        "given_names": td3.given_names,
        "number": td3.number,
        "nationality": td3.nationality,
        "birth_date": td3.birth_date.isoformat() if td3.birth_date else None,
        "expiry": td3.expiry.isoformat() if td3.expiry else None,
        "failed_checks": list(td3.failed_checks),
    }


def check_id_document(
    data: bytes, document_type: str, person=None, *, today: dt.date | None = None
) -> IdReport:
    """Check an ID document; `person` is Folkeregisteret's record (a PersonRecord,
    or anything with fornavn, mellomnavn, etternavn and foedselsdato) or None."""
    today = today or dt.date.today()
    if document_type == BANK_CARD:
        return IdReport(findings=(Finding(F.ID_BANK_CARD),))
    if document_type not in KNOWN_TYPES:
        return IdReport(findings=(Finding(F.ID_DOCUMENT_TYPE),))
    content_type = sniff(data) if data and len(data) <= T.MAX_BYTES else None
    image = decode(data) if content_type else None
    if image is None:
        return IdReport(findings=(Finding(F.ID_FORMAT),))
    base = {"content_type": content_type, "extension": ACCEPTED[content_type]}
    if min(image.size) < ID_MIN_SIDE:
        return IdReport(findings=(Finding(F.ID_RESOLUTION),), **base)

    rgb = np.asarray(image)
    scale = min(1.0, 1600 / max(image.size))
    if scale < 1.0:
        import cv2

        rgb = cv2.resize(rgb, (round(image.width * scale), round(image.height * scale)))
    try:
        lines = ocr_lines(rgb)
    except Exception:  # an OCR failure must never lose an upload: a person looks instead
        logger.exception("OCR failed")
        lines = None
    if lines is None:
        review = F.REVIEW_OCR_UNAVAILABLE if document_type == PASSPORT else F.REVIEW_NOT_PASSPORT
        return IdReport(manual_review=(Finding(review),), **base)
    if looks_like_bank_card(lines):
        return IdReport(findings=(Finding(F.ID_BANK_CARD),), **base)
    if document_type != PASSPORT:
        return IdReport(manual_review=(Finding(F.REVIEW_NOT_PASSPORT),), **base)

    td3 = find_td3(lines, today=today)
    if td3 is None:
        return IdReport(
            manual_review=(Finding(F.REVIEW_MRZ_UNREADABLE), Finding(F.REVIEW_EXPIRY_UNREADABLE)),
            **base,
        )
    mrz = _mrz_dict(td3)
    if not td3.valid:
        return IdReport(manual_review=(Finding(F.REVIEW_MRZ_CHECK_DIGITS),), mrz=mrz, **base)
    refused: list[str] = []
    review: list[str] = []
    if td3.expiry is None:
        review.append(F.REVIEW_EXPIRY_UNREADABLE)
    elif td3.expiry < today:
        refused.append(F.ID_EXPIRED)
    if person is None:
        review.append(F.REVIEW_NO_PERSON)
    else:
        if td3.birth_date != person.foedselsdato:
            refused.append(F.ID_BIRTH_DATE_MISMATCH)
        similarity = _name_similarity(td3, person)
        mrz["name_similarity"] = round(similarity, 2)
        if similarity < T.NAME_MIN_SIMILARITY:
            # Names are not protected by check digits and transliterations vary: a person decides.
            review.append(F.REVIEW_NAME_MISMATCH)
    return IdReport(
        findings=tuple(Finding(c) for c in refused),
        manual_review=tuple(Finding(c) for c in review),
        verified=(F.MRZ_VALID,),
        mrz=mrz,
        **base,
    )
