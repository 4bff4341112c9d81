"""OAuth2 (django-oauth-toolkit) settings for the API.

config/settings.py imports `OAUTH2_PROVIDER` from here. This module must not
import Django models: it is read while settings load.

Clients use the client-credentials grant at /o/token/. Which scope a client may
get is decided by `hmskort.api.oauth.ApiOAuth2Validator` from its approved
`ApiClient` (level 1 or level 2); an OAuth application without an approved,
active ApiClient gets no token at all.

A gate reader (`hmskort.sites.GateReader`, an ApiClient bound to one site) gets
only `SCOPE_GATE`, whatever the level stored on its ApiClient: its secret sits
in a box at a site gate, so its token can post gate events for its own site and
nothing else (no card look-ups, no QR look-ups with the holder's name, no feed).
"""

from __future__ import annotations

__all__ = [
    "OAUTH2_PROVIDER",
    "OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL",
    "OAUTH2_PROVIDER_APPLICATION_MODEL",
    "OAUTH2_PROVIDER_GRANT_MODEL",
    "OAUTH2_PROVIDER_ID_TOKEN_MODEL",
    "OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL",
]

SCOPE_LEVEL1 = "hmskort.level1"
SCOPE_LEVEL2 = "hmskort.level2"
#: Gate readers only: `POST /api/v1/gate/events` for the reader's own site.
SCOPE_GATE = "hmskort.gate"

#: How long an access token lives. Clients fetch a new one with their credentials.
ACCESS_TOKEN_EXPIRE_SECONDS = 3600

# django-oauth-toolkit's models are swappable; Django's migration autodetector
# needs these names defined in settings once any app has a foreign key to them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

OAUTH2_PROVIDER = {
    "SCOPES": {
        SCOPE_LEVEL1: "Nivå 1: statusoppslag på HMS-kort (level 1: card status look-ups)",
        SCOPE_LEVEL2: "Nivå 2: bestilling og administrasjon for én virksomhet "
        "(level 2: ordering and administration for one company)",
        SCOPE_GATE: "Portleser: passeringer på egen byggeplass "
        "(gate reader: check-ins and check-outs on its own site)",
    },
    # A client gets its own level's scope (a gate reader: the gate scope) when it asks for none.
    "DEFAULT_SCOPES": [],
    "SCOPES_BACKEND_CLASS": "hmskort.api.oauth.ApiClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "hmskort.api.oauth.ApiOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": ACCESS_TOKEN_EXPIRE_SECONDS,
    # Client credentials issue no refresh tokens; keep any other grant's short.
    "REFRESH_TOKEN_EXPIRE_SECONDS": 24 * 3600,
    # RFC 9700: store only a hash of access/refresh tokens at rest.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "PKCE_REQUIRED": True,
    "ERROR_RESPONSE_WITH_SCOPES": True,
}

#: Seconds a validated token is cached per worker process (the hot path makes no
#: token query within this window). Revoking a token takes effect within it;
#: expiry is checked on every request from the cached expiry time.
TOKEN_CACHE_SECONDS = 10
