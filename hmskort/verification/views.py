"""Verification pages: public status, QR page, JWKS, supplier check, inspector tools.

Thin: parse, call a selector or service, render. Public pages show only what
their audience may see (see `selectors`); inspector pages are audit-logged.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hmskort.cards.models import Card
from hmskort.cards.numbers import is_valid_card_number, normalize_card_number
from hmskort.cards.qr import card_from_live_qr_token, card_from_qr_token
from hmskort.cards.services.lifecycle import CONFISCABLE_STATES
from hmskort.core.errors import ApplicationError
from hmskort.core.signing import TokenExpired, TokenInvalid, jwks
from hmskort.receipts.abuse import LookupThrottled
from hmskort.receipts.record import check_record
from hmskort.verification.forms import (
    CardNumberForm,
    InspectorActionForm,
    InspectorLookupForm,
    OrgnrForm,
)
from hmskort.verification.permissions import inspector_required
from hmskort.verification.ratelimit import client_ip, rate_limit_hit
from hmskort.verification.selectors import (
    inspector_card_view,
    public_card_lookup,
    qr_card_lookup,
    supplier_overview,
)
from hmskort.verification.services import (
    EMPLOYMENT_REMOVABLE_STATES,
    inspector_card_confiscate,
    inspector_employment_remove,
    inspector_lookup_record,
)


def _today() -> dt.date:
    return timezone.localdate()


def _private(response: HttpResponse, *, referrer_policy: str = "same-origin") -> HttpResponse:
    """Pages with personal data: never cached, never indexed, no Referer to other sites.

    The QR page (its URL holds the token) sends no Referer at all; pages with
    forms keep "same-origin": with "no-referrer" Chromium sends `Origin: null`
    on the form's POST and Django's CSRF check refuses it."""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _rate_limited(request: HttpRequest, *, scope: str) -> HttpResponse | None:
    result = rate_limit_hit(scope=scope, client=client_ip(request))
    if result.allowed:
        return None
    return _throttled(request, result.retry_after)


def _throttled(request: HttpRequest, retry_after: int) -> HttpResponse:
    template = (
        "verification/_rate_limited.html" if request.htmx else "verification/rate_limited.html"
    )
    response = render(
        request,
        template,
        {"retry_after": retry_after, "retry_minutes": -(-retry_after // 60)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


# --- public ---------------------------------------------------------------------


@require_GET
def jwks_view(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(jwks())
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def status_view(request: HttpRequest) -> HttpResponse:
    """Public status by card number: status and company, nothing personal."""
    lookup = check_id = None
    if "kortnummer" in request.GET:
        form = CardNumberForm(request.GET)
        if form.is_valid():  # well-formed: this look-up reads the database and is counted
            limited = _rate_limited(request, scope="status")
            if limited is not None:
                return limited
            lookup = public_card_lookup(form.cleaned_data["kortnummer"], today=_today())
            try:
                check_id = check_record(
                    channel="public", card_number=lookup.number, card=lookup.card, request=request
                )
            except LookupThrottled as exc:
                return _throttled(request, exc.retry_after)
    else:
        form = CardNumberForm()
    context = {"form": form, "lookup": lookup, "check_id": check_id}
    template = "verification/_status_result.html" if request.htmx else "verification/status.html"
    return render(request, template, context)


@require_GET
def qr_view(request: HttpRequest, token: str) -> HttpResponse:
    """The page a card's QR code opens: status, company, the holder's name and photo."""
    context: dict = {"error": "", "card": None, "card_number": ""}
    status = 200
    try:
        number, claims = card_from_qr_token(token)
    except TokenExpired as exc:
        context.update(
            error="expired",
            temporary=bool(exc.claims.get("tmp")),
            card_number=str(exc.claims.get("cn", "")),
        )
        status = 410
    except TokenInvalid:
        context["error"] = "invalid"
        status = 400
    else:
        card = qr_card_lookup(number, today=_today(), temporary=bool(claims.get("tmp")))
        if card is None:
            context.update(error="unknown", card_number=number)
            status = 404
        else:
            context["card"] = card
            context["check_id"] = check_record(
                channel="qr", card_number=number, card=card, request=request
            )
    return _private(
        render(request, "verification/qr.html", context, status=status),
        referrer_policy="no-referrer",
    )


@require_GET
def supplier_view(request: HttpRequest) -> HttpResponse:
    """Supplier check by organisation number: registrations, approvals, card counts."""
    overview = None
    if "orgnr" in request.GET:
        form = OrgnrForm(request.GET)
        if form.is_valid():
            limited = _rate_limited(request, scope="supplier")
            if limited is not None:
                return limited
            overview = supplier_overview(form.cleaned_data["orgnr"], today=_today())
    else:
        form = OrgnrForm()
    context = {"form": form, "overview": overview}
    template = (
        "verification/_supplier_result.html" if request.htmx else "verification/supplier.html"
    )
    return render(request, template, context)


# --- inspectors -------------------------------------------------------------------


def _token_from(query: str) -> str | None:
    """The QR token in what an inspector pasted (the token or the whole URL), if any."""
    text = query.strip()
    if "/qr/" in text:
        text = text.rsplit("/qr/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/")
        text = text.removeprefix("live/")  # the digital card's live code
    return text if text.count(".") == 2 else None


def _card_from_any_qr_token(token: str) -> tuple[str, dict]:
    """A printed card's token, or else a digital card's live one (same errors)."""
    try:
        return card_from_qr_token(token)
    except TokenInvalid:
        return card_from_live_qr_token(token)


def _card_url(number: str, purpose: str, **extra) -> str:
    query = urlencode({"formal": purpose, **extra})
    return f"{reverse('verification:inspector_card', kwargs={'number': number})}?{query}"


def _render_card(
    request: HttpRequest, number: str, *, purpose: str, via: str, reveal: bool = False
) -> HttpResponse | None:
    view = inspector_card_view(number, today=_today())
    if view is None:
        return None
    inspector_lookup_record(
        inspector=request.user,
        card=view.card,
        purpose=purpose,
        via=via,
        identifier_revealed=reveal,
    )
    context = {
        "check_id": check_record(
            channel="inspector", card_number=view.card.card_number, card=view.card, request=request
        ),
        "view": view,
        "purpose": purpose,
        "reveal": reveal,
        "reveal_url": _card_url(view.card.card_number, purpose, vis="fnr"),
        "confiscate_form": InspectorActionForm(prefix="inndra"),
        "remove_form": InspectorActionForm(prefix="fjern"),
        "can_confiscate": view.card.state in CONFISCABLE_STATES,
        "can_remove_employment": view.card.state in EMPLOYMENT_REMOVABLE_STATES,
        "agencies": request.inspector_agencies,
    }
    return _private(render(request, "verification/inspector_card.html", context))


@require_GET
@inspector_required
def inspector_search_view(request: HttpRequest) -> HttpResponse:
    """Look up a card by number or QR code; the purpose is required and logged."""
    if "sok" not in request.GET:
        form = InspectorLookupForm(initial={"formal": request.GET.get("formal", "")})
        return _private(render(request, "verification/inspector_search.html", {"form": form}))
    form = InspectorLookupForm(request.GET)
    if form.is_valid():
        query, purpose = form.cleaned_data["sok"], form.cleaned_data["formal"].strip()
        token = _token_from(query)
        via, number = "card_number", normalize_card_number(query)
        if token is not None:
            try:
                number, _claims = _card_from_any_qr_token(token)
                via = "qr"
            except TokenExpired as exc:  # genuine but expired: the inspector may still look
                number, via = str(exc.claims.get("cn", "")), "qr_expired"
            except TokenInvalid:
                form.add_error("sok", _("QR-koden er ikke gyldig (forfalsket eller skadet)."))
        elif not is_valid_card_number(number):
            form.add_error(
                "sok",
                _(
                    "Dette er ikke et gyldig kortnummer. Et kortnummer har ti sifre; "
                    "kontroller at du har skrevet det riktig."
                ),
            )
        if form.is_valid():
            response = _render_card(request, number, purpose=purpose, via=via)
            if response is not None:
                return response
            form.add_error("sok", _("Fant ikke kortet."))
    return _private(
        render(request, "verification/inspector_search.html", {"form": form}, status=200)
    )


@require_GET
@inspector_required
def inspector_card_view_page(request: HttpRequest, number: str) -> HttpResponse:
    purpose = request.GET.get("formal", "").strip()
    if not purpose:
        form = InspectorLookupForm(initial={"sok": number})
        return _private(
            render(
                request,
                "verification/inspector_search.html",
                {"form": form, "purpose_missing": True},
            )
        )
    response = _render_card(
        request, number, purpose=purpose, via="card_number", reveal=request.GET.get("vis") == "fnr"
    )
    if response is None:
        messages.error(request, _("Fant ikke kortet."))
        return HttpResponseRedirect(reverse("verification:inspector_search"))
    return response


def _card_action(
    request: HttpRequest, number: str, service, success: str, *, prefix: str
) -> HttpResponse:
    form = InspectorActionForm(request.POST, prefix=prefix)
    purpose = request.POST.get(f"{prefix}-formal", "").strip()
    card = (
        Card.objects.filter(card_number=normalize_card_number(number)).first()
        if is_valid_card_number(number)
        else None
    )
    if card is None:
        messages.error(request, _("Fant ikke kortet."))
        return HttpResponseRedirect(reverse("verification:inspector_search"))
    if not form.is_valid():
        messages.error(request, _("Oppgi både begrunnelse og formål."))
    else:
        try:
            service(
                card=card,
                inspector=request.user,
                note=form.cleaned_data["begrunnelse"],
                purpose=form.cleaned_data["formal"],
            )
        except ApplicationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, success)
    if not purpose:
        return HttpResponseRedirect(reverse("verification:inspector_search"))
    return HttpResponseRedirect(_card_url(card.card_number, purpose))


def _error_text(exc: ApplicationError) -> str:
    texts = {
        "card_not_confiscable": _(
            "Kortet er gyldig og kan ikke inndras. Bare ugyldige, utløpte eller sperrede kort "
            "kan inndras."
        ),
        "illegal_transition": _(
            "Kortet kan ikke inndras i denne statusen. Bare ugyldige, utløpte eller sperrede "
            "kort kan inndras."
        ),
        "card_already_confiscated": _("Kortet er allerede inndratt."),
        "employment_not_removable": _(
            "Arbeidsforholdet kan bare fjernes fra et utstedt kort som er gyldig eller ugyldig, "
            "og bare én gang."
        ),
    }
    return texts.get(exc.code, exc.message)


@require_POST
@inspector_required
def inspector_confiscate_view(request: HttpRequest, number: str) -> HttpResponse:
    return _card_action(
        request, number, inspector_card_confiscate, _("Kortet er inndratt."), prefix="inndra"
    )


@require_POST
@inspector_required
def inspector_remove_employment_view(request: HttpRequest, number: str) -> HttpResponse:
    return _card_action(
        request,
        number,
        inspector_employment_remove,
        _(
            "Arbeidsforholdet er fjernet fra kortet. Kortet er nå ugyldig, og arbeidsgiveren er varslet."
        ),
        prefix="fjern",
    )
