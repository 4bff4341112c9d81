"""TestID: the local OpenID provider standing in for ID-porten (demo and tests).

As in ID-porten's own TestID, you type (or pick) a synthetic person's
fødselsnummer, and the ordinary authorization-code flow (with PKCE) returns to
the portal with the person's `pid`. The provider keeps its own login in a signed
cookie, separate from the portal's session, so that logging out of the portal
(RP-initiated logout) visibly ends both.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from oauth2_provider.views import AuthorizationView
from oauth2_provider.views.oidc import RPInitiatedLogoutView

from hmskort.identity.models import PersonIdentity
from hmskort.identity.services import person_user_ensure
from hmskort.identity.testid_provider import testid_client_ensure
from hmskort.registers import idnumbers
from hmskort.registers.adapters import get_ports

COOKIE = "hmskort_testid"
_SALT = "hmskort.identity.testid"


def _require_enabled() -> None:
    if not getattr(settings, "HMSKORT_TESTID_ENABLED", False):
        raise Http404("TestID is not enabled")


def testid_pid(request: HttpRequest) -> str | None:
    """The person logged in at TestID (its own cookie), or None."""
    try:
        return request.get_signed_cookie(
            COOKIE, salt=_SALT, max_age=settings.HMSKORT_TESTID_SESSION_SECONDS
        )
    except (KeyError, signing.BadSignature):
        return None


def _testid_user(pid: str):
    identity = PersonIdentity.objects.select_related("user").filter(pid=pid).first()
    return identity.user if identity is not None else None


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    authorize = reverse("identity:testid_authorize")
    if target.startswith(authorize) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return ""


def _personas():
    from hmskort.registers.population.personas import demo_personas

    return demo_personas()


def testid_login(request: HttpRequest):
    """Pick or type a synthetic person; then back to the authorization request."""
    _require_enabled()
    next_url = _safe_next(request)
    typed = ""
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "logout":
            response = HttpResponseRedirect(reverse("identity:testid"))
            response.delete_cookie(COOKIE)
            return response
        typed = (request.POST.get("pid") or "").replace(" ", "")
        if not idnumbers.is_valid(typed, accept_synthetic=True):
            error = _("Skriv et gyldig fødselsnummer eller D-nummer (11 siffer).")
        else:
            person = get_ports().folkeregisteret.personer([typed]).get(typed)
            if person is None:
                error = _("Vi fant ingen testperson med dette nummeret i Folkeregisteret.")
            else:
                person_user_ensure(pid=typed, name=person.fulltnavn)
                response = HttpResponseRedirect(next_url or reverse("identity:testid"))
                response.set_signed_cookie(
                    COOKIE,
                    typed,
                    salt=_SALT,
                    max_age=settings.HMSKORT_TESTID_SESSION_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return response
    current = testid_pid(request)
    current_user = _testid_user(current) if current else None
    return render(
        request,
        "identity/testid.html",
        {
            "personas": _personas(),
            "next": next_url,
            "typed": typed,
            "error": error,
            "current_pid": current,
            "current_name": current_user.get_full_name() if current_user else "",
        },
        status=400 if error else 200,
    )


class TestIdAuthorizationView(AuthorizationView):
    """The provider's authorization endpoint: the person logged in at TestID (not the
    portal's session user) is the one the code is issued for. No consent screen, as
    in ID-porten."""

    skip_authorization_completely = True

    def dispatch(self, request, *args, **kwargs):
        _require_enabled()
        if request.GET.get("client_id") == settings.OIDC_RP_CLIENT_ID:
            testid_client_ensure(
                callback_url=request.build_absolute_uri(reverse("identity:oidc_callback")),
                post_logout_url=request.build_absolute_uri(reverse("identity:logged_out")),
            )
        pid = testid_pid(request)
        user = _testid_user(pid) if pid else None
        if user is None or request.GET.get("prompt") == "login":
            login = reverse("identity:testid")
            response = HttpResponseRedirect(
                f"{login}?{_next_query(request.get_full_path(), drop_prompt=True)}"
            )
            return response
        request.user = user
        return super().dispatch(request, *args, **kwargs)


def _next_query(path: str, *, drop_prompt: bool) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    if drop_prompt:
        parts = urlsplit(path)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "prompt"]
        path = urlunsplit(("", "", parts.path, urlencode(query), ""))
    return urlencode({"next": path})


class TestIdLogoutView(RPInitiatedLogoutView):
    """The provider's end-session endpoint: ends the TestID login (its cookie), then
    returns to the portal's post-logout page."""

    template_name = "identity/testid_logout.html"

    def dispatch(self, request, *args, **kwargs):
        _require_enabled()
        pid = testid_pid(request)
        user = _testid_user(pid) if pid else None
        request.user = user or AnonymousUser()
        return super().dispatch(request, *args, **kwargs)

    def do_logout(
        self, application=None, post_logout_redirect_uri=None, state=None, token_user=None
    ):
        response = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        response.delete_cookie(COOKIE)
        return response
