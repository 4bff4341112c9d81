"""The worker's digital card wallet, the live QR page, My data, and the inspector's
person search. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import datetime as dt
import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hmskort.cards.qr import LIVE_WINDOW_SECONDS, card_from_live_qr_token, public_base_url
from hmskort.core.errors import ApplicationError
from hmskort.core.signing import TokenExpired, TokenInvalid
from hmskort.identity.access import pid_of
from hmskort.portal.models import UploadSet
from hmskort.portal.uploads import storage
from hmskort.receipts.record import check_record
from hmskort.receipts.selectors import holder_log
from hmskort.verification.permissions import inspector_required
from hmskort.wallet import selectors, services
from hmskort.wallet.forms import CorrectionForm, PersonSearchForm

#: The service worker's scope: the wallet's pages, tokens and photos.
WALLET_SCOPE = "/mitt-hms-kort/"
#: How long one person's issued tokens are handed out again instead of signing anew.
TOKENS_REUSE_SECONDS = 60
#: The offline cache (bump the version when the cached assets change shape).
CACHE_NAME = "hmskort-wallet-v1"
#: Static files the wallet page needs offline (base.html's and its own).
OFFLINE_ASSETS = (
    "vendor/designsystemet/index.css",
    "vendor/designsystemet/theme.css",
    "css/hmskort.css",
    "identity/identity.css",
    "css/verification.css",
    "vendor/qrcode-generator/qrcode.js",
    "wallet/wallet.css",
    "wallet/wallet.js",
    "wallet/icon.svg",
)


def _today() -> dt.date:
    return timezone.localdate()


def _private(response: HttpResponse, *, referrer_policy: str = "same-origin") -> HttpResponse:
    """Personal data: never cached by the browser or proxies, never indexed."""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def person_required(view):
    """Logged in with ID-porten/TestID (a person with a pid): else the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        pid = pid_of(request.user)
        if not pid:
            if request.user.is_authenticated:  # staff without a person: not for them
                return _private(
                    render(request, "wallet/no_person.html", {"worker_page": True}, status=403)
                )
            return redirect_to_login(request.get_full_path(), reverse("identity:login"))
        request.pid = pid
        return view(request, *args, **kwargs)

    return wrapper


def _file(upload: UploadSet, *, kind: str) -> FileResponse:
    path, content_type = (
        (upload.photo_path, upload.photo_content_type)
        if kind == "bilde"
        else (upload.id_document_path, upload.id_document_content_type)
    )
    try:
        handle = open(storage.absolute(path), "rb")  # noqa: SIM115  (FileResponse closes it)
    except (OSError, ValueError):
        raise Http404("File missing") from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


# --- the wallet ------------------------------------------------------------------------


def _live_qr_prefix() -> str:
    """The live QR's URL without the token (the page appends each window's token)."""
    placeholder = "TOKEN"
    path = reverse("wallet:live_qr", kwargs={"token": placeholder})
    return public_base_url() + path[: -len(placeholder)]


@require_GET
@person_required
def wallet_view(request: HttpRequest) -> HttpResponse:
    """All the person's cards, each with photo, status and a QR code that changes
    every 30 seconds (tokens issued ahead, so the page works offline)."""
    cards = selectors.wallet_cards(request.pid, today=_today())
    context = {
        "cards": cards,
        "tokens": selectors.live_tokens(cards, seconds=selectors.PAGE_TOKENS_SECONDS),
        "qr_prefix": _live_qr_prefix(),
        "cache_name": CACHE_NAME,
        "window_seconds": LIVE_WINDOW_SECONDS,
        "worker_page": True,
        "loaded_at": timezone.now(),
    }
    return _private(render(request, "wallet/wallet.html", context))


@require_GET
@person_required
def tokens_view(request: HttpRequest) -> JsonResponse:
    """Fresh live QR tokens for the person's own valid cards (all, or `?kort=<number>`).
    Someone else's card number gets 404: no token is ever issued for it."""
    number = request.GET.get("kort")
    key = f"wallet:tokens:{request.pid}:{number or ''}"
    issued = cache.get(key)
    if issued is None:
        cards = selectors.wallet_cards(request.pid, today=_today())
        if number is not None:
            cards = [c for c in cards if c.number == number]
            if not cards:
                raise Http404("Not your card")
        issued = selectors.live_tokens(cards)
        # Signing hours of tokens costs; a page reloaded again and again reuses them
        # for a minute (each token is still only valid in its own window).
        cache.set(key, issued, TOKENS_REUSE_SECONDS)
    return _private(JsonResponse(issued))


@require_GET
@person_required
def photo_view(request: HttpRequest, number: str) -> HttpResponse:
    """The approved photo on the person's own card (nobody else's)."""
    upload = selectors.photo_of(request.pid, number)
    if upload is None:
        raise Http404("No photo")
    return _file(upload, kind="bilde")


