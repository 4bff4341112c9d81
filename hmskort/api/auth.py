"""Bearer-token authentication for the API (tokens from django-oauth-toolkit).

The hot path must not query the token table on every request: a validated
token is cached per worker for `TOKEN_CACHE_SECONDS` (keyed by the token's
SHA-256, never the token itself). Expiry is checked on every request against
the cached expiry time, so an expired token is refused at once; a revoked
token or withdrawn client stops working within the cache window.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.base import SecuritySchema
from oauth2_provider.models import AccessToken

from hmskort.api.oauth_settings import OAUTH2_PROVIDER, SCOPE_LEVEL2, TOKEN_CACHE_SECONDS
from hmskort.core.errors import ApplicationError


class NotAuthenticated(ApplicationError):
    code = "invalid_access_token"
    http_status = 401


class InsufficientScope(ApplicationError):
    code = "insufficient_scope"
    http_status = 403


@dataclass(frozen=True)
class ApiPrincipal:
    """Who is calling: the approved client behind a valid token."""

    client_pk: int
    client_id: str
    level: str
    orgnr: str  # level 2: the one company the client acts for; "" for level 1
    scopes: frozenset[str]
    expires_at: float  # epoch seconds

    @property
    def actor(self) -> str:
        """How the client appears in audit logs and card history."""
        return f"api:{self.client_id}"


_UNKNOWN = "unknown"


def _cache_key(checksum: str) -> str:
    return f"api:token:{checksum}"


def _load(checksum: str) -> ApiPrincipal | str:
    token = (
        AccessToken.objects.select_related("application__hmskort_client")
        .filter(token_checksum=checksum)
        .only(
            "expires",
            "scope",
            "application__client_id",
            "application__hmskort_client__id",
            "application__hmskort_client__level",
            "application__hmskort_client__orgnr",
            "application__hmskort_client__active",
        )
        .first()
    )
    if token is None or token.application is None:
        return _UNKNOWN
    client = getattr(token.application, "hmskort_client", None)
    if client is None or not client.active:
        return _UNKNOWN
    return ApiPrincipal(
        client_pk=client.pk,
        client_id=token.application.client_id,
        level=client.level,
        orgnr=client.orgnr,
        scopes=frozenset(token.scope.split()),
        expires_at=token.expires.timestamp(),
    )


def principal_for_token(raw_token: str) -> ApiPrincipal:
    """The caller behind a bearer token; raises NotAuthenticated (401) for an
    unknown, expired or withdrawn token."""
    checksum = hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
    key = _cache_key(checksum)
    found = cache.get(key)
    if found is None:
        found = _load(checksum)
        if isinstance(found, ApiPrincipal):
            ttl = min(TOKEN_CACHE_SECONDS, max(int(found.expires_at - time.time()), 0))
        else:
            ttl = TOKEN_CACHE_SECONDS
        if ttl > 0:
            cache.set(key, found, ttl)
    if found == _UNKNOWN or not isinstance(found, ApiPrincipal):
        raise NotAuthenticated(
            "Ukjent eller tilbakekalt tilgangsnøkkel (unknown or revoked token)."
        )
    if found.expires_at <= time.time():
        raise NotAuthenticated(
            "Tilgangsnøkkelen er utløpt (the access token has expired).",
            code="access_token_expired",
        )
    return found


class OAuth2Bearer(HttpBearer):
    """`Authorization: Bearer <token>` with the given scope; a level-2 scope
    also requires the client to be bound to a company."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope
        # Publish the real scheme (client credentials at /o/token/) in the OpenAPI document.
        self.openapi_security_schema = SecuritySchema(
            type="oauth2",
            flows={
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {scope: OAUTH2_PROVIDER["SCOPES"][scope]},
                }
            },
        )

    def authenticate(self, request: HttpRequest, token: str) -> ApiPrincipal:
        principal = principal_for_token(token)
        if self.scope not in principal.scopes:
            raise InsufficientScope(
                f"Tilgangsnøkkelen mangler omfanget «{self.scope}» "
                f"(the token lacks the scope «{self.scope}»).",
                extra={"required_scope": self.scope},
            )
        if self.scope == SCOPE_LEVEL2 and not principal.orgnr:
            raise InsufficientScope(
                "Klienten er ikke knyttet til en virksomhet (the client is not bound to a company)."
            )
        return principal


def forget_token(raw_token: str) -> None:
    """Drop a token from this process's cache (after revoking it)."""
    cache.delete(_cache_key(hashlib.sha256(raw_token.encode("utf-8")).hexdigest()))
