"""Receipts as PDF (reportlab): the answer, the signed token, and a QR code that
opens the receipt's verification page."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from hmskort.receipts.models import CardCheck, CrewReport
from hmskort.receipts.services import CrewLine
from hmskort.receipts.texts import channel_label, reason_texts, status_label


def verify_url(token: str) -> str:
    base = getattr(settings, "HMSKORT_PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{reverse('receipts:verify')}?{urlencode({'t': token})}"


class _Qr(Flowable):
    def __init__(self, data: str, size: float = 60 * mm):
        super().__init__()
        self.data, self.size = data, size
        self.width = self.height = size

    def draw(self):
        widget = QrCodeWidget(self.data, barLevel="L")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(
            self.size,
            self.size,
            transform=[self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0],
        )
        drawing.add(widget)
        renderPDF.draw(drawing, self.canv, 0, 0)


def _styles():
    styles = getSampleStyleSheet()
    mono = styles["Code"]
    mono.fontSize = 6.5
    mono.leading = 8
    mono.wordWrap = "CJK"  # break the token anywhere
    return styles, mono


def _facts_table(rows) -> Table:
    table = Table(rows, colWidths=[45 * mm, 120 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _tail(story, styles, mono, token: str) -> None:
    story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            "Skann QR-koden eller lim inn kvitteringen på /kvittering/verifiser for å "
            "kontrollere at den er utstedt av HMS-kort og ikke endret. (Scan the QR code or "
            "paste the receipt at /kvittering/verifiser to verify it; offline with the keys at "
            "/.well-known/jwks.json.)",
            styles["BodyText"],
        )
    )
    story.append(KeepTogether([Spacer(1, 3 * mm), _Qr(verify_url(token))]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph("Signert kvittering (signed receipt):", styles["Heading4"]))
    story.append(Paragraph(token, mono))


def receipt_pdf(check: CardCheck, *, token: str, checked_by: str = "") -> bytes:
    styles, mono = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"HMS-kort kvittering {check.check_id}")
    rows = [
        ["Kvittering (receipt)", str(check.check_id)],
        ["Tidspunkt (time)", check.checked_at.isoformat(timespec="seconds")],
        ["Kanal (channel)", channel_label(check.channel)],
        ["Kortnummer (card)", check.card_number],
        ["Svar (answer)", status_label(check.status, check.reason_codes)],
    ]
    for text in reason_texts(check.reason_codes):
        rows.append(["Årsak (reason)", Paragraph(text, styles["BodyText"])])
    if check.card_type:
        rows += [
            ["Korttype (card type)", check.card_type],
            ["Virksomhet (company)", f"{check.employer_name} ({check.employer_orgnr})"],
            ["Gyldig til (valid until)", str(check.valid_until or "–")],
        ]
    if check.holder_name:
        rows.append(["Innehaver (holder)", check.holder_name])
    if checked_by:
        rows.append(["Kontrollert av (checked by)", checked_by])
    story = [
        Paragraph("HMS-kort – kvittering for kortkontroll", styles["Title"]),
        Paragraph("Receipt for a card check", styles["Heading3"]),
        _facts_table(rows),
    ]
    _tail(story, styles, mono, token)
    doc.build(story)
    return buffer.getvalue()


def crew_report_pdf(report: CrewReport, *, token: str, lines: list[CrewLine]) -> bytes:
    styles, mono = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"HMS-kort mannskapsrapport {report.report_id}",
        leftMargin=12 * mm,
        rightMargin=12 * mm,
    )
    summary = ", ".join(
        f"{status_label(status)}: {n}" for status, n in sorted(report.counts.items())
    )
    facts = [
        ["Rapport (report)", str(report.report_id)],
        ["Tidspunkt (time)", report.created_at.isoformat(timespec="seconds")],
        ["Antall kort (cards)", str(report.line_count)],
        ["Oppsummering (summary)", Paragraph(summary, styles["BodyText"])],
    ]
    if report.requester_org:
        facts.append(["Kontrollert av (checked by)", report.requester_org])
    cell = styles["BodyText"].clone("cell", fontSize=7, leading=8.5)
    rows = [["#", "Kortnummer", "Status", "Virksomhet", "Gyldig til", "Kontroll-ID"]]
    for line in lines:
        c = line.check
        answer = status_label(c.status, c.reason_codes)
        reasons = reason_texts(c.reason_codes)
        if reasons and not (c.status == "invalid" and len(reasons) == 1):
            answer += " – " + "; ".join(reasons)
        rows.append(
            [
                str(c.line_no),
                c.card_number,
                Paragraph(answer, cell),
                Paragraph(c.employer_name, cell),
                str(c.valid_until or ""),
                Paragraph(str(c.check_id), cell),
            ]
        )
    table = Table(
        rows,
        repeatRows=1,
        colWidths=[10 * mm, 22 * mm, 55 * mm, 45 * mm, 18 * mm, 36 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph("HMS-kort – mannskapsrapport", styles["Title"]),
        Paragraph("Crew report: the status of every card, signed", styles["Heading3"]),
        _facts_table(facts),
        Spacer(1, 4 * mm),
    ]
    _tail(story, styles, mono, token)
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            "Hver linje har sin egen kontroll-ID og kan kontrolleres alene på "
            "/kvittering/&lt;kontroll-ID&gt; (CSV-filen har en signert kvittering per linje). "
            "(Each line has its own check id and signed receipt in the CSV.)",
            styles["BodyText"],
        ),
        table,
    ]
    doc.build(story)
    return buffer.getvalue()
