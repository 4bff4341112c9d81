"""The print-ready card face: an 85.6 x 54 mm (ID-1) PDF page per card.

Photo (a placeholder box until the uploads issue adds photos), name, birth
date, company and organisation number, card type, card number, expiry, a QR
code with the card's QR URL and a Code128 barcode with organisation number +
card number.

The QR code and the barcode are embedded as exact bitmaps, one pixel per
module, scaled by the PDF without interpolation: every module prints as a
sharp rectangle at any printer resolution, and the test suite can take the
very images out of the PDF and decode them (see tests/pdfimages.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path

import segno
from PIL import Image
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from hmskort.cards.models import Card

#: ID-1 card size (ISO/IEC 7810).
CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 54 * mm

FONT = "HMSSans"
FONT_BOLD = "HMSSans-Bold"
_FONT_CANDIDATES = (
    # DejaVu covers Latin Extended (Polish, Lithuanian, Romanian names ...).
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    # Bitstream Vera ships with reportlab: always there.
    (str(Path(pdfmetrics.__file__).parent.parent / "fonts" / "Vera.ttf"), "VeraBd.ttf"),
)

BLUE = colors.HexColor("#0A3E6E")
RED = colors.HexColor("#B3261E")
GREY = colors.HexColor("#5A6472")
LIGHT = colors.HexColor("#E8ECF1")

QR_QUIET_MODULES = 4
BARCODE_QUIET_MODULES = 10
QR_SIZE = 22 * mm
BARCODE_WIDTH = 50 * mm
BARCODE_HEIGHT = 7.5 * mm


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for regular, bold in _FONT_CANDIDATES:
        regular_path = Path(regular)
        bold_path = regular_path.with_name(bold)
        if regular_path.exists() and bold_path.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(regular_path)))
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold_path)))
            return
    raise RuntimeError("no TrueType font found for the card face")


# --- symbols as exact bitmaps -------------------------------------------------------


def qr_image(data: str) -> Image.Image:
    """The QR code for `data`, one pixel per module, with its 4-module quiet zone."""
    qr = segno.make(data, error="l", boost_error=True, micro=False)
    size = qr.symbol_size(scale=1, border=QR_QUIET_MODULES)[0]
    image = Image.new("L", (size, size), 255)
    pixels = image.load()
    for y, row in enumerate(qr.matrix_iter(scale=1, border=QR_QUIET_MODULES)):
        for x, dark in enumerate(row):
            if dark:
                pixels[x, y] = 0
    return image


def code128_modules(data: str) -> list[bool]:
    """The Code128 symbol for `data` as modules (True = bar), without quiet zones.

    Encoding (start code, code-set switches, check symbol) is reportlab's."""
    symbol = Code128(data, quiet=0)
    symbol.validate()
    symbol.encode()
    modules: list[bool] = []
    # decompose(): upper case = bar, lower case = space; a..d = 1..4 modules wide.
    for ch in symbol.decompose():
        modules.extend([ch.isupper()] * (ord(ch.lower()) - ord("a") + 1))
    return modules


def code128_image(data: str, *, height: int = 1) -> Image.Image:
    """The Code128 barcode, one pixel per module, with 10-module quiet zones."""
    modules = [False] * BARCODE_QUIET_MODULES + code128_modules(data)
    modules += [False] * BARCODE_QUIET_MODULES
    image = Image.new("L", (len(modules), height), 255)
    pixels = image.load()
    for x, bar in enumerate(modules):
        if bar:
            for y in range(height):
                pixels[x, y] = 0
    return image


# --- text helpers ---------------------------------------------------------------------


