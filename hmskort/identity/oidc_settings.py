"""Login settings: the portal as an OpenID Connect relying party (mozilla-django-oidc),
and the local TestID OpenID provider (django-oauth-toolkit) it uses by default.

config/settings.py imports from here. This module must not import Django models:
it is read while settings load.

Pointing the portal at the real ID-porten is configuration only:

    HMSKORT_OIDC_AUTHORIZATION_ENDPOINT=https://login.idporten.no/authorize
    HMSKORT_OIDC_TOKEN_ENDPOINT=https://idporten.no/token
    HMSKORT_OIDC_USERINFO_ENDPOINT=https://idporten.no/userinfo
    HMSKORT_OIDC_JWKS_ENDPOINT=https://idporten.no/jwks.json
    HMSKORT_OIDC_END_SESSION_ENDPOINT=https://login.idporten.no/logout
    HMSKORT_OIDC_CLIENT_ID=...  HMSKORT_OIDC_CLIENT_SECRET=...
    HMSKORT_TESTID_ENABLED=0

By default every endpoint is a path on this same server (our TestID), resolved
against the address the request came in on, so the embedded demo, a test server
on a random port and the Django test client all log in the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "AUTHENTICATION_BACKENDS",
    "LOGIN_REDIRECT_URL",
    "LOGIN_REDIRECT_URL_FAILURE",
    "LOGIN_URL",
    "LOGOUT_REDIRECT_URL",
    "OIDC_AUTHENTICATION_CALLBACK_URL",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_END_SESSION_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_LOGOUT_URL_METHOD",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_PKCE_CODE_CHALLENGE_METHOD",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_RP_SCOPES",
    "OIDC_RP_SIGN_ALGO",
    "OIDC_STORE_ID_TOKEN",
    "OIDC_TIMEOUT",
    "OIDC_TOKEN_USE_BASIC_AUTH",
    "OIDC_USE_NONCE",
    "OIDC_USE_PKCE",
    "HMSKORT_TESTID_ENABLED",
    "HMSKORT_TESTID_SESSION_SECONDS",
    "oauth2_provider_with_testid",
]

_ENVIRONMENT = os.environ.get("HMSKORT_ENVIRONMENT", "development")
_BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# --- Django auth ---------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "hmskort.identity.oidc.PortalOIDCBackend",
    # Staff (caseworkers, inspectors) log in to the admin with a password.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "identity:choose_company"
LOGOUT_REDIRECT_URL = "identity:logged_out"
# mozilla-django-oidc redirects here as is (not reversed): a path.
LOGIN_REDIRECT_URL_FAILURE = "/logg-inn?feil=1"

# --- The relying party (mozilla-django-oidc) -----------------------------------------------

OIDC_RP_CLIENT_ID = os.environ.get("HMSKORT_OIDC_CLIENT_ID", "hmskort-portal")
OIDC_RP_CLIENT_SECRET = os.environ.get("HMSKORT_OIDC_CLIENT_SECRET", "")
if not OIDC_RP_CLIENT_SECRET:
    if _ENVIRONMENT == "production":
        raise RuntimeError("HMSKORT_OIDC_CLIENT_SECRET must be set in production")
    OIDC_RP_CLIENT_SECRET = "testid-local-client-secret-not-for-production"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = os.environ.get("HMSKORT_OIDC_SCOPES", "openid profile")
# A path (starting with "/") is on this same server; anything else is used as is.
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get(
    "HMSKORT_OIDC_AUTHORIZATION_ENDPOINT", "/testid/authorize/"
)
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("HMSKORT_OIDC_TOKEN_ENDPOINT", "/o/token/")
OIDC_OP_USER_ENDPOINT = os.environ.get("HMSKORT_OIDC_USERINFO_ENDPOINT", "/o/userinfo/")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("HMSKORT_OIDC_JWKS_ENDPOINT", "/o/.well-known/jwks.json")
OIDC_OP_END_SESSION_ENDPOINT = os.environ.get(
    "HMSKORT_OIDC_END_SESSION_ENDPOINT", "/testid/logout/"
)
OIDC_OP_LOGOUT_URL_METHOD = "hmskort.identity.oidc.provider_logout_url"
OIDC_AUTHENTICATION_CALLBACK_URL = "identity:oidc_callback"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
# The ID token is the id_token_hint of the logout at the provider.
OIDC_STORE_ID_TOKEN = True
OIDC_TOKEN_USE_BASIC_AUTH = True
OIDC_TIMEOUT = int(os.environ.get("HMSKORT_OIDC_TIMEOUT", "10"))

# --- The TestID OpenID provider (django-oauth-toolkit) --------------------------------------

HMSKORT_TESTID_ENABLED = _bool("HMSKORT_TESTID_ENABLED", _ENVIRONMENT != "production")
#: How long a TestID login lasts (its own cookie, separate from the portal's session).
HMSKORT_TESTID_SESSION_SECONDS = 2 * 3600

TESTID_SCOPES = {
    "openid": "OpenID Connect",
    "profile": "Navn (name)",
}


def _testid_private_key() -> str:
    """The provider's RSA signing key: from the environment, or generated on first start
    into var/ (never committed; var/ is ignored by git)."""
    pem = os.environ.get("HMSKORT_TESTID_RSA_PRIVATE_KEY", "")
    if pem:
        return pem
    path = Path(
        os.environ.get(
            "HMSKORT_TESTID_RSA_PRIVATE_KEY_FILE", _BASE_DIR / "var" / "testid-oidc-rsa.pem"
        )
    )
    if path.exists():
        return path.read_text()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(pem)
    try:
        os.link(tmp, path)  # atomic; fails if another process created it first
    except FileExistsError:
        pem = path.read_text()
    finally:
        tmp.unlink(missing_ok=True)
    return pem


def oauth2_provider_with_testid(base: dict) -> dict:
    """django-oauth-toolkit settings with the TestID OpenID provider switched on
    (when enabled), on top of the API's `base` settings."""
    if not HMSKORT_TESTID_ENABLED:
        return base
    return {
        **base,
        "SCOPES": {**base.get("SCOPES", {}), **TESTID_SCOPES},
        "SCOPES_BACKEND_CLASS": "hmskort.identity.testid_provider.TestIdScopes",
        "OAUTH2_VALIDATOR_CLASS": "hmskort.identity.testid_provider.TestIdOAuth2Validator",
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": _testid_private_key(),
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
        "OIDC_RP_INITIATED_LOGOUT_ACCEPT_EXPIRED_TOKENS": True,
        # Like ID-porten: the ID token lives briefly; the portal keeps its own session.
        "ID_TOKEN_EXPIRE_SECONDS": 3600,
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    }
