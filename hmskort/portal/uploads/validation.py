"""Checking an uploaded image by its content, never by its name or declared type."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
#: Pillow format -> (content type, file extension)
ALLOWED_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
MIN_SIDE = 100  # pixels: smaller cannot show a face or a document


@dataclass(frozen=True)
class ValidatedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def validate_image(upload) -> ValidatedImage:
    """Read an uploaded file (anything with .read() / .size) and check it is a
    JPEG or PNG of at most 10 MB that Pillow can decode. Raises ValidationError."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(_("Filen er større enn 10 MB."), code="too_large")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("Filen er større enn 10 MB."), code="too_large")
    if not data:
        raise ValidationError(_("Filen er tom."), code="empty")
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("Filen er ikke et bilde vi kan lese. Bruk JPEG eller PNG."), code="not_image"
        ) from None
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("Bare JPEG- og PNG-bilder kan lastes opp."), code="wrong_type")
    if min(width, height) < MIN_SIDE:
        raise ValidationError(_("Bildet er for lite (minst 100 × 100 piksler)."), code="too_small")
    content_type, extension = ALLOWED_FORMATS[fmt]
    return ValidatedImage(data, content_type, extension, width, height)