def _date(value: str | dt.date | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d.%m.%Y")


def format_orgnr(orgnr: str) -> str:
    return f"{orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}" if len(orgnr) == 9 else orgnr


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if not line or pdfmetrics.stringWidth(candidate, font, size) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _fit(
    text: str, font: str, size: float, width: float, *, max_lines: int, min_size: float
) -> tuple[list[str], float]:
    """Lines and font size so `text` fits `width` in at most `max_lines` lines."""
    while True:
        lines = _wrap(text, font, size, width)
        fits = all(pdfmetrics.stringWidth(line, font, size) <= width for line in lines)
        if (len(lines) <= max_lines and fits) or size <= min_size:
            break
        size -= 0.25
    if len(lines) > max_lines:  # too long even at the smallest size: mark the cut
        lines = lines[:max_lines]
        lines[-1] = lines[-1] + " …"
    out = []
    for line in lines:
        # Still too wide: shorten with an ellipsis.
        while len(line) > 1 and pdfmetrics.stringWidth(line, font, size) > width:
            line = line[:-2].rstrip() + "…"
        out.append(line)
    return out, size


def text_block(
    c: Canvas,
    x: float,
    top: float,
    text: str,
    *,
    font: str,
    size: float,
    width: float,
    max_lines: int = 1,
    min_size: float = 4.5,
    color=colors.black,
) -> float:
    """Draw `text` from `top` down; return the y below it."""
    lines, size = _fit(text, font, size, width, max_lines=max_lines, min_size=min_size)
    c.setFillColor(color)
    c.setFont(font, size)
    y = top
    for line in lines:
        y -= size * 1.05
        c.drawString(x, y, line)
    return y - size * 0.25


def _labelled(c: Canvas, x: float, top: float, label: str, value: str, width: float) -> float:
    c.setFillColor(GREY)
    c.setFont(FONT, 4.6)
    c.drawString(x, top - 4.6, label)
    return text_block(c, x, top - 5.2, value, font=FONT_BOLD, size=6.6, width=width, min_size=5.0)


# --- the face ----------------------------------------------------------------------------


def draw_card_face(
    c: Canvas,
    record: Mapping,
    *,
    x: float = 0,
    y: float = 0,
    qr_url: str | None = None,
    temporary_until: dt.date | None = None,
    photo: bytes | None = None,
) -> None:
    """Draw the card face for `record` (a production record) with its lower-left
    corner at (x, y). `temporary_until` adds the temporary card's banner."""
    register_fonts()
    qr_url = qr_url or record["qr"]["url"]
    c.saveState()
    c.translate(x, y)
    W, H = CARD_WIDTH, CARD_HEIGHT

    # Background and header band.
    c.setFillColor(colors.white)
    c.rect(0, 0, W, H, stroke=0, fill=1)
    band = 8 * mm
    c.setFillColor(BLUE)
    c.rect(0, H - band, W, band, stroke=0, fill=1)
    c.setFillColor(colors.white)
    c.setFont(FONT_BOLD, 10)
    c.drawString(4 * mm, H - band + 2.7 * mm, "HMS-KORT")
    industry = record["industry"]
    _, size = _fit(industry["name"], FONT, 6.5, 46 * mm, max_lines=1, min_size=4.5)
    c.setFont(FONT, size)
    c.drawRightString(W - 4 * mm, H - band + 2.9 * mm, industry["name"][:60])
    top = H - band

    if temporary_until is not None:
        strip = 4 * mm
        c.setFillColor(RED)
        c.rect(0, top - strip, W, strip, stroke=0, fill=1)
        c.setFillColor(colors.white)
        c.setFont(FONT_BOLD, 6.2)
        c.drawCentredString(
            W / 2,
            top - strip + 1.2 * mm,
            f"Midlertidig HMS-kort – gyldig til {_date(temporary_until)}",
        )
        top -= strip

    content_top = top - 2 * mm

    # Photo (placeholder until photos are uploaded).
    photo_w, photo_h = 19 * mm, 24 * mm
    photo_x, photo_y = 4 * mm, content_top - photo_h
    if temporary_until is not None:
        photo_h = 20 * mm
        photo_w = photo_h * 19 / 24
        photo_y = content_top - photo_h
    if photo:
        c.drawImage(
            ImageReader(io.BytesIO(photo)),
            photo_x,
            photo_y,
            photo_w,
            photo_h,
            preserveAspectRatio=True,
            anchor="c",
        )
    else:
        c.setFillColor(LIGHT)
        c.setStrokeColor(GREY)
        c.setLineWidth(0.4)
        c.rect(photo_x, photo_y, photo_w, photo_h, stroke=1, fill=1)
        c.setFillColor(GREY)
        c.setFont(FONT, 5.5)
        c.drawCentredString(photo_x + photo_w / 2, photo_y + photo_h / 2, "Foto")

    # QR code, top right.
    qr_size = QR_SIZE if temporary_until is None else 20 * mm
    qr_x = W - 3 * mm - qr_size
    qr_y = content_top - qr_size + 1 * mm
    c.drawImage(ImageReader(qr_image(qr_url)), qr_x, qr_y, qr_size, qr_size)

    # Text column between the photo and the QR code.
    tx = photo_x + photo_w + 2.5 * mm
    tw = qr_x - tx - 1 * mm
    holder = record["holder"]
    employer = record["employer"]
    ty = text_block(
        c,
        tx,
        content_top + 0.5 * mm,
        holder["name"],
        font=FONT_BOLD,
        size=8.5,
        width=tw,
        max_lines=2,
        min_size=5.5,
    )
    if holder.get("birth_date"):
        c.setFillColor(GREY)
        c.setFont(FONT, 5.6)
        c.drawString(tx, ty - 5.0, f"Født {_date(holder['birth_date'])}")
        ty -= 7.5
    ty = text_block(
        c,
        tx,
        ty - 1.5,
        employer["name"],
        font=FONT_BOLD,
        size=6.8,
        width=tw,
        max_lines=2,
        min_size=5.0,
        color=BLUE,
    )
    c.setFillColor(GREY)
    c.setFont(FONT, 5.6)
    c.drawString(tx, ty - 5.0, f"Org.nr. {format_orgnr(employer['orgnr'])}")
    ty -= 8
    col2 = tx + tw * 0.52
    _labelled(c, tx, ty, "Kortnummer", record["card_number_formatted"], tw * 0.5)
    _labelled(c, col2, ty, "Gyldig til", _date(record.get("valid_until")) or "–", tw * 0.48)

    # Barcode along the bottom, human-readable digits below it.
    data = record["barcode"]["data"]
    bar_x, bar_y = 3 * mm, 4.2 * mm
    c.drawImage(ImageReader(code128_image(data)), bar_x, bar_y, BARCODE_WIDTH, BARCODE_HEIGHT)
    c.setFillColor(colors.black)
    c.setFont(FONT, 5.2)
    c.drawCentredString(
        bar_x + BARCODE_WIDTH / 2,
        1.8 * mm,
        f"{employer['orgnr']}  {record['card_number']}",
    )

    # Card type code, bottom right.
    c.setFillColor(BLUE)
    c.setFont(FONT_BOLD, 17)
    c.drawRightString(W - 4 * mm, 5 * mm, industry["code"])
    c.setFillColor(GREY)
    c.setFont(FONT, 4.4)
    c.drawRightString(W - 4 * mm, 2.6 * mm, "Ikke legitimasjon · Not an ID document")
    c.restoreState()


def new_canvas(buffer: io.BytesIO, pagesize: tuple[float, float], *, title: str) -> Canvas:
    c = Canvas(buffer, pagesize=pagesize, pageCompression=1, invariant=1)
    c.setTitle(title)
    c.setAuthor("HMS-kort")
    c.setCreator("hmskort.production")
    return c


def card_face_pdf(card: Card, record: Mapping, *, photo: bytes | None = None) -> bytes:
    """One 85.6 x 54 mm PDF page: the face printed on `card` (from its `record`)."""
    buffer = io.BytesIO()
    c = new_canvas(buffer, (CARD_WIDTH, CARD_HEIGHT), title=f"HMS-kort {card.card_number}")
    draw_card_face(c, record, photo=photo)
    c.showPage()
    c.save()
    return buffer.getvalue()
