"""Content types are told by content, never by file name."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hmskort.photocheck import check_photo
from hmskort.photocheck import findings as F
from hmskort.photocheck.sniff import decode, sniff
from hmskort.photocheck.testset import photo_bytes


def _encode(fmt: str, **kw) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, format=fmt, **kw)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "fmt, expected",
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", None), ("BMP", None), ("WEBP", None)],
)
def test_sniff(fmt, expected):
    assert sniff(_encode(fmt)) == expected


def test_heic_is_recognised_and_decoded():
    data = photo_bytes("good_heic.heic")
    assert sniff(data) == "image/heic"
    assert decode(data).size == (360, 480)


def test_avif_is_not_heic():
    box = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"
    assert sniff(box + b"\x00" * 32) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.4 ...", b"<html></html>", b"\xff\xd8\xff\xe0 broken jpeg", b"GIF89a...."],
)
def test_anything_else_is_refused_as_format(data):
    assert check_photo(data).codes == [F.FORMAT]


def test_a_gif_named_jpg_is_refused():
    assert check_photo(photo_bytes("bad_format_gif.jpg")).codes == [F.FORMAT]


def test_truncated_jpeg_is_refused():
    assert check_photo(photo_bytes("bad_format_truncated.jpg")).codes == [F.FORMAT]
