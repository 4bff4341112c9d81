"""Signed tokens: offline verification from the JWKS, tampering, expiry, key rotation."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.utils import timezone

from hmskort.core.signing import (
    TokenExpired,
    TokenInvalid,
    jwks,
    sign_token,
    signing_key_rotate,
    verify_token,
)
from hmskort.verification.models import SigningKey

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
TYP = "test-token"


def _exp(days: int = 1, now: dt.datetime = NOW) -> int:
    return int((now + dt.timedelta(days=days)).timestamp())


def _b64d(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _offline_verify(token: str, jwks_json: str) -> dict:
    """What a third party does: only the published JWKS JSON and `cryptography`."""
    header_b64, payload_b64, sig_b64 = token.split(".")
    header = json.loads(_b64d(header_b64))
    assert header["alg"] == "EdDSA"
    key = next(k for k in json.loads(jwks_json)["keys"] if k["kid"] == header["kid"])
    assert (key["kty"], key["crv"]) == ("OKP", "Ed25519")
    public = Ed25519PublicKey.from_public_bytes(_b64d(key["x"]))
    public.verify(_b64d(sig_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    return json.loads(_b64d(payload_b64))


def _tamper_payload(token: str, **changes) -> str:
    header_b64, payload_b64, sig_b64 = token.split(".")
    payload = json.loads(_b64d(payload_b64))
    payload.update(changes)
    new = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header_b64}.{new}.{sig_b64}"


def test_first_use_creates_one_key_and_the_token_round_trips():
    assert not SigningKey.objects.exists()
    token = sign_token({"cn": "1234567890", "exp": _exp()}, typ=TYP, now=NOW)
    assert SigningKey.objects.count() == 1
    claims = verify_token(token, typ=TYP, now=NOW)
    assert claims["cn"] == "1234567890"
    assert claims["iat"] == int(NOW.timestamp())
    header = json.loads(_b64d(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "kid": SigningKey.objects.get().kid, "typ": TYP}


def test_a_token_verifies_offline_with_only_the_jwks_and_cryptography():
    token = sign_token({"cn": "1234567890", "exp": _exp()}, typ=TYP, now=NOW)
    published = json.dumps(jwks(now=NOW))
    assert _offline_verify(token, published)["cn"] == "1234567890"
    # The same check catches a forged payload.
    with pytest.raises(InvalidSignature):
        _offline_verify(_tamper_payload(token, cn="9999999999"), published)


def test_jwks_publishes_rfc8037_okp_keys_without_private_material():
    sign_token({"exp": _exp()}, typ=TYP, now=NOW)
    (key,) = jwks(now=NOW)["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert (key["kty"], key["crv"], key["use"], key["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
    assert len(_b64d(key["x"])) == 32


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda t: _tamper_payload(t, cn="9999999999"), "bad_signature"),
        (lambda t: _tamper_payload(t, exp=_exp(days=700)), "bad_signature"),
        (lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"), "bad_signature"),
        (lambda t: t.rsplit(".", 1)[0], "malformed"),
        (lambda t: t + "=", "malformed"),
        (lambda t: "not a token", "malformed"),
        (lambda t: "", "malformed"),
        (lambda t: "x" * 5000, "malformed"),
    ],
)
def test_tampered_or_damaged_tokens_are_refused(mutate, reason):
    token = sign_token({"cn": "1234567890", "exp": _exp()}, typ=TYP, now=NOW)
    with pytest.raises(TokenInvalid) as info:
        verify_token(mutate(token), typ=TYP, now=NOW)
    assert info.value.code == "token_invalid"
    assert info.value.extra["reason"] == reason


def test_a_token_of_another_type_is_refused():
    token = sign_token({"exp": _exp()}, typ="other", now=NOW)
    with pytest.raises(TokenInvalid) as info:
        verify_token(token, typ=TYP, now=NOW)
    assert info.value.extra["reason"] == "wrong_typ"


def test_a_header_naming_another_algorithm_is_refused():
    token = sign_token({"exp": _exp()}, typ=TYP, now=NOW)
    header_b64, rest = token.split(".", 1)
    header = json.loads(_b64d(header_b64)) | {"alg": "none"}
    forged = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid) as info:
        verify_token(f"{forged}.{rest}", typ=TYP, now=NOW)
    assert info.value.extra["reason"] == "wrong_alg"


def test_a_token_signed_by_a_key_we_never_had_is_refused():
    token = sign_token({"exp": _exp()}, typ=TYP, now=NOW)
    SigningKey.objects.all().delete()
    with pytest.raises(TokenInvalid) as info:
        verify_token(token, typ=TYP, now=NOW)
    assert info.value.extra["reason"] == "unknown_kid"


def test_expiry_boundary_and_not_before():
    token = sign_token({"cn": "1", "exp": _exp(days=1)}, typ=TYP, now=NOW)
    last_second = NOW + dt.timedelta(days=1, seconds=-1)
    assert verify_token(token, typ=TYP, now=last_second)["cn"] == "1"
    with pytest.raises(TokenExpired) as info:
        verify_token(token, typ=TYP, now=NOW + dt.timedelta(days=1))
    assert info.value.code == "token_expired"
    assert info.value.claims["cn"] == "1"  # verified claims, so a caller can say which card

    later = sign_token(
        {"exp": _exp(days=3), "nbf": int((NOW + dt.timedelta(days=1)).timestamp())},
        typ=TYP,
        now=NOW,
    )
    with pytest.raises(TokenInvalid) as info:
        verify_token(later, typ=TYP, now=NOW)
    assert info.value.extra["reason"] == "not_yet_valid"


def test_tokens_must_expire_within_the_maximum_lifetime(settings):
    settings.HMSKORT_SIGNING_MAX_TOKEN_LIFETIME_DAYS = 10
    with pytest.raises(ValueError):
        sign_token({"exp": _exp(days=11)}, typ=TYP, now=NOW)
    with pytest.raises(ValueError):
        sign_token({"cn": "no exp"}, typ=TYP, now=NOW)
    assert sign_token({"exp": _exp(days=10)}, typ=TYP, now=NOW)


def test_rotation_new_tokens_use_the_new_key_old_tokens_verify_until_expiry(settings):
    settings.HMSKORT_SIGNING_MAX_TOKEN_LIFETIME_DAYS = 30
    old_token = sign_token({"cn": "old", "exp": _exp(days=30)}, typ=TYP, now=NOW)
    old_kid = SigningKey.objects.get().kid

    new_kid = signing_key_rotate(now=NOW)
    assert new_kid != old_kid
    new_token = sign_token({"cn": "new", "exp": _exp(days=5)}, typ=TYP, now=NOW)
    assert json.loads(_b64d(new_token.split(".")[0]))["kid"] == new_kid

    # Both keys are published and both tokens verify, offline too.
    published = json.dumps(jwks(now=NOW))
    assert {k["kid"] for k in json.loads(published)["keys"]} == {old_kid, new_kid}
    assert _offline_verify(old_token, published)["cn"] == "old"
    assert verify_token(old_token, typ=TYP, now=NOW + dt.timedelta(days=29))["cn"] == "old"

    # Once every token the old key can have signed has expired, it is withdrawn.
    after = NOW + dt.timedelta(days=30, seconds=1)
    assert {k["kid"] for k in jwks(now=after)["keys"]} == {new_kid}
    with pytest.raises(TokenInvalid):
        verify_token(old_token, typ=TYP, now=after)


def test_rotate_command_prints_the_new_kid(capsys):
    first = signing_key_rotate()
    call_command("rotate_signing_keys")
    out = capsys.readouterr().out
    active = SigningKey.objects.get(is_active=True)
    assert active.kid != first and active.kid in out
    assert SigningKey.objects.filter(retired_at__isnull=False).count() == 1


def test_jwks_on_a_fresh_installation_publishes_the_key_that_will_sign():
    keys = jwks()["keys"]
    token = sign_token({"exp": _exp(now=timezone.now())}, typ=TYP)
    assert [k["kid"] for k in keys] == [json.loads(_b64d(token.split(".")[0]))["kid"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_use_creates_exactly_one_active_key():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def work(_):
        try:
            return json.loads(_b64d(sign_token({"exp": _exp()}, typ=TYP, now=NOW).split(".")[0]))[
                "kid"
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        kids = set(pool.map(work, range(16)))
    assert SigningKey.objects.filter(is_active=True).count() == 1
    assert kids == {SigningKey.objects.get(is_active=True).kid}


# --- keys at rest and in memory -------------------------------------------------


def test_private_keys_are_stored_encrypted_and_useless_without_the_passphrase(settings):
    from cryptography.hazmat.primitives import serialization

    sign_token({"exp": _exp()}, typ=TYP, now=NOW)
    pem = SigningKey.objects.get(is_active=True).private_key_pem
    assert pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):  # a copy of the database alone cannot sign
        serialization.load_pem_private_key(pem.encode(), password=None)
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(pem.encode(), password=b"not the passphrase")


def test_a_key_from_before_encryption_still_signs_and_verifies():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hmskort.core.signing import _public_jwk, jwk_thumbprint, key_cache_clear

    private = Ed25519PrivateKey.generate()
    jwk = _public_jwk(private.public_key())
    kid = jwk_thumbprint(jwk)[:16]
    plain = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    SigningKey.objects.create(
        kid=kid, private_key_pem=plain, public_jwk={**jwk, "kid": kid}, is_active=True
    )
    key_cache_clear()
    token = sign_token({"exp": _exp()}, typ=TYP, now=NOW)
    assert json.loads(_b64d(token.split(".")[0]))["kid"] == kid
    assert verify_token(token, typ=TYP, now=NOW)["exp"] == _exp()


def test_signing_and_verifying_touch_no_database_once_keys_are_loaded(
    django_assert_num_queries,
):
    token = sign_token({"exp": _exp()}, typ=TYP, now=NOW)
    verify_token(token, typ=TYP, now=NOW)
    with django_assert_num_queries(0):
        for _ in range(50):
            verify_token(sign_token({"exp": _exp()}, typ=TYP, now=NOW), typ=TYP, now=NOW)


def test_a_key_created_by_another_process_verifies_at_once():
    from hmskort.core.signing import _cache

    verify_token(sign_token({"exp": _exp()}, typ=TYP, now=NOW), typ=TYP, now=NOW)
    # Another process rotates: this one still holds the old keys in memory.
    held = dict(_cache)
    signing_key_rotate(now=NOW)
    new_token = sign_token({"exp": _exp()}, typ=TYP, now=NOW)
    _cache.clear()
    _cache["verifying"] = held["verifying"]
    assert verify_token(new_token, typ=TYP, now=NOW)["exp"] == _exp()
