"""The portal as an OpenID Connect relying party (ID-porten, or TestID locally).

A person is identified by the ID token's `pid` claim (fødselsnummer/D-nummer),
never by e-mail; their name comes from the `name` claim or, when the provider
sends none, from Folkeregisteret.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from hmskort.identity.services import person_user_ensure

LOGGER = logging.getLogger(__name__)


def endpoint_url(request, endpoint: str) -> str:
    """A configured endpoint: a path means this same server (TestID)."""
    if endpoint.startswith("/") and request is not None:
        return request.build_absolute_uri(endpoint)
    return endpoint


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if request is not None:
            self.OIDC_OP_TOKEN_ENDPOINT = endpoint_url(request, self.OIDC_OP_TOKEN_ENDPOINT)
            self.OIDC_OP_USER_ENDPOINT = endpoint_url(request, self.OIDC_OP_USER_ENDPOINT)
            self.OIDC_OP_JWKS_ENDPOINT = endpoint_url(request, self.OIDC_OP_JWKS_ENDPOINT)
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation) as exc:
            # A refused code, an unreachable provider or a token that does not verify:
            # the login fails and the person is sent back to the login page.
            LOGGER.warning("OIDC login failed: %s", type(exc).__name__)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token is not for this client")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        # ID-porten and TestID put pid (and name) in the verified ID token.
        claims = dict(payload)
        if not claims.get("name") and claims.get("pid"):
            from hmskort.registers.adapters import get_ports

            person = get_ports().folkeregisteret.personer([claims["pid"]]).get(claims["pid"])
            if person is not None:
                claims["name"] = person.fulltnavn
        return claims

    def verify_claims(self, claims):
        pid = str(claims.get("pid", ""))
        return len(pid) == 11 and pid.isdigit()

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(person_identity__pid=claims["pid"])

    def describe_user_by_claims(self, claims):
        return f"pid {str(claims.get('pid', ''))[:6]}*****"

    def create_user(self, claims):
        return person_user_ensure(pid=claims["pid"], name=claims.get("name", ""))

    def update_user(self, user, claims):
        return person_user_ensure(pid=claims["pid"], name=claims.get("name", ""))


def provider_logout_url(request) -> str:
    """Where the portal sends the browser after ending its own session: the provider's
    end-session endpoint (RP-initiated logout), which ends the provider's session
    and comes back to "Du er logget ut"."""
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("identity:logged_out")),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{settings.OIDC_OP_END_SESSION_ENDPOINT}?{urlencode(params)}"