@require_GET
def service_worker_view(request: HttpRequest) -> HttpResponse:
    """The wallet's service worker (offline use), scoped to the wallet's URLs."""
    precache = [reverse("wallet:wallet"), reverse("wallet:tokens"), reverse("wallet:manifest")]
    precache += [static(path) for path in OFFLINE_ASSETS]
    context = {
        "cache_name_json": json.dumps(CACHE_NAME),
        "scope_json": json.dumps(WALLET_SCOPE),
        "precache_json": json.dumps(precache),
    }
    response = render(
        request, "wallet/sw.js", context, content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = WALLET_SCOPE
    response["Cache-Control"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def manifest_view(request: HttpRequest) -> JsonResponse:
    manifest = {
        "name": _("HMS-kort – mine kort"),
        "short_name": _("HMS-kort"),
        "description": _("Dine digitale HMS-kort, også uten nett."),
        "lang": get_language() or "nb",
        "start_url": reverse("wallet:wallet"),
        "scope": WALLET_SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0062ba",
        "icons": [
            {"src": static("wallet/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


# --- the live QR page (what a scanner opens) -------------------------------------------


@require_GET
def live_qr_view(request: HttpRequest, token: str) -> HttpResponse:
    """The page a digital card's live QR code opens: status, company, holder name,
    like the printed card's QR page. A token past its window (a screenshot) is refused."""
    context: dict = {"error": "", "card": None, "worker_page": True}
    status = 200
    try:
        number, claims = card_from_live_qr_token(token)
    except TokenExpired as exc:
        context.update(error="expired", card_number=str(exc.claims.get("cn", "")))
        nbf = exc.claims.get("nbf")
        if isinstance(nbf, int):
            context["shown_at"] = dt.datetime.fromtimestamp(nbf, tz=dt.UTC)
        status = 410
    except TokenInvalid:
        context["error"] = "invalid"
        status = 400
    else:
        card = selectors.live_card(number, today=_today())
        if card is None:
            context.update(error="unknown", card_number=number)
            status = 404
        else:
            context.update(
                card=card,
                window_start=dt.datetime.fromtimestamp(claims["nbf"], tz=dt.UTC),
                check_id=check_record(
                    channel="qr", card_number=number, card=card.card, request=request
                ),
            )
    return _private(
        render(request, "wallet/live_qr.html", context, status=status),
        referrer_policy="no-referrer",
    )


# --- My data -------------------------------------------------------------------------------


def _my_data_context(request: HttpRequest, form: CorrectionForm) -> dict:
    pid = request.pid
    log = holder_log(pid)
    return {
        "person": selectors.person_of(pid),
        "pid": pid,
        "cards": selectors.cards_with_history(pid, today=_today()),
        "employments": selectors.employments_of(pid, today=_today()),
        "uploads": selectors.uploads_of(pid),
        "lookups": selectors.lookups_of(pid),
        "checks": log.entries,
        "public_checks": log.public_per_day,
        "corrections": selectors.corrections_of(pid),
        "notices": selectors.notices_of(pid),
        "form": form,
        "today": _today(),
        "worker_page": True,
    }


@require_GET
@person_required
def my_data_view(request: HttpRequest) -> HttpResponse:
    """Everything the system holds about the person, and who has looked them up."""
    form = CorrectionForm(initial={"email": request.user.email or ""})
    return _private(render(request, "wallet/my_data.html", _my_data_context(request, form)))


@require_POST
@person_required
def correction_view(request: HttpRequest) -> HttpResponse:
    """A request for correction: opens a case in the caseworkers' queue."""
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_create(
                pid=request.pid,
                topic=form.cleaned_data["topic"],
                what_is_wrong=form.cleaned_data["what_is_wrong"],
                correction=form.cleaned_data["correction"],
                email=form.cleaned_data["email"] or "",
                language=get_language() or "",
                request_key=form.cleaned_data["request_key"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Kravet ditt om retting er sendt til Arbeidstilsynet. Du ser svaret her "
                    "når det er behandlet."
                ),
            )
            return redirect(reverse("wallet:my_data") + "#retting")
    context = _my_data_context(request, form)
    return _private(render(request, "wallet/my_data.html", context, status=422))


@require_GET
@person_required
def my_upload_view(request: HttpRequest, upload_id: int, kind: str) -> HttpResponse:
    """The person's own uploaded photo or ID document (nobody else's)."""
    upload = UploadSet.objects.filter(pk=upload_id, person_id=request.pid).first()
    if upload is None or kind not in ("bilde", "id"):
        raise Http404("No such file")
    return _file(upload, kind=kind)


# --- inspectors: find a person ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@inspector_required
def inspector_person_view(request: HttpRequest) -> HttpResponse:
    """Find a worker by fødselsnummer / D-nummer: all employers and cards with status.
    The number travels in a POST body (not in URLs or logs); every search is audit-logged."""
    overview = None
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        if form.is_valid():
            pid, purpose = form.cleaned_data["fnr"], form.cleaned_data["formal"]
            overview = selectors.person_overview(pid, today=_today())
            services.inspector_person_search_record(
                inspector=request.user,
                pid=pid,
                purpose=purpose,
                agencies=request.inspector_agencies,
                found=overview.found,
            )
    else:
        form = PersonSearchForm()
    context = {
        "form": form,
        "overview": overview,
        "purpose": form.cleaned_data.get("formal", "") if form.is_bound and form.is_valid() else "",
        "agencies": request.inspector_agencies,
        "today": _today(),
    }
    status = 422 if form.is_bound and not form.is_valid() else 200
    return _private(render(request, "wallet/inspector_person.html", context, status=status))


@require_GET
@inspector_required
def inspector_photo_view(request: HttpRequest, upload_id: int) -> HttpResponse:
    """An approved photo for an inspector's person search (purpose required, audit-logged)."""
    purpose = request.GET.get("formal", "").strip()
    upload = UploadSet.objects.filter(pk=upload_id, status="approved").first()
    if upload is None or not purpose:
        raise Http404("No such photo")
    response = _file(upload, kind="bilde")
    services.inspector_photo_view_record(
        inspector=request.user,
        upload=upload,
        purpose=purpose,
        agencies=request.inspector_agencies,
    )
    return response
