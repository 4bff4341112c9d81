"""API level 1: card status by number (no personal data) and by QR token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hmskort.cards.numbers import check_digit
from hmskort.cards.qr import card_qr_token
from hmskort.cards.tests.factories import CardFactory
from hmskort.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_status_answer_has_status_company_and_no_personal_data(api, level1, company_a):
    card = company_a.card
    response = api.get(f"/api/v1/cards/{card.card_number}", **level1.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["card_number"] == card.card_number
    assert body["status"] == "valid" and body["valid"] is True
    assert body["employer"] == {"orgnr": company_a.orgnr, "name": company_a.name}
    assert body["card_type"] == "BA"
    assert body["valid_until"] == card.valid_until.isoformat()
    raw = response.content.decode()
    # Neither the holder's name, nor identifier, nor birth date is anywhere in the answer.
    for needle in ("Zyxwinda", "Quorvalsen", company_a.person_id, company_a.person_id[:6]):
        assert needle not in raw
    assert "holder" not in body and "photo" not in raw and "birth" not in raw


def test_invalid_card_gives_reason_code_and_text_in_the_asked_language(api, level1):
    card = CardFactory(invalid=True)
    nb = api.get(f"/api/v1/cards/{card.card_number}", **level1.headers).json()
    en = api.get(
        f"/api/v1/cards/{card.card_number}", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8", **level1.headers
    ).json()

    assert nb["status"] == "invalid" and nb["valid"] is False
    assert [r["code"] for r in nb["reasons"]] == ["EMPLOYMENT_NOT_REGISTERED"]
    assert nb["reasons"][0]["text"] != en["reasons"][0]["text"]
    assert "Aa-registeret" in nb["reasons"][0]["text"]
    assert en["status_text"] == "Invalid" and nb["status_text"] == "Ugyldig"
    assert en["industry"] != nb["industry"]


def test_card_past_its_validity_date_answers_expired_before_the_nightly_job(api, level1):
    card = CardFactory(active=True, valid_until=timezone.localdate() - dt.timedelta(days=1))
    body = api.get(f"/api/v1/cards/{card.card_number}", **level1.headers).json()
    assert body["status"] == "expired" and body["valid"] is False
    assert [r["code"] for r in body["reasons"]] == ["CARD_EXPIRED"]


def test_card_number_with_spaces_is_found(api, level1, company_a):
    n = company_a.card.card_number
    response = api.get(f"/api/v1/cards/{n[:4]}%20{n[4:8]}%20{n[8:]}", **level1.headers)
    assert response.status_code == 200


def test_wrong_check_digit_is_422_and_unknown_number_is_404(api, level1, company_a):
    n = company_a.card.card_number
    typo = n[:-1] + str((int(n[-1]) + 1) % 10)
    bad = api.get(f"/api/v1/cards/{typo}", **level1.headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_card_number"
    assert "card_number" in bad.json()["error"]["fields"]

    payload = "987654321"
    unknown = payload + check_digit(payload)
    missing = api.get(f"/api/v1/cards/{unknown}", **level1.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "card_not_found"


def test_status_look_up_is_one_query_after_the_token_is_cached(
    api, level1, company_a, django_assert_num_queries
):
    url = f"/api/v1/cards/{company_a.card.card_number}"
    assert api.get(url, **level1.headers).status_code == 200  # warms the token cache
    with django_assert_num_queries(1):
        assert api.get(url, **level1.headers).status_code == 200


def test_malformed_number_costs_no_query(api, level1, django_assert_num_queries):
    api.get("/api/v1/ping", **level1.headers)
    with django_assert_num_queries(0):
        assert api.get("/api/v1/cards/12345", **level1.headers).status_code == 422


def test_qr_look_up_adds_holder_name_and_birth_date_and_is_audited(api, level1, company_a):
    token = card_qr_token(company_a.card)
    response = api.post(
        "/api/v1/qr", {"token": token}, content_type="application/json", **level1.headers
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["card_number"] == company_a.card.card_number
    assert body["holder"]["name"] == company_a.person_name
    assert body["holder"]["birth_date"] is not None
    assert company_a.person_id not in response.content.decode()  # the fnr itself is not shown
    event = AuditEvent.objects.get(action="qr_lookup")
    assert event.actor_type == "api"
    assert event.actor == level1.client.client_id
    assert event.subject_id == company_a.person_id
    assert event.object_id == company_a.card.card_number


def test_tampered_qr_token_is_refused(api, level1, company_a):
    token = card_qr_token(company_a.card)
    head, payload, sig = token.split(".")
    tampered = ".".join([head, payload, ("A" if sig[0] != "A" else "B") + sig[1:]])
    response = api.post(
        "/api/v1/qr", {"token": tampered}, content_type="application/json", **level1.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "qr_token_invalid"
    assert not AuditEvent.objects.filter(action="qr_lookup").exists()


def test_openapi_document_is_published(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert "/api/v1/cards/{card_number}" in doc["paths"]
    assert "/api/v1/qr" in doc["paths"]


def test_order_reasons_of_a_card_never_issued_are_not_public(api, level1):
    card = CardFactory(reason_codes=["WORK_PERMIT_MISSING"])  # a pending order
    body = api.get(f"/api/v1/cards/{card.card_number}", **level1.headers).json()
    assert body["status"] == "pending" and body["valid"] is False
    assert body["reasons"] == []
