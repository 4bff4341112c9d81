"""Bearer-token authentication for the API (tokens from django-oauth-toolkit).

The hot path must not query the token table on every request: a validated
token is cached for `TOKEN_CACHE_SECONDS` (in Django's cache, keyed by the
token's SHA-256, never the token itself). Expiry is checked on every request
against the cached expiry time, so an expired token is refused at once.

A revoked token or a withdrawn client (a gate reader too) is refused at once
as well, on PostgreSQL: every committed update or delete of a token, an OAuth
application or an API client is announced on `AUTH_CHANNEL` (triggers,
migration api/0003), and each process's LISTEN thread (hmskort/api/statuscache.py)
calls `auth_changed`. A cached validation older than the last announcement
this process heard is then validated again, and `auth_generation` tells the
fast lane to drop the tokens it holds. While a process is not listening (on
SQLite, or while its LISTEN connection is down) a revocation takes effect
within the cache windows (10 s here, 10 s more in the fast lane).

A token's scopes are what it was granted *and* the client may hold now
(`hmskort.api.oauth.client_scopes`): a gate reader's token carries only the gate
scope, so every level-1/level-2 endpoint refuses it with 403 `insufficient_scope`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.base import SecuritySchema
from oauth2_provider.models import AccessToken

from hmskort.api.oauth import client_scopes
from hmskort.api.oauth_settings import (
    OAUTH2_PROVIDER,
    SCOPE_GATE,
    SCOPE_LEVEL2,
    TOKEN_CACHE_SECONDS,
)
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
    # (principal or _UNKNOWN, time.time() before it was read from the database)
    return f"api:token2:{checksum}"


AUTH_CHANNEL = "hmskort_api_auth_changed"
_changed_at = 0.0  # when this process last heard that tokens or clients changed
_generation = 0
_change_lock = threading.Lock()


def auth_changed() -> None:
    """Tokens, applications or clients changed (or this process just started
    listening and may have missed a change): validate every token again."""
    global _changed_at, _generation
    with _change_lock:
        _changed_at = time.time()
        _generation += 1


def auth_generation() -> int:
    """Grows with every `auth_changed`: a holder of validated tokens drops them
    when it sees a new value, and keeps a validation only if the value did not
    change while it was being made."""
    return _generation


def _load(checksum: str) -> ApiPrincipal | str:
    row = (
        AccessToken.objects.filter(token_checksum=checksum)
        .values(
            "expires",
            "scope",
            "application__client_id",
            "application__hmskort_client__id",
            "application__hmskort_client__level",
            "application__hmskort_client__orgnr",
            "application__hmskort_client__active",
            "application__hmskort_client__gate_reader__id",
        )
        .first()
    )
    if row is None or row["application__hmskort_client__id"] is None:
        return _UNKNOWN
    if not row["application__hmskort_client__active"]:
        return _UNKNOWN
    level = row["application__hmskort_client__level"]
    # What the token was granted, cut down to what the client may hold now: a
    # gate reader holds only the gate scope, also with a token issued for its
    # level before readers had their own scope.
    allowed = client_scopes(
        level=level, gate_reader=row["application__hmskort_client__gate_reader__id"] is not None
    )
    granted = frozenset((row["scope"] or "").split())
    scopes = allowed if SCOPE_GATE in allowed and granted else granted & allowed
    return ApiPrincipal(
        client_pk=row["application__hmskort_client__id"],
        client_id=row["application__client_id"],
        level=level,
        orgnr=row["application__hmskort_client__orgnr"],
        scopes=scopes,
        expires_at=row["expires"].timestamp(),
    )


def principal_for_token(raw_token: str) -> ApiPrincipal:
    """The caller behind a bearer token; raises NotAuthenticated (401) for an
    unknown, expired or withdrawn token."""
    checksum = hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
    key = _cache_key(checksum)
    held = cache.get(key)
    found = None
    if held is not None and held[1] >= _changed_at:
        found = held[0]
    if found is None:
        read_at = time.time()
        found = _load(checksum)
        if isinstance(found, ApiPrincipal):
            ttl = min(TOKEN_CACHE_SECONDS, max(int(found.expires_at - read_at), 0))
        else:
            ttl = TOKEN_CACHE_SECONDS
        if ttl > 0:
            cache.set(key, (found, read_at), ttl)
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
    also requires the client to be bound to a company.

    Every API (v1, v2) and router authenticates through this class (or a
    subclass): a token without the scope is refused by `scope_missing`, by
    default 403 `insufficient_scope`."""

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

    def scope_missing(self, principal: ApiPrincipal) -> ApplicationError:
        """The error for a valid token without `self.scope` (subclasses may answer otherwise)."""
        return InsufficientScope(
            f"Tilgangsnøkkelen mangler omfanget «{self.scope}» "
            f"(the token lacks the scope «{self.scope}»).",
            extra={"required_scope": self.scope},
        )

    def authenticate(self, request: HttpRequest, token: str) -> ApiPrincipal:
        principal = principal_for_token(token)
        if self.scope not in principal.scopes:
            raise self.scope_missing(principal)
        if self.scope == SCOPE_LEVEL2 and not principal.orgnr:
            raise InsufficientScope(
                "Klienten er ikke knyttet til en virksomhet (the client is not bound to a company)."
            )
        return principal


def forget_token(raw_token: str) -> None:
    """Drop a token from this process's cache (after revoking it)."""
    cache.delete(_cache_key(hashlib.sha256(raw_token.encode("utf-8")).hexdigest()))
