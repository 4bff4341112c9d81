"""The temporary card: the order receipt whose first part works as a card.

When an order is effectuated the orderer gets a receipt e-mail (helper F's
outbox) with this PDF attached: an A4 page whose top is the card face at its
real size (85.6 x 54 mm, with a cut line) carrying a QR code that works
`TEMPORARY_QR_VALID_DAYS` (60) days, marked "Midlertidig HMS-kort – gyldig til
<date>", followed by the receipt ("Kvittering for bestilling av HMS-kort").
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from hmskort.cards.models import Card
from hmskort.cards.qr import TEMPORARY_QR_VALID_DAYS
from hmskort.production.face import (
    BLUE,
    CARD_HEIGHT,
    CARD_WIDTH,
    FONT,
    FONT_BOLD,
    GREY,
    draw_card_face,
    format_orgnr,
    new_canvas,
    register_fonts,
    text_block,
)
from hmskort.production.models import SHIPPING_BUSINESS_DAYS
from hmskort.production.records import card_record, persons_for


def temporary_card_valid_until(now: dt.datetime) -> dt.date:
    """The last day the temporary card's QR code works (it stops at `now` + 60 days)."""
    return timezone.localdate(now + dt.timedelta(days=TEMPORARY_QR_VALID_DAYS))


def temporary_card_filename(card: Card) -> str:
    """The attachment's file name."""
    return f"midlertidig-hms-kort-{card.card_number}.pdf"


def temporary_card_record(card: Card, *, now: dt.datetime) -> dict:
    """The card's production record with a temporary (60-day) QR token."""
    person = persons_for([card]).get(card.holder_id)
    return card_record(card, person, now=now, qr_valid_days=TEMPORARY_QR_VALID_DAYS)


def _d(day: dt.date | str | None) -> str:
    if not day:
        return "–"
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return day.strftime("%d.%m.%Y")


def temporary_card_pdf(card: Card, *, now: dt.datetime | None = None) -> bytes:
    """The A4 receipt PDF whose first part is the temporary card."""
    register_fonts()
    now = now or timezone.now()
    record = temporary_card_record(card, now=now)
    until = temporary_card_valid_until(now)
    page_w, page_h = A4
    buffer = io.BytesIO()
    c = new_canvas(buffer, A4, title=f"Kvittering for bestilling av HMS-kort {card.card_number}")
    margin = 20 * mm

    # Heading.
    c.setFillColor(BLUE)
    c.setFont(FONT_BOLD, 16)
    y = page_h - margin
    c.drawString(margin, y - 12, "Kvittering for bestilling av HMS-kort")
    c.setFillColor(GREY)
    c.setFont(FONT, 9)
    c.drawString(
        margin, y - 26, "Receipt for your HMS card order · Midlertidig kort / temporary card"
    )

    # The temporary card at real size, inside a dashed cut line.
    card_x = margin
    card_y = y - 36 - CARD_HEIGHT - 4 * mm
    c.saveState()
    c.setStrokeColor(GREY)
    c.setDash(3, 2)
    c.setLineWidth(0.5)
    c.rect(card_x - 2 * mm, card_y - 2 * mm, CARD_WIDTH + 4 * mm, CARD_HEIGHT + 4 * mm)
    c.restoreState()
    draw_card_face(c, record, x=card_x, y=card_y, temporary_until=until)
    c.setStrokeColor(colors.lightgrey)
    c.setLineWidth(0.3)
    c.rect(card_x, card_y, CARD_WIDTH, CARD_HEIGHT)

    # Beside the card: how to use it.
    note_x = card_x + CARD_WIDTH + 8 * mm
    text = c.beginText(note_x, card_y + CARD_HEIGHT - 10)
    text.setFont(FONT_BOLD, 9)
    text.setFillColor(colors.black)
    text.textLine("Slik bruker du det midlertidige kortet")
    text.setFont(FONT, 8.5)
    for line in (
        "Klipp ut kortet, eller vis det på mobilen.",
        f"QR-koden virker til {_d(until)}, eller til det",
        "fysiske kortet er kommet.",
        "Kortet er ikke legitimasjon; ha med gyldig ID.",
        "",
        "Cut out the card or show it on your phone.",
        f"Its QR code works until {_d(until)}.",
        "Not an ID document; carry valid ID.",
    ):
        text.textLine(line)
    c.drawText(text)

    # The receipt.
    y = card_y - 14 * mm
    c.setFillColor(BLUE)
    c.setFont(FONT_BOLD, 12)
    c.drawString(margin, y, "Bestillingen / The order")
    y -= 9 * mm
    holder = record["holder"]
    employer = record["employer"]
    rows = [
        ("Kortnummer", "Card number", record["card_number_formatted"]),
        ("Korttype", "Card type", f"{record['industry']['code']} – {record['industry']['name']}"),
        ("Kortinnehaver", "Card holder", holder["name"]),
        ("Fødselsdato", "Date of birth", _d(holder.get("birth_date"))),
        ("Arbeidsgiver", "Employer", employer["name"]),
        ("Organisasjonsnummer", "Organisation number", format_orgnr(employer["orgnr"])),
        ("Bestilt", "Ordered", _d(timezone.localdate(card.created_at)) if card.created_at else "–"),
        ("Bestilt av", "Ordered by", card.ordered_by or "–"),
        ("Godkjent", "Approved", _d(card.issue_date)),
        ("Kortet gyldig til", "Card valid until", _d(card.valid_until)),
        ("Midlertidig kort gyldig til", "Temporary card valid until", _d(until)),
    ]
    value_x = margin + 62 * mm
    value_w = page_w - margin - value_x
    for label_nb, label_en, value in rows:
        c.setFillColor(colors.black)
        c.setFont(FONT, 9)
        c.drawString(margin, y, label_nb)
        c.setFillColor(GREY)
        c.setFont(FONT, 7)
        c.drawString(margin, y - 3.2 * mm, label_en)
        below = text_block(
            c,
            value_x,
            y + 9.5,
            str(value),
            font=FONT_BOLD,
            size=9.5,
            width=value_w,
            max_lines=2,
            min_size=7.5,
        )
        y = min(y - 9 * mm, below - 2 * mm)

    y -= 4 * mm
    text = c.beginText(margin, y)
    text.setFont(FONT, 9)
    text.setFillColor(colors.black)
    for line in (
        "Alle krav er oppfylt, og kortet er sendt til produksjon. Det fysiske kortet sendes",
        f"innen {SHIPPING_BUSINESS_DAYS} virkedager og er normalt framme innen en uke.",
        "Kortets status kan alltid sjekkes ved å skanne QR-koden.",
        "",
        "All requirements are met and the card has gone into production. The physical card",
        f"ships within {SHIPPING_BUSINESS_DAYS} business days and normally arrives within a week.",
        "Scan the QR code to check the card's status at any time.",
    ):
        text.textLine(line)
    c.drawText(text)

    c.setFillColor(GREY)
    c.setFont(FONT, 7)
    c.drawString(margin, 12 * mm, f"Laget {timezone.localtime(now):%d.%m.%Y %H:%M} · HMS-kort")
    c.showPage()
    c.save()
    return buffer.getvalue()
