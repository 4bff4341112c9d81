"""The statistics figures as charts (shared by the pages and the monthly PDF)."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hmskort.eligibility.industries import INDUSTRIES
from hmskort.eligibility.reasons import public_text

from . import statistics as st
from .charts import Chart
from .scope import SIZE_BANDS


def _month_label(day: dt.date) -> str:
    return date_format(day, "M Y")


def statistics_charts(*, today: dt.date) -> dict:
    """-> {"charts": [Chart, ...], "checks_available": bool, "reasons": [(code, n)]}"""
    active = st.active_cards_by_type(today=today)
    orders = st.orders_per_month(today=today)
    waited = st.time_to_effectuated(today=today)
    coverage = st.coverage_by_size_band()
    checks = st.checks_per_day(today=today)

    months = [_month_label(m) for m in active["months"]]
    charts = [
        Chart(
            title=_("Gyldige HMS-kort per korttype"),
            desc=_(
                "Antall gyldige kort ved utgangen av hver måned de siste 12 månedene, per korttype."
            ),
            categories=months,
            series=[(code, values) for code, values in active["series"].items()],
            kind="line",
            category_header=_("Måned"),
        ),
        Chart(
            title=_("Bestillinger og avslag per måned"),
            desc=_("Antall bestilte kort og antall avslåtte bestillinger per måned."),
            categories=[_month_label(m) for m in orders["months"]],
            series=[(_("Bestillinger"), orders["orders"]), (_("Avslag"), orders["rejections"])],
            category_header=_("Måned"),
        ),
        Chart(
            title=_("Avslagsårsaker"),
            desc=_("Hvor mange avslag hver årsakskode stod bak de siste 12 månedene."),
            categories=[code for code, _n in orders["reasons"][:10]],
            series=[(_("Avslag"), [n for _c, n in orders["reasons"][:10]])],
            category_header=_("Årsakskode"),
        ),
        Chart(
            title=_("Tid fra bestilling til effektuert"),
            desc=_(
                "Gjennomsnittlig antall dager fra bestilling til kortet gikk i produksjon, per måned."
            ),
            categories=[_month_label(m) for m in waited["months"]],
            series=[(_("Dager i snitt"), waited["days"])],
            kind="line",
            unit=_("dager"),
            category_header=_("Måned"),
        ),
        Chart(
            title=_("Andel foretak med minst ett HMS-kort"),
            desc=_(
                "Prosent av aktive foretak i hver bransje med minst ett gyldig HMS-kort, etter "
                "antall ansatte i Enhetsregisteret (som figur 4.2 i evalueringen)."
            ),
            categories=[str(label) for _c, label, _lo, _hi in SIZE_BANDS],
            series=[
                (
                    INDUSTRIES[code].name() if code in INDUSTRIES else code,
                    [round(100 * c / n, 1) if n else 0.0 for c, n in pairs],
                )
                for code, pairs in coverage["industries"].items()
            ],
            unit="%",
            category_header=_("Antall ansatte"),
        ),
    ]
    checks_chart = Chart(
        title=_("Statuskontroller per dag etter kanal"),
        desc=_("Antall kontroller av HMS-kort per dag de siste 30 dagene, per kanal."),
        categories=[date_format(d, "d.m") for d in checks.days],
        series=list(checks.series.items()),
        kind="line",
        category_header=_("Dag"),
    )
    charts.append(checks_chart)
    reason_texts = [(code, public_text(code), n) for code, n in orders["reasons"]]
    return {
        "charts": charts,
        "checks_chart": checks_chart,
        "checks_has_data": checks.has_data,
        "checks_available": checks.available,
        "reasons": reason_texts,
        "coverage": coverage,
    }
