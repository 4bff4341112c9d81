"""The monthly statistics report as PDF (reportlab): the same figures as the pages."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .charts import PALETTE, Chart
from .figures import statistics_charts
from .statistics import add_months


def _table(headers, rows, col_widths=None) -> Table:
    table = Table([headers, *rows], repeatRows=1, hAlign="LEFT", colWidths=col_widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _bar_drawing(chart: Chart) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    bars = VerticalBarChart()
    bars.x, bars.y = 30, 20
    bars.width, bars.height = 160 * mm - 30, 50 * mm - 20
    bars.data = [list(values) or [0] for _name, values in chart.series] or [[0]]
    bars.categoryAxis.categoryNames = [str(c) for c in chart.categories] or [""]
    bars.categoryAxis.labels.fontSize = 6
    bars.valueAxis.labels.fontSize = 6
    bars.valueAxis.valueMin = 0
    for i in range(len(bars.data)):
        bars.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
    drawing.add(bars)
    drawing.add(String(0, 60 * mm - 8, chart.title, fontSize=8, fontName="Helvetica-Bold"))
    return drawing


def monthly_report_pdf(*, month: dt.date) -> bytes:
    """The report for `month` (figures up to the end of that month)."""
    last_day = add_months(month.replace(day=1), 1) - dt.timedelta(days=1)
    data = statistics_charts(today=last_day)
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("HMS-kort: månedsrapport %(month)s") % {"month": month.strftime("%Y-%m")},
        author="HMS-kort",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    story = [
        Paragraph(
            _("HMS-kort: månedsrapport %(month)s") % {"month": month.strftime("%m.%Y")},
            styles["Title"],
        ),
        Paragraph(
            _("Tall til og med %(day)s.") % {"day": last_day.strftime("%d.%m.%Y")},
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    for chart in data["charts"]:
        story.append(Paragraph(chart.title, styles["Heading2"]))
        story.append(Paragraph(chart.desc, styles["Normal"]))
        if chart.empty:
            story.append(Paragraph(_("Ingen data ennå."), styles["Italic"]))
            story.append(Spacer(1, 4 * mm))
            continue
        if chart.kind == "bar":
            story.append(_bar_drawing(chart))
        story.append(_table(chart.table_headers, chart.table_rows))
        story.append(Spacer(1, 5 * mm))
    if data["reasons"]:
        story.append(Paragraph(_("Avslagsårsaker forklart"), styles["Heading2"]))
        story.append(
            _table(
                [_("Årsakskode"), _("Forklaring"), _("Avslag")],
                [
                    [code, Paragraph(text, styles["BodyText"]), n]
                    for code, text, n in data["reasons"]
                ],
                col_widths=[55 * mm, 100 * mm, 18 * mm],
            )
        )
    doc.build(story)
    return buffer.getvalue()
