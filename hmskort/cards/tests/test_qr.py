"""Card QR tokens: what they carry, how long they work, and that a card number
alone cannot make one."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zoneinfo

import pytest

from hmskort.cards.qr import (
    QR_TOKEN_TYP,
    card_from_qr_token,
    card_qr_token,
    card_qr_url,
)
from hmskort.cards.tests.factories import CardFactory
from hmskort.core.signing import TokenExpired, TokenInvalid, b64url_encode

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=OSLO)


def _claims(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_a_card_token_works_until_the_end_of_the_cards_last_valid_day():
    card = CardFactory(active=True, valid_until=dt.date(2026, 6, 30))
    token = card_qr_token(card, now=NOW)
    claims = _claims(token)
    assert claims["cn"] == card.card_number and claims["tmp"] is False
    assert claims["iat"] == int(NOW.timestamp())

    last_moment = dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=OSLO)
    number, verified = card_from_qr_token(token, now=last_moment)
    assert number == card.card_number and verified["tmp"] is False
    with pytest.raises(TokenExpired) as info:
        card_from_qr_token(token, now=dt.datetime(2026, 7, 1, 0, 0, tzinfo=OSLO))
    assert info.value.claims["cn"] == card.card_number


def test_a_temporary_cards_token_works_sixty_days():
    card = CardFactory(in_production=True)
    token = card_qr_token(card, valid_days=60, now=NOW)
    assert _claims(token)["tmp"] is True
    assert card_from_qr_token(token, now=NOW + dt.timedelta(days=59, hours=23))[0] == (
        card.card_number
    )
    with pytest.raises(TokenExpired):
        card_from_qr_token(token, now=NOW + dt.timedelta(days=60))


def test_a_card_without_a_validity_date_needs_valid_days():
    card = CardFactory()  # pending order
    with pytest.raises(ValueError):
        card_qr_token(card, now=NOW)
    assert _claims(card_qr_token(card, valid_days=60, now=NOW))["tmp"] is True


def test_a_card_number_alone_cannot_make_a_valid_token():
    card = CardFactory(active=True, valid_until=dt.date(2026, 6, 30))
    genuine = card_qr_token(card, now=NOW)
    header = genuine.split(".")[0]
    payload = {"cn": card.card_number, "iat": 0, "exp": 2_000_000_000, "tmp": False}
    body = b64url_encode(json.dumps(payload).encode())
    for signature in ("", b64url_encode(b"\0" * 64), genuine.split(".")[2]):
        with pytest.raises(TokenInvalid):
            card_from_qr_token(f"{header}.{body}.{signature}", now=NOW)


def test_the_url_is_absolute_under_the_public_base_url(settings):
    settings.HMSKORT_PUBLIC_BASE_URL = "https://hmskort.example/"
    card = CardFactory(active=True, valid_until=dt.date(2026, 6, 30))
    url = card_qr_url(card, now=NOW)
    assert url.startswith("https://hmskort.example/qr/")
    token = url.rsplit("/", 1)[1]
    assert card_from_qr_token(token, now=NOW)[0] == card.card_number
    # Short enough for a QR code on a card.
    assert len(url) < 300


def test_other_signed_tokens_are_not_qr_tokens():
    from hmskort.core.signing import sign_token

    exp = int((NOW + dt.timedelta(days=10)).timestamp())
    token = sign_token({"cn": "1234567890", "exp": exp}, typ="digital-card", now=NOW)
    with pytest.raises(TokenInvalid):
        card_from_qr_token(token, now=NOW)
    assert QR_TOKEN_TYP != "digital-card"
