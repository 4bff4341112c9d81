"""Invoices and credit notes as PDF (reportlab): A4, the buyer's address where a
window envelope shows it, the lines with VAT, and the payment details (account
number, KID, due date). Several invoices make one PDF for the print queue."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from stdnum.no import kontonr

from hmskort.billing.ehf.ubl import vat_breakdown
from hmskort.billing.models import Invoice

NBSP = "\u00a0"


def _e(text) -> str:
    """Text for a reportlab Paragraph (its markup is XML-like)."""
    return escape(str(text or ""))


def kr(value: Decimal) -> str:
    """1234.5 -> '1 234,50' (Norwegian notation)."""
    whole, _, cents = f"{Decimal(value):.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{NBSP.join(groups) or '0'},{cents}"


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}".replace(".", ",") + " %"


def _address_lines(party: dict) -> list[str]:
    lines = [party["name"]]
    lines += list(party.get("address_lines") or ([party["street"]] if party.get("street") else []))
    lines.append(f"{party.get('postcode', '')} {party.get('city', '')}".strip())
    return [line for line in lines if line]


def _story(invoice: Invoice, styles) -> list:
    seller, buyer = invoice.seller, invoice.buyer
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    title = "Kreditnota" if invoice.is_credit_note else "Faktura"
    story: list = []
    seller_text = "<br/>".join(
        [
            f"<b>{_e(seller['name'])}</b>",
            _e(seller["street"]),
            _e(f"{seller['postcode']} {seller['city']}"),
        ]
        + [
            f"Org.nr. {seller['orgnr']}" + (" MVA" if seller.get("vat_registered") else ""),
            "Foretaksregisteret",
        ]
    )
    head = Table(
        [
            [
                Paragraph("<br/>".join(_e(x) for x in _address_lines(buyer)), styles["BodyText"]),
                Paragraph(seller_text, small),
            ]
        ],
        colWidths=[100 * mm, 70 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Spacer(1, 25 * mm), head, Spacer(1, 12 * mm)]
    story.append(Paragraph(f"{title} {invoice.number}", styles["Title"]))
    facts = [
        ["Fakturanummer", str(invoice.number)],
        ["Fakturadato", f"{invoice.issue_date:%d.%m.%Y}"],
        ["Kunde (org.nr.)", buyer["orgnr"]],
        ["Deres referanse", invoice.buyer_reference],
    ]
    if invoice.period_start and invoice.period_end:
        facts.append(["Periode", f"{invoice.period_start:%d.%m.%Y}–{invoice.period_end:%d.%m.%Y}"])
    if invoice.is_credit_note and invoice.credited_invoice_id:
        facts.append(["Krediterer faktura", str(invoice.credited_invoice.number)])
    else:
        facts += [
            ["Forfallsdato", f"{invoice.due_date:%d.%m.%Y}"],
            ["KID", invoice.kid],
            ["Kontonummer", kontonr.format(seller["bank_account"])],
        ]
    table = Table(facts, colWidths=[45 * mm, 125 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story += [table, Spacer(1, 8 * mm)]
    rows = [["Beskrivelse", "Antall", "Pris eks. mva", "Mva", "Beløp eks. mva"]]
    for line in invoice.lines.all():
        rows.append(
            [
                Paragraph(_e(line.description), small),
                f"{line.quantity.normalize():f}",
                kr(line.unit_price),
                _percent(line.vat_rate),
                kr(line.amount),
            ]
        )
    rows.append(["Sum eks. mva", "", "", "", kr(invoice.total_excl_vat)])
    for rate, net, vat in vat_breakdown(invoice):
        rows.append([f"Mva {_percent(rate)} av {kr(net)}", "", "", "", kr(vat)])
    label = "Å betale" if not invoice.is_credit_note else "Kreditert"
    rows.append([f"{label} (NOK, inkl. mva)", "", "", "", kr(invoice.total_incl_vat)])
    lines = Table(rows, colWidths=[80 * mm, 15 * mm, 27 * mm, 18 * mm, 30 * mm], repeatRows=1)
    last = len(rows) - 1
    lines.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, last), (-1, last), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                (
                    "LINEABOVE",
                    (0, last - 1 - len(vat_breakdown(invoice))),
                    (-1, -1),
                    0.25,
                    colors.grey,
                ),
                ("LINEABOVE", (0, last), (-1, last), 0.75, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [lines, Spacer(1, 10 * mm)]
    if invoice.is_credit_note:
        story.append(
            Paragraph(
                "Beløpet er kreditert og trekkes fra det dere skylder HMS-kort. "
                "Ta kontakt hvis dere allerede har betalt fakturaen.",
                styles["BodyText"],
            )
        )
    else:
        story.append(
            Paragraph(
                f"Betal <b>{kr(invoice.total_incl_vat)} kr</b> til konto "
                f"<b>{kontonr.format(seller['bank_account'])}</b> med KID <b>{invoice.kid}</b> "
                f"innen <b>{invoice.due_date:%d.%m.%Y}</b>.",
                styles["BodyText"],
            )
        )
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            _e(f"Spørsmål om fakturaen: {seller.get('email', '')} / {seller.get('phone', '')}."),
            small,
        )
    )
    return story


def invoices_pdf(invoices: Iterable[Invoice]) -> bytes:
    """One PDF with each invoice starting on a new page."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="Faktura HMS-kort",
        author="HMS-kort",
    )
    story: list = []
    for i, invoice in enumerate(invoices):
        if i:
            story.append(PageBreak())
        story += _story(invoice, styles)
    if not story:
        story.append(Paragraph("Ingen fakturaer.", styles["BodyText"]))
    document.build(story)
    return buffer.getvalue()


def invoice_pdf(invoice: Invoice) -> bytes:
    return invoices_pdf([invoice])
