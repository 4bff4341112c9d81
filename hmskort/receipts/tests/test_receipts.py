from __future__ import annotations

import base64
import re

import pytest
from django.utils import timezone

from hmskort.cards.models import ActorType, CardState
from hmskort.cards.qr import card_qr_token
from hmskort.cards.services.transitions import card_transition
from hmskort.core.signing import TokenInvalid, verify_token
from hmskort.receipts import recorder
from hmskort.receipts.models import CardCheck
from hmskort.receipts.services import RECEIPT_TYP, checks_flush

pytestmark = pytest.mark.django_db


def _api_check(client, level1, number) -> dict:
    response = client.get(f"/api/v1/cards/{number}", **level1.headers)
    assert response.status_code == 200, response.content
    return response.json()


def _api_receipt(client, level1, check_id) -> str:
    response = client.get(f"/api/v1/receipts/{check_id}", **level1.headers)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _alter_one_byte(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    at = raw.index(b'"valid"') + 2  # "valid" -> "xalid"
    raw[at] = ord("x")
    altered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return f"{header}.{altered}.{signature}"


def test_every_api_answer_carries_a_check_id_whose_receipt_states_the_answer(
    client, level1, company
):
    answer = _api_check(client, level1, company.card.card_number)
    assert re.fullmatch(r"[0-9a-f-]{36}", answer["check_id"])
    # Not flushed yet: the receipt still works (written on demand).
    assert not CardCheck.objects.exists()
    token = _api_receipt(client, level1, answer["check_id"])
    claims = verify_token(token, typ=RECEIPT_TYP)
    assert claims["jti"] == answer["check_id"]
    assert claims["status"] == "valid" and claims["reasons"] == []
    assert claims["card_number"] == company.card.card_number
    assert claims["channel"] == "api"
    assert claims["checked_by"] == "Hovedentreprenør Kontroll AS"
    assert claims["employer"]["orgnr"] == company.orgnr
    assert "holder_name" not in claims  # the status answer showed no name


def test_altering_one_byte_of_a_receipt_makes_it_invalid(client, level1, company):
    answer = _api_check(client, level1, company.card.card_number)
    token = _api_receipt(client, level1, answer["check_id"])
    with pytest.raises(TokenInvalid):
        verify_token(_alter_one_byte(token), typ=RECEIPT_TYP)
    page = client.post("/kvittering/verifiser", {"kvittering": _alter_one_byte(token)})
    assert page.status_code == 400
    assert "ikke gyldig" in page.content.decode()
    page = client.post("/kvittering/verifiser", {"kvittering": "tull.og.tøys"})
    assert "ikke gyldig" in page.content.decode()


def test_a_receipt_still_proves_what_was_answered_after_the_card_became_invalid(
    client, level1, company
):
    answer = _api_check(client, level1, company.card.card_number)
    assert answer["status"] == "valid"
    card_transition(
        card=company.card,
        to_state=CardState.INVALID,
        reason_codes=("EMPLOYMENT_ENDED",),
        actor_type=ActorType.JOB,
    )
    assert _api_check(client, level1, company.card.card_number)["status"] == "invalid"
    checks_flush()
    token = _api_receipt(client, level1, answer["check_id"])
    assert verify_token(token, typ=RECEIPT_TYP)["status"] == "valid"
    page = client.get(f"/kvittering/verifiser?t={token}")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-verdict="valid"' in html
    assert 'data-status="valid"' in html


def test_a_public_lookup_has_a_receipt_link_and_its_receipt_has_no_name(client, company):
    page = client.get("/status", {"kortnummer": company.card.card_number})
    html = page.content.decode()
    check_id = re.search(r'href="/kvittering/([0-9a-f-]{36})"', html).group(1)
    receipt = client.get(f"/kvittering/{check_id}")
    text = receipt.content.decode()
    assert receipt.status_code == 200
    assert company.card.card_number in text
    assert company.person_name not in text and "Quorvalsen" not in text
    token = client.get(f"/kvittering/{check_id}/kvittering.jws").content.decode()
    claims = verify_token(token, typ=RECEIPT_TYP)
    assert claims["channel"] == "public" and "holder_name" not in claims
    assert "checked_by" not in claims
    pdf = client.get(f"/kvittering/{check_id}/kvittering.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_qr_scan_receipt_repeats_the_name_the_qr_page_showed(client, company):
    page = client.get(f"/qr/{card_qr_token(company.card)}")
    check_id = re.search(r'href="/kvittering/([0-9a-f-]{36})"', page.content.decode()).group(1)
    claims = verify_token(
        client.get(f"/kvittering/{check_id}/kvittering.jws").content.decode(), typ=RECEIPT_TYP
    )
    assert claims["channel"] == "qr" and claims["holder_name"] == company.card.holder_name


def test_an_unknown_receipt_is_404(client, level1):
    assert client.get("/kvittering/6f1c1f0e-0000-4000-8000-000000000000").status_code == 404
    response = client.get("/api/v1/receipts/6f1c1f0e-0000-4000-8000-000000000000", **level1.headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "receipt_not_found"


def test_the_receipt_pdf_qr_code_opens_the_verification_page(client, level1, company):
    from hmskort.receipts.pdf import verify_url

    answer = _api_check(client, level1, company.card.card_number)
    token = _api_receipt(client, level1, answer["check_id"])
    url = verify_url(token)
    assert url.endswith(f"/kvittering/verifiser?t={token}")
    pdf = client.get(f"/kvittering/{answer['check_id']}/kvittering.pdf").content
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_checks_are_written_once_in_bulk(client, level1, company):
    ids = [_api_check(client, level1, company.card.card_number)["check_id"] for _ in range(5)]
    assert recorder.spool_pending() == 5
    assert checks_flush() == 5
    assert checks_flush() == 0
    assert sorted(str(i) for i in CardCheck.objects.values_list("pk", flat=True)) == sorted(ids)
    check = CardCheck.objects.get(pk=ids[0])
    assert check.checked_at <= timezone.now() and check.api_client_id == level1.client.pk
