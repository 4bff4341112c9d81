"""The page a card's QR code opens, and the JWKS that lets anyone verify QR codes offline."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.urls import reverse
from django.utils import timezone

from hmskort.cards.qr import card_qr_token, card_qr_url
from hmskort.cards.tests.factories import CardFactory
from hmskort.core.signing import b64url_encode

pytestmark = pytest.mark.django_db


def _qr(client, token):
    return client.get(reverse("verification:qr", kwargs={"token": token}))


def _b64d(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_a_valid_cards_qr_shows_status_company_and_the_holders_name(client, make_card):
    card = make_card(active=True)
    response = _qr(client, card_qr_token(card))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Gyldig" in html and 'data-status="valid"' in html
    assert card.holder_name in html
    assert card.employer_name in html and card.employer_orgnr in html
    assert "Bilde kommer" in html  # photo placeholder until the uploads issue lands
    assert card.holder_id not in html  # the QR page adds the name, never the fødselsnummer
    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_invalid_cards_qr_shows_the_reason(client, make_card):
    card = make_card(invalid=True)
    html = _qr(client, card_qr_token(card)).content.decode()
    assert "Ugyldig – arbeidsforholdet er ikke registrert i Aa-registeret eller OAR" in html
    assert card.holder_name in html


def test_a_temporary_card_says_so(client, make_card):
    card = make_card(in_production=True)
    html = _qr(client, card_qr_token(card, valid_days=60)).content.decode()
    assert "Midlertidig kort" in html and card.holder_name in html


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-3] + ("abc" if not t.endswith("abc") else "xyz"),  # damaged signature
        lambda t: ".".join(
            [
                t.split(".")[0],
                b64url_encode(
                    json.dumps({**json.loads(_b64d(t.split(".")[1])), "cn": "1234567890"}).encode()
                ),
                t.split(".")[2],
            ]
        ),  # another card number, original signature
        lambda t: "not.a.token",
        lambda t: t.split(".")[0],
    ],
)
def test_a_tampered_or_damaged_qr_says_so(client, make_card, tamper):
    card = make_card(active=True)
    response = _qr(client, tamper(card_qr_token(card)))
    html = response.content.decode()
    assert response.status_code == 400
    assert "QR-koden er ikke gyldig (forfalsket eller skadet)" in html
    assert card.holder_name not in html and card.employer_name not in html


def test_a_temporary_cards_qr_after_60_days_is_expired(client, make_card):
    card = make_card(in_production=True)
    token = card_qr_token(card, valid_days=60, now=timezone.now() - dt.timedelta(days=61))
    response = _qr(client, token)
    html = response.content.decode()
    assert response.status_code == 410
    assert "QR-koden er utløpt" in html and "midlertidig kort" in html
    assert card.holder_name not in html
    # ... with a way to check the card itself by its number.
    assert f"kortnummer={card.card_number}" in html


def test_a_genuine_qr_for_a_card_we_do_not_have(client, make_card):
    card = make_card(active=True)
    token = card_qr_token(card)
    card.delete()
    response = _qr(client, token)
    assert response.status_code == 404
    assert "Fant ikke kortet" in response.content.decode()


def test_a_never_issued_card_shows_no_holder(client, make_card):
    card = make_card(cancelled=True)
    html = _qr(client, card_qr_token(card, valid_days=60)).content.decode()
    assert "Ikke utstedt" in html and card.holder_name not in html


def test_the_qr_url_verifies_offline_against_the_published_jwks(client, settings):
    settings.HMSKORT_PUBLIC_BASE_URL = "https://hmskort.example"
    card = CardFactory(active=True)
    url = card_qr_url(card)
    token = url.removeprefix("https://hmskort.example/qr/")

    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    published = response.content.decode()

    # A third party: only the JWKS JSON and `cryptography`.
    header_b64, payload_b64, sig_b64 = token.split(".")
    header = json.loads(_b64d(header_b64))
    key = next(k for k in json.loads(published)["keys"] if k["kid"] == header["kid"])
    Ed25519PublicKey.from_public_bytes(_b64d(key["x"])).verify(
        _b64d(sig_b64), f"{header_b64}.{payload_b64}".encode()
    )
    assert json.loads(_b64d(payload_b64))["cn"] == card.card_number
