"""Login/logout pages, the company chooser and delegations (thin: parse, call, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc.views import OIDCLogoutView

from hmskort.core.errors import ApplicationError
from hmskort.identity import selectors, services
from hmskort.identity.access import (
    SESSION_COMPANY_KEY,
    companies_for_person,
    company_access,
    company_access_required,
    pid_of,
)
from hmskort.identity.forms import DelegationForm

# Which service error belongs to which form field.
_FIELD_OF_ERROR = {
    "invalid_identifier": "delegate_pid",
    "person_not_found": "delegate_pid",
    "not_employed": "delegate_pid",
    "delegation_exists": "delegate_pid",
    "invalid_period": "valid_from",
}


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["GET"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.user.is_authenticated and pid_of(request.user):
        return HttpResponseRedirect(next_url or reverse("identity:choose_company"))
    start = reverse("identity:oidc_authenticate")
    if next_url:
        from urllib.parse import urlencode

        start = f"{start}?{urlencode({'next': next_url})}"
    return render(
        request,
        "identity/login.html",
        {"start_url": start, "failed": "feil" in request.GET},
    )


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """POST ends the portal session, then the provider's (RP-initiated logout).
    GET asks for confirmation (a logout must not happen on a prefetch or a link)."""
    if request.method == "POST":
        view = OIDCLogoutView()
        view.setup(request)
        response = view.post(request)
        # The digital card keeps codes and the photo offline; a logout on a shared
        # phone must leave nothing behind.
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
    if not request.user.is_authenticated:
        return redirect("identity:logged_out")
    return render(request, "identity/logout.html")


def logged_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("identity:choose_company")
    return render(request, "identity/logged_out.html")


def company_start_url(orgnr: str) -> str:
    """Where choosing a company leads: the portal's home for it."""
    try:
        return reverse("portal:company_home", kwargs={"orgnr": orgnr})
    except NoReverseMatch:
        return reverse("identity:delegations", kwargs={"orgnr": orgnr})


@login_required
@require_http_methods(["GET", "POST"])
def choose_company(request: HttpRequest) -> HttpResponse:
    pid = pid_of(request.user)
    today = timezone.localdate()
    if request.method == "POST":
        orgnr = request.POST.get("orgnr", "")
        access = company_access(pid, orgnr, today=today)
        if access is None:
            messages.error(request, _("Du har ikke tilgang til denne virksomheten."))
            return redirect("identity:choose_company")
        request.session[SESSION_COMPANY_KEY] = access.orgnr
        return HttpResponseRedirect(company_start_url(access.orgnr))
    companies = companies_for_person(pid, today=today) if pid else []
    return render(
        request,
        "identity/choose_company.html",
        {
            "companies": companies,
            "current_orgnr": request.session.get(SESSION_COMPANY_KEY, ""),
        },
    )


@company_access_required
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest, orgnr: str) -> HttpResponse:
    today = timezone.localdate()
    company = request.company
    form = DelegationForm(initial={"valid_from": today})
    status = 200
    if request.method == "POST":
        if not company.is_role_holder:
            return _forbidden(request)
        form = DelegationForm(request.POST)
        if form.is_valid():
            try:
                delegation = services.delegation_grant(
                    orgnr=company.orgnr,
                    delegate_pid=form.cleaned_data["delegate_pid"],
                    valid_from=form.cleaned_data["valid_from"],
                    valid_to=form.cleaned_data["valid_to"],
                    granted_by_pid=request.pid,
                    today=today,
                )
            except ApplicationError as exc:
                form.add_error(_FIELD_OF_ERROR.get(exc.code), exc.message)
            else:
                messages.success(
                    request,
                    _("{name} har fått fullmakt til og med {date}.").format(
                        name=delegation.delegate_name,
                        date=delegation.valid_to.strftime("%d.%m.%Y"),
                    ),
                )
                return redirect("identity:delegations", orgnr=company.orgnr)
        status = 400
    return render(
        request,
        "identity/delegations.html",
        {
            "company": company,
            "form": form,
            "delegations": selectors.delegations_for_company(company.orgnr, today=today),
            "today": today,
        },
        status=status,
    )


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/forbidden.html", {"company": request.company}, status=403)


@company_access_required
@require_POST
def delegation_revoke(request: HttpRequest, orgnr: str, delegation_id: int) -> HttpResponse:
    if not request.company.is_role_holder:
        return _forbidden(request)
    try:
        delegation = services.delegation_revoke(
            orgnr=request.company.orgnr,
            delegation_id=delegation_id,
            revoked_by_pid=request.pid,
            today=timezone.localdate(),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Fullmakten til {name} er trukket tilbake.").format(name=delegation.delegate_name),
        )
    return redirect("identity:delegations", orgnr=request.company.orgnr)
