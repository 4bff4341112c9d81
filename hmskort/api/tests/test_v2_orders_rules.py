"""API level 2 orders follow the portal's order rules: the industry's order
declaration (VT: goods for payment within the weight limit) and a written
justification, reviewed in the caseworker queue, for a card type outside the
company's NACE codes."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.utils import timezone

from hmskort.api.models import ApiCardOrder, ApiLevel
from hmskort.api.tests.conftest import ApiUser, _user
from hmskort.cards.models import Card, CardState
from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.casework.services import case_decide
from hmskort.portal.tests.factories import documents_approved_for
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory
from hmskort.verification.selectors import inspector_card_view

pytestmark = pytest.mark.django_db

JSON = "application/json"
ORDERS = "/api/v2/orders"


def _body(holder_id: str, card_type: str, **overrides) -> dict:
    return {
        "holder_id": holder_id,
        "card_type": card_type,
        "employment_contract_declared": True,
        "lawful_pay_declared": True,
        **overrides,
    }


def _post(api, user: ApiUser, body: dict, key: str = "key-1"):
    return api.post(ORDERS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key, **user.headers)


@pytest.fixture
def courier(db):
    """A courier company (NACE 53.200: VT fits) with a driver and a level-2 client."""
    enhet = EnhetFactory(navn="Bud og Bil AS", naeringskode1="53.200")
    driver = ArbeidsforholdFactory(arbeidsgiver=enhet)
    return enhet, driver, _user(ApiLevel.LEVEL2, enhet.organisasjonsnummer, enhet.navn)


@pytest.fixture
def builder(db):
    """A construction company (NACE 43.221: BA fits, VT does not) with a worker."""
    enhet = EnhetFactory(navn="Bygg og Betong AS", naeringskode1="43.221")
    worker = ArbeidsforholdFactory(arbeidsgiver=enhet)
    return enhet, worker, _user(ApiLevel.LEVEL2, enhet.organisasjonsnummer, enhet.navn)


def _error(response) -> str:
    return response.json()["error"]["code"]


# --- the industry's order declaration ---------------------------------------------------


def test_vt_order_without_the_declaration_is_refused_and_creates_nothing(api, courier):
    enhet, driver, user = courier
    response = _post(api, user, _body(driver.arbeidstaker_id, "VT"))

    assert response.status_code == 400, response.content
    assert _error(response) == "industry_declaration_required"
    assert "3 500 kg" in response.json()["error"]["message"]
    assert not Card.objects.filter(holder_id=driver.arbeidstaker_id).exists()
    assert not ApiCardOrder.objects.exists()
    # the refusal is the stored answer for the key; a new key with the declaration works
    replay = _post(api, user, _body(driver.arbeidstaker_id, "VT"))
    assert replay["Idempotent-Replayed"] == "true" and _error(replay) == _error(response)
    ok = _post(
        api, user, _body(driver.arbeidstaker_id, "VT", industry_declaration_confirmed=True), "k2"
    )
    assert ok.status_code == 201, ok.content


def test_vt_order_stores_the_declaration_and_inspectors_see_it(api, courier):
    enhet, driver, user = courier
    documents_approved_for(driver)
    response = _post(
        api, user, _body(driver.arbeidstaker_id, "VT", industry_declaration_confirmed=True)
    )

    assert response.status_code == 201, response.content
    body = response.json()
    order = ApiCardOrder.objects.get(pk=body["order_id"])
    declaration = order.industry_declaration
    assert declaration["card_type"] == "VT"
    assert "3 500 kg" in declaration["text"] and "3,500 kg" in declaration["text_en"]
    assert declaration["confirmed_by"] == user.client.client_id
    assert declaration["confirmed_at"]
    assert order.nace_justification == ""  # VT fits a courier: no justification asked
    assert not Case.objects.filter(kind=CaseKind.NACE_JUSTIFICATION).exists()

    # the read-out shows it
    assert body["industry_declaration"]["text"] == declaration["text"]
    assert body["industry_declaration"]["confirmed_by"] == user.client.client_id
    read = api.get(f"{ORDERS}/{order.pk}", **user.headers).json()
    assert read["industry_declaration"]["card_type"] == "VT"
    assert read["nace_justification"] == ""

    # ... and so does the inspector's card page
    card = order.card
    assert card.card_type == "VT" and card.state == CardState.PENDING
    view = inspector_card_view(card.card_number, today=timezone.localdate())
    assert [d.card_type for d in view.order_declarations] == ["VT"]
    assert "3 500 kg" in view.order_declarations[0].text
    assert view.order_declarations[0].order_reference == f"API-{order.pk}"


def test_card_types_without_a_declaration_ask_none(api, builder):
    enhet, worker, user = builder
    response = _post(api, user, _body(worker.arbeidstaker_id, "BA"))
    assert response.status_code == 201, response.content
    assert response.json()["industry_declaration"] is None
    assert ApiCardOrder.objects.get().industry_declaration == {}


# --- NACE justification ------------------------------------------------------------------


def test_wrong_nace_without_a_justification_is_refused_and_creates_nothing(api, builder):
    enhet, worker, user = builder
    for key, text in (("k1", None), ("k2", "   ")):
        extra = {"industry_declaration_confirmed": True}
        if text is not None:
            extra["nace_justification"] = text
        response = _post(api, user, _body(worker.arbeidstaker_id, "VT", **extra), key)
        assert response.status_code == 400, response.content
        assert _error(response) == "nace_justification_required"
    assert not Card.objects.filter(holder_id=worker.arbeidstaker_id).exists()
    assert not ApiCardOrder.objects.exists()
    assert not Case.objects.filter(kind=CaseKind.NACE_JUSTIFICATION).exists()


def test_the_industry_declaration_is_asked_before_the_justification(api, builder):
    enhet, worker, user = builder
    response = _post(api, user, _body(worker.arbeidstaker_id, "VT", nace_justification="Bud."))
    assert _error(response) == "industry_declaration_required"
    assert not Case.objects.exists()


def _justified_vt_order(api, builder, text="Vi har egen budavdeling.", key="key-1"):
    enhet, worker, user = builder
    body = _body(
        worker.arbeidstaker_id, "VT", industry_declaration_confirmed=True, nace_justification=text
    )
    return _post(api, user, body, key)


def test_wrong_nace_with_a_justification_waits_for_the_caseworker_and_continues(api, builder):
    enhet, worker, user = builder
    documents_approved_for(worker)
    response = _justified_vt_order(api, builder, "  Vi har egen budavdeling.  ")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nace_justification"] == "Vi har egen budavdeling."
    assert body["card"]["status"] == "pending"
    assert [r["code"] for r in body["card"]["reasons"]] == ["NACE_JUSTIFICATION_PENDING"]
    order = ApiCardOrder.objects.get(pk=body["order_id"])
    assert order.nace_justification == "Vi har egen budavdeling."
    card = order.card
    assert card.state == CardState.PENDING
    assert card.reason_codes == ["NACE_JUSTIFICATION_PENDING"]
    # the order's first history row already says why it waits
    assert card.history.get().reason_codes == ["NACE_JUSTIFICATION_PENDING"]

    case = Case.objects.get(kind=CaseKind.NACE_JUSTIFICATION)
    assert case.status == CaseStatus.OPEN
    assert (case.object_type, case.object_id) == ("api.apicardorder", str(order.pk))
    assert case.card_id == card.pk
    assert (case.orgnr, case.subject_id) == (enhet.organisasjonsnummer, worker.arbeidstaker_id)
    assert case.details["card_type"] == "VT"
    assert case.details["justification"] == "Vi har egen budavdeling."
    assert case.details["order_reference"] == f"API-{order.pk}"
    assert case.details["nace_codes"] == ["43.221"]
    assert case.opened_by == user.client.client_id

    with TestCase.captureOnCommitCallbacks(execute=True):
        case_decide(case=case, approved=True, decided_by="saksbehandler")
    card.refresh_from_db()
    assert card.state == CardState.IN_PRODUCTION


def test_a_rejected_justification_rejects_the_api_order(api, builder):
    _justified_vt_order(api, builder, "Trenger det.")
    case = Case.objects.get(kind=CaseKind.NACE_JUSTIFICATION)
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_decide(case=case, approved=False, decided_by="saksbehandler")
    card = ApiCardOrder.objects.get().card
    card.refresh_from_db()
    assert card.state == CardState.REJECTED
    assert card.reason_codes == ["NACE_JUSTIFICATION_REJECTED"]


def test_a_retried_justified_order_opens_one_case(api, builder):
    first = _justified_vt_order(api, builder)
    again = _justified_vt_order(api, builder)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ApiCardOrder.objects.count() == 1
    assert Case.objects.filter(kind=CaseKind.NACE_JUSTIFICATION).count() == 1


def test_a_second_order_while_the_first_waits_opens_no_second_case(api, builder):
    assert _justified_vt_order(api, builder).status_code == 201
    second = _justified_vt_order(api, builder, "Igjen.", key="key-2")
    # the rules refuse it (a card is already on order), not the justification check
    assert second.status_code == 422, second.content
    assert _error(second) == "card_order_refused"
    assert [r["code"] for r in second.json()["error"]["reasons"]] == ["ALREADY_ORDERED"]
    assert Case.objects.filter(kind=CaseKind.NACE_JUSTIFICATION).count() == 1
    assert ApiCardOrder.objects.count() == 1


def test_a_justification_for_a_fitting_card_type_is_not_needed(api, courier):
    enhet, driver, user = courier
    response = _post(
        api,
        user,
        _body(
            driver.arbeidstaker_id,
            "VT",
            industry_declaration_confirmed=True,
            nace_justification="Unødvendig.",
        ),
    )
    assert response.status_code == 201, response.content
    assert response.json()["nace_justification"] == ""
    assert not Case.objects.exists()


def test_the_justification_has_a_length_limit(api, builder):
    response = _justified_vt_order(api, builder, "x" * 2001)
    assert response.status_code == 422
    assert "nace_justification" in response.json()["error"]["fields"]


def test_the_openapi_document_says_which_industries_need_a_declaration(api):
    schema = api.get("/api/v2/openapi.json").json()["components"]["schemas"]["OrderIn"]
    text = schema["properties"]["industry_declaration_confirmed"]["description"]
    assert "VT" in text and "order declaration" in text
    assert schema["properties"]["nace_justification"]["maxLength"] == 2000
