"""Checking uploaded images by their content, never by their name or declared type.

`validate_image` checks that a file is a JPEG, PNG or HEIC image at all;
`validate_photo` and `validate_id_document` add the automatic checks of the card
photo and the ID document (`hmskort.photocheck`): every rule a photo breaks is
told at once, before anything is stored. HEIC photos (iPhones) are stored as
JPEG so that every browser can show them to the caseworker."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

from hmskort.photocheck import findings as F
from hmskort.photocheck.sniff import decode, sniff

MAX_BYTES = 10 * 1024 * 1024
#: content type -> file extension of what is stored
ALLOWED_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "jpg"}
MIN_SIDE = 100  # pixels: smaller cannot show a face or a document


@dataclass(frozen=True)
class ValidatedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file (anything with .read() / .size), at most 10 MB."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(_("Filen er større enn 10 MB."), code="too_large")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("Filen er større enn 10 MB."), code="too_large")
    if not data:
        raise ValidationError(_("Filen er tom."), code="empty")
    return data


def _as_stored(data: bytes) -> ValidatedImage:
    """The image as it is stored: JPEG and PNG as uploaded, HEIC converted to JPEG."""
    kind = sniff(data)
    image = decode(data) if kind else None
    if image is None:
        raise ValidationError(
            _("Filen er ikke et bilde vi kan lese. Bruk JPEG, PNG eller HEIC."), code="not_image"
        )
    if kind == "image/heic":
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=92)
        data, kind = buffer.getvalue(), "image/jpeg"
    return ValidatedImage(data, kind, ALLOWED_TYPES[kind], image.width, image.height)


def validate_image(upload) -> ValidatedImage:
    """Read an uploaded file and check it is a JPEG, PNG or HEIC image of at most
    10 MB that decodes fully. Raises ValidationError."""
    data = read_upload(upload)
    if sniff(data) is None:
        try:
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
        except Exception:  # noqa: BLE001 - not an image at all
            pass
        else:
            raise ValidationError(
                _("Bare JPEG-, PNG- og HEIC-bilder kan lastes opp."), code="wrong_type"
            )
    validated = _as_stored(data)
    if min(validated.width, validated.height) < MIN_SIDE:
        raise ValidationError(_("Bildet er for lite (minst 100 × 100 piksler)."), code="too_small")
    return validated


def validate_photo(upload):
    """Check the card photo: returns (ValidatedImage, PhotoReport); raises a
    ValidationError with one message per broken rule (codes are the finding codes)."""
    from hmskort.photocheck import check_photo

    data = read_upload(upload)
    report = check_photo(data)
    if not report.ok:
        raise ValidationError([ValidationError(F.TEXTS[code], code=code) for code in report.codes])
    return _as_stored(data), report


def validate_id_document(image: ValidatedImage, document_type: str, person=None):
    """Check the ID document (already read by `validate_image`): returns the
    IdReport when it is accepted (perhaps for manual review); raises a
    ValidationError with one message per reason it is refused."""
    from hmskort.photocheck import check_id_document

    report = check_id_document(image.data, document_type, person)
    if not report.ok:
        raise ValidationError([ValidationError(F.TEXTS[code], code=code) for code in report.codes])
    return report


def auto_findings(photo_report, id_report) -> dict:
    """What the automatic checks found, as stored in UploadSet.auto_findings."""
    return {
        "photo": list(photo_report.codes) if photo_report is not None else [],
        "id": list(id_report.codes) if id_report is not None else [],
        "manual_review": list(id_report.review_codes) if id_report is not None else [],
        "verified": list(id_report.verified) if id_report is not None else [],
    }
