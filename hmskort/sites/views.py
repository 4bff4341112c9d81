"""Site pages: the main contractor's (portal) and the inspector's. Thin: forms in,
services/selectors do the work. Crew lists and working hours are personal data:
every view and export is audit-logged, one row per person shown."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hmskort.core.audit import audit_record_many
from hmskort.core.errors import ApplicationError
from hmskort.core.models import AuditEvent
from hmskort.events.services import subscriber_create
from hmskort.identity.access import company_access_required
from hmskort.sites import selectors, services
from hmskort.sites.forms import (
    ChipForm,
    CompanyAddForm,
    DayForm,
    PeriodForm,
    ReaderForm,
    SiteForm,
    SubscriberForm,
)
from hmskort.sites.models import GateReader, Site
from hmskort.verification.permissions import inspector_required


def _site_or_404(orgnr: str, site_id: int) -> Site:
    site = selectors.site_of_owner(orgnr, site_id)
    if site is None:
        raise Http404("No such site")
    return site


def _audit(
    request: HttpRequest,
    *,
    actor_type: str,
    action: str,
    site: Site,
    holder_ids,
    detail: dict,
) -> None:
    """One audit row per person shown (the holder can see who looked), or one for an empty list."""
    actor = getattr(request, "pid", None) or request.user.get_username()
    ids = sorted(set(holder_ids)) or [""]
    audit_record_many(
        AuditEvent(
            actor_type=actor_type,
            actor=actor,
            action=action,
            object_type="sites.site",
            object_id=str(site.pk),
            subject_id=hid,
            purpose="oversiktsliste" if action.startswith("crew") else "arbeidstid",
            detail=detail,
        )
        for hid in ids
    )


# --- the main contractor (portal) ------------------------------------------------------


@company_access_required
def site_list(request: HttpRequest, orgnr: str) -> HttpResponse:
    sites = selectors.sites_of_owner(orgnr)
    return render(request, "sites/site_list.html", {"nav": "sites", "sites": sites})


@company_access_required
@require_http_methods(["GET", "POST"])
def site_create_view(request: HttpRequest, orgnr: str) -> HttpResponse:
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            site = services.site_create(
                owner_orgnr=orgnr,
                owner_name=request.company.name,
                name=data["name"],
                address=data["address"],
                builder_name=data["builder_name"],
                builder_orgnr=data["builder_orgnr"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                required_industry=data["required_industry"],
                anti_passback_minutes=data["anti_passback_minutes"],
                created_by=request.pid,
            )
        except ApplicationError as exc:
            for name, text in (exc.extra.get("fields") or {}).items():
                form.add_error(name if name in form.fields else None, text)
            if not exc.extra.get("fields"):
                form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Byggeplassen «%(name)s» er registrert.") % {"name": site.name}
            )
            return redirect("sites:site", orgnr=orgnr, site_id=site.pk)
    return render(request, "sites/site_form.html", {"nav": "sites", "form": form})


def _detail_context(site: Site, **extra) -> dict:
    return {
        "nav": "sites",
        "site": site,
        "companies": selectors.site_companies(site),
        "readers": selectors.site_readers(site),
        "subscribers": list(site.subscribers.order_by("name")),
        "company_form": CompanyAddForm(),
        "reader_form": ReaderForm(),
        "chip_form": ChipForm(),
        "subscriber_form": SubscriberForm(),
        "today": timezone.localdate(),
        **extra,
    }


@company_access_required
def site_detail(request: HttpRequest, orgnr: str, site_id: int) -> HttpResponse:
    site = _site_or_404(orgnr, site_id)
    return render(request, "sites/site_detail.html", _detail_context(site))


@company_access_required
@require_POST
def site_company_add_view(request: HttpRequest, orgnr: str, site_id: int) -> HttpResponse:
    site = _site_or_404(orgnr, site_id)
    form = CompanyAddForm(request.POST)
    if form.is_valid():
        try:
            entry = services.site_company_add(
                site=site, orgnr=form.cleaned_data["orgnr"], added_by=request.pid
            )
        except ApplicationError as exc:
            form.add_error("orgnr", exc.message)
        else:
            messages.success(
                request, _("%(name)s er lagt til på byggeplassen.") % {"name": entry.name}
            )
            return redirect("sites:site", orgnr=orgnr, site_id=site.pk)
    return render(
        request, "sites/site_detail.html", _detail_context(site, company_form=form), status=422
    )


@company_access_required
@require_POST
def site_company_remove_view(
    request: HttpRequest, orgnr: str, site_id: int, company_orgnr: str
) -> HttpResponse:
    site = _site_or_404(orgnr, site_id)
    try:
        services.site_company_remove(site=site, orgnr=company_orgnr)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Virksomheten er fjernet fra byggeplassen."))
    return redirect("sites:site", orgnr=orgnr, site_id=site.pk)


@company_access_required(role_required=True)
@require_POST
def reader_create_view(request: HttpRequest, orgnr: str, site_id: int) -> HttpResponse:
    site = _site_or_404(orgnr, site_id)
    form = ReaderForm(request.POST)
    if not form.is_valid():
        return render(
            request, "sites/site_detail.html", _detail_context(site, reader_form=form), status=422
        )
    creds = services.gate_reader_create(
        site=site, name=form.cleaned_data["name"], created_by=request.pid
    )
    response = render(
        request,
        "sites/credentials.html",
        {
            "nav": "sites",
            "site": site,
            "kind": "reader",
            "name": creds.reader.name,
            "client_id": creds.client_id,
            "secret": creds.client_secret,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@company_access_required(role_required=True)
@require_POST
def reader_deactivate_view(
    request: HttpRequest, orgnr: str, site_id: int, reader_id: int
) -> HttpResponse:
    site = _site_or_404(orgnr, site_id)
    reader = GateReader.objects.filter(site=site, pk=reader_id).first()
    if reader is None:
        raise Http404("No such reader")
    services.gate_reader_deactivate(reader=reader, actor=request.pid)
    messages.success(request, _("Portleseren er deaktivert."))
    return redirect("sites:site", orgnr=orgnr, site_id=site.pk)


@company_access_required
@require_POST
def chip_register_view(request: HttpRequest, orgnr: str, site_id: int) -> HttpResponse:
    site = _site_or_404(orgnr, site_id)
    form = ChipForm(request.POST)
    if form.is_valid():
        from hmskort.cards.models import Card
        from hmskort.cards.numbers import normalize_card_number

        number = normalize_card_number(form.cleaned_data["card_number"])
        on_site = site.companies.values_list("orgnr", flat=True)
        if not Card.objects.filter(card_number=number, employer_orgnr__in=on_site).exists():
            form.add_error(
                "card_number",
                _("Fant ikke kortet hos en virksomhet på byggeplassen."),
            )
        else:
            try:
                services.chip_code_register(
                    code=form.cleaned_data["code"], card_number=number, registered_by=request.pid
                )
            except ApplicationError as exc:
                form.add_error("code", exc.message)
            else:
                messages.success(request, _("Brikken er registrert på kortet."))
                return redirect("sites:site", orgnr=orgnr, site_id=site.pk)
    return render(
        request, "sites/site_detail.html", _detail_context(site, chip_form=form), status=422
    )


@company_access_required(role_required=True)
@require_POST
def subscriber_create_view(request: HttpRequest, orgnr: str, site_id: int) -> HttpResponse:
    site = _site_or_404(orgnr, site_id)
    form = SubscriberForm(request.POST)
    if form.is_valid():
        try:
            sub, secret = subscriber_create(
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                site_ids=[site.pk],
                owner_orgnr=orgnr,
                created_by=request.pid,
            )
        except ApplicationError as exc:
            form.add_error("url", exc.message)
        else:
            response = render(
                request,
                "sites/credentials.html",
                {
                    "nav": "sites",
                    "site": site,
                    "kind": "webhook",
                    "name": sub.name,
                    "secret": secret,
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request, "sites/site_detail.html", _detail_context(site, subscriber_form=form), status=422
    )


# --- crew list and working hours (owner and inspector) -----------------------------


def _crew_csv(site: Site, day: dt.date, lines) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="oversiktsliste-{site.pk}-{day}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Navn"),
            _("Fødselsdato"),
            _("HMS-kortnummer"),
            _("Arbeidsgiver"),
            _("Organisasjonsnummer"),
            _("Inn"),
            _("Ut"),
        ]
    )
    tz = timezone.get_current_timezone()
    for line in lines:
        writer.writerow(
            [
                line.name,
                line.birth_date.isoformat() if line.birth_date else "",
                line.card_number,
                line.employer_name,
                line.employer_orgnr,
                " ".join(t.astimezone(tz).strftime("%H:%M") for t in line.ins),
                " ".join(t.astimezone(tz).strftime("%H:%M") for t in line.outs),
            ]
        )
    return response


def _crew(
    request: HttpRequest, site: Site, *, fmt: str, actor_type: str, base: str
) -> HttpResponse:
    day = DayForm(request.GET).day()
    lines = selectors.crew_list(site, day)
    _audit(
        request,
        actor_type=actor_type,
        action="crew_list_view" if fmt == "html" else "crew_list_export",
        site=site,
        holder_ids=[line.holder_id for line in lines],
        detail={"day": day.isoformat(), "format": fmt, "rows": len(lines)},
    )
    if fmt == "csv":
        return _crew_csv(site, day, lines)
    if fmt == "pdf":
        from hmskort.sites.pdf import crew_list_pdf

        response = HttpResponse(crew_list_pdf(site, day, lines), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="oversiktsliste-{site.pk}-{day}.pdf"'
        )
        response["Cache-Control"] = "no-store"
        return response
    response = render(
        request,
        "sites/crew_list.html",
        {
            "nav": "sites",
            "site": site,
            "day": day,
            "lines": lines,
            "form": DayForm(initial={"dag": day}),
            "base": base,
            "inspector": actor_type == "inspector",
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _hours(request: HttpRequest, site: Site, *, actor_type: str, base: str) -> HttpResponse:
    form = PeriodForm(request.GET)
    start, end = form.period(selectors.MAX_HOURS_DAYS)
    workers = selectors.working_hours(site, start, end)
    _audit(
        request,
        actor_type=actor_type,
        action="working_hours_view",
        site=site,
        holder_ids=[w.holder_id for w in workers],
        detail={"from": start.isoformat(), "to": end.isoformat(), "rows": len(workers)},
    )
    response = render(
        request,
        "sites/hours.html",
        {
            "nav": "sites",
            "site": site,
            "start": start,
            "end": end,
            "workers": workers,
            "form": PeriodForm(initial={"fra": start, "til": end}),
            "base": base,
            "inspector": actor_type == "inspector",
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@company_access_required
def crew_list_view(request: HttpRequest, orgnr: str, site_id: int, fmt: str = "html"):
    site = _site_or_404(orgnr, site_id)
    base = "portal/base.html"
    return _crew(request, site, fmt=fmt, actor_type="user", base=base)


@company_access_required
def hours_view(request: HttpRequest, orgnr: str, site_id: int) -> HttpResponse:
    site = _site_or_404(orgnr, site_id)
    return _hours(request, site, actor_type="user", base="portal/base.html")


# --- inspectors ------------------------------------------------------------------------


@inspector_required
def inspector_sites(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    sites = selectors.sites_search(query) if query else selectors.sites_search("", limit=50)
    return render(request, "sites/inspector_sites.html", {"sites": sites, "query": query})


def _any_site_or_404(site_id: int) -> Site:
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise Http404("No such site")
    return site


@inspector_required
def inspector_crew_list(request: HttpRequest, site_id: int, fmt: str = "html") -> HttpResponse:
    site = _any_site_or_404(site_id)
    return _crew(request, site, fmt=fmt, actor_type="inspector", base="base.html")


@inspector_required
def inspector_hours(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _any_site_or_404(site_id)
    return _hours(request, site, actor_type="inspector", base="base.html")
