"""Content-type detection by content (magic bytes + a full decode), never by name."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC (iPhone photos) through libheif, when pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is pinned in requirements.lock
    HEIC_SUPPORTED = False

#: content type -> file extension
ACCEPTED = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}


def sniff(data: bytes) -> str | None:
    """The content type of `data` judged by its first bytes: image/jpeg, image/png,
    image/heic, or None for anything else (GIF, PDF, AVIF, text ...)."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        size = int.from_bytes(data[:4], "big")
        box = data[8 : max(16, min(size, 64))]
        brands = {box[i : i + 4] for i in range(0, len(box) - 3, 4)}
        brands.discard(box[4:8])  # minor version, not a brand
        if brands & _HEIF_BRANDS or (box[:4] in (b"mif1", b"msf1") and b"avif" not in brands):
            return "image/heic"
    return None


def decode(data: bytes) -> Image.Image | None:
    """The image in `data` (upright per its EXIF orientation, RGB), if it is one of
    the accepted types and decodes fully; None otherwise."""
    kind = sniff(data)
    if kind is None or (kind == "image/heic" and not HEIC_SUPPORTED):
        return None
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
        image = ImageOps.exif_transpose(image)
        return image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
