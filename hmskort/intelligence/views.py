"""Inspector and staff pages: risk list, statistics, follow-up registers.

Thin: parse, call a selector, render. Every view and export is audit-logged.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hmskort.core.audit import audit_record
from hmskort.eligibility.industries import INDUSTRIES
from hmskort.verification.permissions import is_inspector

from .figures import statistics_charts
from .followup import cleaning_approval_followup, vat_self_declarations
from .permissions import inspector_required, staff_required
from .report import monthly_report_pdf
from .risk import PATTERN_TITLES, Pattern, risk_list
from .scope import COUNTIES, SIZE_BANDS, CompanyFilters, county_name, size_band_label
from .statistics import add_months

#: Rows shown on the page (the CSV has them all).
PAGE_ROWS = 200
RISK_PURPOSE = "risikobasert tilsyn"


def _today() -> dt.date:
    return timezone.localdate()


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _audit(request: HttpRequest, *, action: str, object_type: str, actor_type="staff", **kw):
    audit_record(
        actor_type=actor_type,
        actor=request.user.get_username(),
        action=action,
        object_type=object_type,
        **kw,
    )


def _filters(request: HttpRequest) -> tuple[CompanyFilters, str]:
    county = request.GET.get("county", "").strip()
    industry = request.GET.get("industry", "").strip().upper()
    band = request.GET.get("size_band", "").strip()
    pattern = request.GET.get("pattern", "").strip()
    return (
        CompanyFilters(
            county=county if county in COUNTIES else "",
            industry=industry if industry in INDUSTRIES else "",
            size_band=band if band in {b for b, *_r in SIZE_BANDS} else "",
        ),
        pattern if pattern in {p.value for p in Pattern} else "",
    )


def _month(request: HttpRequest) -> dt.date:
    raw = request.GET.get("month", "").strip()
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return add_months(_today().replace(day=1), -1)  # last complete month


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    return _private(
        render(request, "intelligence/index.html", {"is_inspector": is_inspector(request.user)})
    )


@inspector_required
def risk_list_view(request: HttpRequest) -> HttpResponse:
    filters, pattern = _filters(request)
    result = risk_list(today=_today(), filters=filters, pattern=pattern, limit=PAGE_ROWS)
    _audit(
        request,
        action="view",
        object_type="intelligence.risk_list",
        actor_type="inspector",
        purpose=RISK_PURPOSE,
        detail={**filters.as_dict(), "pattern": pattern, "rows": result.total},
    )
    query = request.GET.urlencode()
    return _private(
        render(
            request,
            "intelligence/risk_list.html",
            {
                "result": result,
                "filters": filters,
                "pattern": pattern,
                "counties": sorted(COUNTIES.items()),
                "industries": [(c, i.name()) for c, i in INDUSTRIES.items()],
                "size_bands": [(b, str(label)) for b, label, *_r in SIZE_BANDS],
                "patterns": [(p.value, str(t)) for p, t in PATTERN_TITLES.items()],
                "county_name": county_name,
                "query": query,
                "page_rows": PAGE_ROWS,
            },
        )
    )


@inspector_required
def risk_list_csv(request: HttpRequest) -> HttpResponse:
    filters, pattern = _filters(request)
    result = risk_list(today=_today(), filters=filters, pattern=pattern)
    _audit(
        request,
        action="export",
        object_type="intelligence.risk_list",
        actor_type="inspector",
        purpose=RISK_PURPOSE,
        detail={**filters.as_dict(), "pattern": pattern, "rows": result.total},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="risikoliste-{_today().isoformat()}.csv"'
    )
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "rang",
            "organisasjonsnummer",
            "navn",
            "poengsum",
            "monstre",
            "forklaring",
            "naeringskoder",
            "kommunenummer",
            "fylke",
            "ansatte_enhetsregisteret",
            "ansatte_aa_oar",
            "gyldige_kort",
        ]
    )
    for rank, row in enumerate(result.rows, start=1):
        writer.writerow(
            [
                rank,
                row.orgnr,
                row.name,
                row.score,
                " ".join(row.patterns),
                " | ".join(f"{s.title}: {s.explanation}" for s in row.signals),
                " ".join(row.nace_codes),
                row.kommunenummer,
                county_name(row.county),
                row.registered_employees,
                row.employees,
                row.valid_cards,
            ]
        )
    return _private(response)


@staff_required
def statistics_view(request: HttpRequest) -> HttpResponse:
    today = _today()
    data = statistics_charts(today=today)
    _audit(request, action="view", object_type="intelligence.statistics")
    last_month = add_months(today.replace(day=1), -1)
    return _private(
        render(
            request,
            "intelligence/statistics.html",
            {
                **data,
                "report_month": last_month.strftime("%Y-%m"),
                "size_band_label": size_band_label,
            },
        )
    )


@staff_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    pdf = monthly_report_pdf(month=month)
    _audit(
        request,
        action="export",
        object_type="intelligence.monthly_report",
        object_id=month.strftime("%Y-%m"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="hmskort-maanedsrapport-{month.strftime("%Y-%m")}.pdf"'
    )
    return _private(response)


@staff_required
def followup_view(request: HttpRequest) -> HttpResponse:
    rows = cleaning_approval_followup(today=_today())
    _audit(request, action="view", object_type="intelligence.followup")
    return _private(
        render(
            request,
            "intelligence/followup.html",
            {
                "ready": [r for r in rows if r.ready],
                "waiting": [r for r in rows if not r.ready],
                "default_month": _month(request).strftime("%Y-%m"),
            },
        )
    )


@staff_required
def vat_export(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    rows = vat_self_declarations(month=month)
    _audit(
        request,
        action="export",
        object_type="intelligence.vat_self_declarations",
        object_id=month.strftime("%Y-%m"),
        purpose="rapport til Skatteetaten",
        detail={"rows": len(rows)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="mva-egenerklaeringer-{month.strftime("%Y-%m")}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "organisasjonsnummer",
            "navn",
            "organisasjonsform",
            "erklaert_dato",
            "trukket_dato",
            "status",
            "gyldige_hms_kort",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.orgnr,
                r.name,
                r.organisation_form,
                r.declared_on.isoformat(),
                r.withdrawn_on.isoformat() if r.withdrawn_on else "",
                r.status,
                r.valid_cards,
            ]
        )
    return _private(response)
