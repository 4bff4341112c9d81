"""Test helper: take the images out of a reportlab PDF and "print" them.

Enough PDF to read what our own PDFs hold (no dependency on a PDF renderer):
the page size, each image XObject (ASCII85 / Flate, DeviceGray or DeviceRGB,
8 bits) and where the page content places it (`w 0 0 h x y cm /Name Do`).
`printed(image, dpi)` scales an image to its placed size at a printer
resolution with nearest-neighbour sampling, as a card printer would.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass

from PIL import Image

MM_PER_PT = 25.4 / 72


@dataclass
class PlacedImage:
    name: str
    image: Image.Image
    width_mm: float
    height_mm: float


def _decode(data: bytes, filters: list[bytes]) -> bytes:
    for f in filters:
        if f == b"ASCII85Decode":
            data = base64.a85decode(data.strip(), adobe=True)
        elif f == b"FlateDecode":
            data = zlib.decompress(data)
        else:
            raise ValueError(f"unsupported filter {f!r}")
    return data


def _objects(pdf: bytes):
    """(object number, dictionary text, stream bytes or None) for each object."""
    for m in re.finditer(rb"(\d+) 0 obj\s*<<", pdf):
        start = m.end()
        end = pdf.find(b"endobj", start)
        stream_at = pdf.find(b"stream", start, end)
        if stream_at == -1:
            yield int(m.group(1)), pdf[start:end], None
            continue
        header = pdf[start:stream_at]
        length = int(re.search(rb"/Length (\d+)", header).group(1))
        data_start = stream_at + len(b"stream")
        data_start += 2 if pdf[data_start : data_start + 2] == b"\r\n" else 1
        yield int(m.group(1)), header, pdf[data_start : data_start + length]


def _filters(header: bytes) -> list[bytes]:
    m = re.search(rb"/Filter\s*\[([^\]]*)\]", header) or re.search(rb"/Filter\s*(/\w+)", header)
    return re.findall(rb"/(\w+)", m.group(1)) if m else []


def page_size_mm(pdf: bytes) -> tuple[float, float]:
    m = re.search(rb"/MediaBox \[ ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) \]", pdf)
    x0, y0, x1, y1 = (float(v) for v in m.groups())
    return (x1 - x0) * MM_PER_PT, (y1 - y0) * MM_PER_PT


def placed_images(pdf: bytes) -> list[PlacedImage]:
    """The images of a one-page PDF with their placed size on the page."""
    objects = {num: (header, stream) for num, header, stream in _objects(pdf)}
    images: dict[int, Image.Image] = {}
    contents: list[bytes] = []
    for num, (header, stream) in objects.items():
        if stream is None:
            continue
        raw = _decode(stream, _filters(header))
        if b"/Subtype /Image" in header:
            width = int(re.search(rb"/Width (\d+)", header).group(1))
            height = int(re.search(rb"/Height (\d+)", header).group(1))
            mode = "L" if b"/DeviceGray" in header else "RGB"
            images[num] = Image.frombytes(mode, (width, height), raw)
        elif b"/Length1" not in header:  # not an embedded font: page content
            contents.append(raw)
    names = {
        name.decode(): int(num) for name, num in re.findall(rb"/(FormXob\.\w+) (\d+) 0 R", pdf)
    }
    placed = []
    pattern = rb"([\d.\-]+) 0 0 ([\d.\-]+) [\d.\-]+ [\d.\-]+ cm\s*/(FormXob\.\w+) Do"
    for content in contents:
        for w, h, name in re.findall(pattern, content):
            image = images[names[name.decode()]]
            placed.append(
                PlacedImage(name.decode(), image, float(w) * MM_PER_PT, float(h) * MM_PER_PT)
            )
    return placed


def printed(placed: PlacedImage, *, dpi: int = 300, margin_px: int = 20) -> Image.Image:
    """The image as printed at `dpi` (nearest neighbour), on a white margin."""
    size = (round(placed.width_mm / 25.4 * dpi), round(placed.height_mm / 25.4 * dpi))
    scaled = placed.image.convert("L").resize(size, Image.NEAREST)
    canvas = Image.new("L", (size[0] + 2 * margin_px, size[1] + 2 * margin_px), 255)
    canvas.paste(scaled, (margin_px, margin_px))
    return canvas
