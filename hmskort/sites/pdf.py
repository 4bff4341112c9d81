"""The crew list (oversiktsliste) as PDF, with reportlab as the receipts use it."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hmskort.sites.models import Site


def _times(times) -> str:
    tz = timezone.get_current_timezone()
    return " ".join(t.astimezone(tz).strftime("%H:%M") for t in times)


def crew_list_pdf(site: Site, day: dt.date, lines) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Oversiktsliste {site.name} {day.isoformat()}",
    )
    styles = getSampleStyleSheet()
    small = styles["BodyText"]
    small.fontSize = 8
    small.leading = 10
    story = [
        Paragraph(_("Oversiktsliste (byggherreforskriften § 15)"), styles["Title"]),
        Paragraph(
            f"{site.name} – {site.address}<br/>"
            + _("Byggherre")
            + f": {site.builder_name}<br/>"
            + _("Hovedentreprenør")
            + f": {site.owner_name} ({site.owner_orgnr})<br/>"
            + _("Dag")
            + f": {day.strftime('%d.%m.%Y')}",
            styles["Normal"],
        ),
        Paragraph(
            _("Bygget fra registreringer i adgangskontrollen; tidene kan ikke endres."),
            small,
        ),
        Spacer(1, 5 * mm),
    ]
    rows = [
        [
            _("Navn"),
            _("Fødselsdato"),
            _("HMS-kortnummer"),
            _("Arbeidsgiver"),
            _("Inn"),
            _("Ut"),
        ]
    ]
    for line in lines:
        rows.append(
            [
                Paragraph(line.name, small),
                line.birth_date.strftime("%d.%m.%Y") if line.birth_date else "",
                line.card_number,
                Paragraph(f"{line.employer_name} ({line.employer_orgnr})", small),
                Paragraph(_times(line.ins), small),
                Paragraph(_times(line.outs), small),
            ]
        )
    if len(rows) == 1:
        rows.append([_("Ingen registrerte passeringer denne dagen."), "", "", "", "", ""])
    table = Table(
        rows,
        colWidths=[55 * mm, 25 * mm, 30 * mm, 75 * mm, 40 * mm, 40 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
