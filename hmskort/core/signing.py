"""Signed tokens: compact JWS with Ed25519 (RFC 8037), keys rotated and published as a JWKS.

A token is `base64url(header) . base64url(payload) . base64url(signature)` with
header `{"alg": "EdDSA", "kid": ..., "typ": ...}`; the signature covers the
ASCII bytes of the first two parts, so anyone holding the JWKS can verify a
token offline with nothing but an Ed25519 implementation.

Keys live in `hmskort.verification.models.SigningKey` (one active key signs;
retired keys keep verifying and stay published until every token they can have
signed has expired). A key is created on first use. Private keys are stored
encrypted (PKCS#8, AES-256 with a passphrase from `HMSKORT_SIGNING_KEY_PASSPHRASE`,
by default derived from SECRET_KEY), so a copy of the database alone cannot
sign. Each process keeps the active key and the published public keys in memory
for `KEY_CACHE_SECONDS`: signing and verifying touch no database on the hot
path; after a rotation other processes sign with the new key within that time
(the old one keeps verifying, so nothing breaks meanwhile). Every token carries `exp`,
and no token lives longer than `HMSKORT_SIGNING_MAX_TOKEN_LIFETIME_DAYS`, which
is what lets a retired key be dropped from the JWKS at a known time.

Errors are `TokenInvalid` (code "token_invalid") and `TokenExpired` (code
"token_expired"); `extra["reason"]` says what exactly was wrong.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import json
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from hmskort.core.errors import ApplicationError

ALG = "EdDSA"
#: Longest a token may live; a retired key is published this long after retirement.
DEFAULT_MAX_TOKEN_LIFETIME_DAYS = 800  # a card is valid 2 years; margin for end of day
#: Clock skew tolerated for `nbf` / `iat` in the future.
LEEWAY_SECONDS = 60
#: Longest token accepted for parsing (a QR token is about 250 characters).
MAX_TOKEN_LENGTH = 4096
#: How long a process keeps the active key and the published keys in memory.
KEY_CACHE_SECONDS = 60


class TokenInvalid(ApplicationError):
    """Malformed, forged or tampered token, unknown key, or the wrong type."""

    code = "token_invalid"
    http_status = 400


class TokenExpired(ApplicationError):
    """A genuine token whose `exp` has passed. `claims` holds its verified payload."""

    code = "token_expired"
    http_status = 400

    def __init__(self, message: str, *, claims: dict, code: str | None = None):
        self.claims = claims
        super().__init__(message, code=code, extra={"reason": "expired", "exp": claims.get("exp")})


def _max_lifetime() -> dt.timedelta:
    days = getattr(
        settings, "HMSKORT_SIGNING_MAX_TOKEN_LIFETIME_DAYS", DEFAULT_MAX_TOKEN_LIFETIME_DAYS
    )
    return dt.timedelta(days=int(days))


def _key_model():
    # Looked up by label so core does not import a flow app at module level.
    return apps.get_model("verification", "SigningKey")


# --- base64url and JSON -------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2); ValueError otherwise."""
    if not text or "=" in text or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
    if b64url_encode(raw) != text:  # rejects stray characters and non-canonical bits
        raise ValueError("not canonical base64url")
    return raw


def _json_bytes(obj: dict) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# --- keys ---------------------------------------------------------------------


def _public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    x = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(x)}


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint of an OKP key (members crv, kty, x in lexical order)."""
    canonical = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":")
    )
    return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def _passphrase() -> bytes:
    """The passphrase private keys are encrypted with: the setting
    HMSKORT_SIGNING_KEY_PASSPHRASE, else one derived from SECRET_KEY."""
    configured = getattr(settings, "HMSKORT_SIGNING_KEY_PASSPHRASE", "") or ""
    if configured:
        return configured.encode("utf-8")
    return hashlib.sha256(b"hmskort-signing-key:" + settings.SECRET_KEY.encode("utf-8")).digest()


def _load_private(pem: str) -> Ed25519PrivateKey:
    return _load_private_with(pem, _passphrase())


@functools.lru_cache(maxsize=64)
def _load_private_with(pem: str, passphrase: bytes) -> Ed25519PrivateKey:
    # Keys written before encryption was introduced are plain PKCS#8.
    encrypted = "ENCRYPTED" in pem.split("\n", 1)[0]
    key = serialization.load_pem_private_key(
        pem.encode("ascii"), password=passphrase if encrypted else None
    )
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError("signing key is not Ed25519")
    return key


@functools.lru_cache(maxsize=256)
def _load_public(x: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(x))


def _new_key_row(now: dt.datetime):
    private = Ed25519PrivateKey.generate()
    jwk = _public_jwk(private.public_key())
    kid = jwk_thumbprint(jwk)[:16]
    jwk = {**jwk, "kid": kid, "use": "sig", "alg": ALG}
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    ).decode("ascii")
    return _key_model()(
        kid=kid,
        private_key_pem=pem,
        public_jwk=jwk,
        created_at=now,
        activated_at=now,
        is_active=True,
    )


_cache: dict[str, tuple[float, Any]] = {}


def _cached(name: str, load):
    """`load()`, kept in this process for KEY_CACHE_SECONDS."""
    hit = _cache.get(name)
    clock = time.monotonic()
    if hit is not None and hit[0] > clock:
        return hit[1]
    value = load()
    _cache[name] = (clock + KEY_CACHE_SECONDS, value)
    return value


def key_cache_clear() -> None:
    """Forget the keys this process holds (after a rotation; in tests)."""
    _cache.clear()
    _last_reload[0] = 0.0


def _active_key_row(now: dt.datetime | None = None):
    SigningKey = _key_model()
    key = SigningKey.objects.filter(is_active=True).first()
    if key is not None:
        return key
    row = _new_key_row(now or timezone.now())
    try:
        with transaction.atomic():
            row.save(force_insert=True)
        return row
    except IntegrityError:  # another process created the first key at the same time
        return SigningKey.objects.get(is_active=True)


def _active_key(now: dt.datetime | None = None):
    """The key that signs; created on first use (safe against a concurrent first use)."""
    return _cached("active", lambda: _active_key_row(now))


def signing_key_rotate(*, now: dt.datetime | None = None) -> str:
    """Retire the active key (it keeps verifying and stays published until its
    tokens have expired) and activate a new one; return the new kid."""
    now = now or timezone.now()
    SigningKey = _key_model()
    with transaction.atomic():
        # Lock the active row so two rotations serialise.
        current = list(SigningKey.objects.select_for_update().filter(is_active=True))
        for key in current:
            key.is_active = False
            key.retired_at = now
            key.published_until = now + _max_lifetime()
            key.save(update_fields=["is_active", "retired_at", "published_until"])
        new = _new_key_row(now)
        new.save(force_insert=True)
    key_cache_clear()
    return new.kid


def _verifying_keys(kid: str | None = None) -> dict[str, tuple[str, dt.datetime | None]]:
    """kid -> (public x, published_until) of every key that may still verify,
    cached; `verify_token` checks `published_until` against its own `now`."""

    def load():
        rows = _key_model().objects.values_list("kid", "public_jwk", "published_until")
        return {kid: (jwk["x"], until) for kid, jwk, until in rows}

    keys = _cached("verifying", load)
    if kid is not None and kid not in keys:
        # A key another process created since we loaded (first use, rotation):
        # look again, at most once a second so random kids cannot hammer the database.
        clock = time.monotonic()
        if clock - _last_reload[0] >= 1.0:
            _last_reload[0] = clock
            keys = load()
            _cache["verifying"] = (clock + KEY_CACHE_SECONDS, keys)
    return keys


_last_reload = [0.0]


def _published_keys(now: dt.datetime):
    return _key_model().objects.filter(Q(published_until__isnull=True) | Q(published_until__gt=now))


def jwks(*, now: dt.datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """The public keys that verify tokens still in circulation (RFC 7517 / RFC 8037)."""
    now = now or timezone.now()
    _active_key(now)  # a fresh installation publishes the key it will sign with
    keys = _published_keys(now).order_by("-is_active", "-created_at", "-id")
    return {"keys": [dict(k.public_jwk) for k in keys]}


# --- tokens -------------------------------------------------------------------


def _epoch(now: dt.datetime | None) -> int:
    return int(now.timestamp()) if now is not None else int(time.time())


def sign_token(payload: dict, *, typ: str, now: dt.datetime | None = None) -> str:
    """Sign `payload` with the active key. The payload must carry an integer `exp`
    (seconds since the epoch) no later than the maximum token lifetime from now;
    `iat` is added if missing."""
    exp = payload.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise ValueError("sign_token: payload needs an integer 'exp'")
    issued = _epoch(now)
    if exp > issued + int(_max_lifetime().total_seconds()):
        raise ValueError("sign_token: 'exp' is beyond the maximum token lifetime")
    body = {"iat": issued, **payload} if "iat" not in payload else dict(payload)
    key = _active_key(now)
    header = {"alg": ALG, "kid": key.kid, "typ": typ}
    signing_input = f"{b64url_encode(_json_bytes(header))}.{b64url_encode(_json_bytes(body))}"
    signature = _load_private(key.private_key_pem).sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def _invalid(reason: str) -> TokenInvalid:
    return TokenInvalid("Ugyldig token. (Invalid token.)", extra={"reason": reason})


def _parse_json_object(raw: bytes) -> dict:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _invalid("malformed") from exc
    if not isinstance(value, dict):
        raise _invalid("malformed")
    return value


def token_unverified_header(token: str) -> dict:
    """The header of a token, NOT verified (for routing and diagnostics only)."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise _invalid("malformed")
    try:
        return _parse_json_object(b64url_decode(parts[0]))
    except ValueError as exc:
        raise _invalid("malformed") from exc


def verify_token(token: str, *, typ: str, now: dt.datetime | None = None) -> dict:
    """The verified payload of `token`, or TokenInvalid / TokenExpired.

    Checks, in this order: shape, header (alg EdDSA, known kid, `typ`), the
    signature against that kid's public key, then `nbf` and `exp` against `now`.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise _invalid("malformed")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise _invalid("malformed")
    try:
        header_raw, payload_raw, signature = (b64url_decode(p) for p in parts)
    except ValueError as exc:
        raise _invalid("malformed") from exc
    header = _parse_json_object(header_raw)
    if header.get("alg") != ALG:
        raise _invalid("wrong_alg")
    if header.get("typ") != typ:
        raise _invalid("wrong_typ")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _invalid("unknown_kid")
    when = now or timezone.now()
    key = _verifying_keys(kid).get(kid)
    if key is None or (key[1] is not None and key[1] <= when):
        raise _invalid("unknown_kid")
    try:
        _load_public(key[0]).verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature as exc:
        raise _invalid("bad_signature") from exc
    claims = _parse_json_object(payload_raw)
    at = _epoch(when)
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise _invalid("malformed")
    nbf = claims.get("nbf")
    if isinstance(nbf, int) and at + LEEWAY_SECONDS < nbf:
        raise _invalid("not_yet_valid")
    if at >= exp:
        raise TokenExpired("Tokenet er utløpt. (The token has expired.)", claims=claims)
    return claims
