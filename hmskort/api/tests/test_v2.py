"""API level 2: one company's data only, idempotent POSTs, validation errors."""

from __future__ import annotations

import pytest

from hmskort.api.models import ApiCardOrder, IdempotencyRecord
from hmskort.cards.models import Card, CardState
from hmskort.core.models import AuditEvent
from hmskort.registers.tests.factories import ArbeidsforholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _new_employee(orgnr: str) -> str:
    from hmskort.registers.models import Enhet

    person = PersonFactory()
    ArbeidsforholdFactory(arbeidsgiver=Enhet.objects.get(pk=orgnr), arbeidstaker=person)
    return person.identifikator


def _order_body(holder_id: str, **overrides) -> dict:
    return {
        "holder_id": holder_id,
        "card_type": "BA",
        "employment_contract_declared": True,
        "lawful_pay_declared": True,
        **overrides,
    }


def _post(api, user, url, body, key="key-1", **extra):
    headers = {**user.headers, **extra}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return api.post(url, body, content_type=JSON, **headers)


# --- the company boundary ---------------------------------------------------------


def test_lists_only_own_employees_with_their_cards(api, level2_a, company_a, company_b):
    response = api.get("/api/v2/employees", **level2_a.headers)

    assert response.status_code == 200
    body = response.json()
    assert [e["person_id"] for e in body["items"]] == [company_a.person_id]
    assert body["items"][0]["cards"][0]["card_number"] == company_a.card.card_number
    assert company_b.person_id not in response.content.decode()
    assert AuditEvent.objects.filter(
        action="employees_list", subject_id=company_a.person_id
    ).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/employees/{person_id}",
        "/api/v2/cards/{card_number}",
        "/api/v2/orders/{order_id}",
    ],
)
def test_other_companys_people_cards_and_orders_are_404_by_id(
    api, level2_a, level2_b, company_a, company_b, url
):
    holder_b = _new_employee(company_b.orgnr)
    order_b = _post(api, level2_b, "/api/v2/orders", _order_body(holder_b)).json()["order_id"]
    ids = {
        "person_id": company_b.person_id,
        "card_number": company_b.card.card_number,
        "order_id": order_b,
    }
    # Company B's own client reaches them ...
    assert api.get(url.format(**ids), **level2_b.headers).status_code == 200
    # ... company A's client is told they do not exist.
    response = api.get(url.format(**ids), **level2_a.headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] in {"not_found", "card_not_found"}
    assert company_b.person_name not in response.content.decode()


def test_cannot_block_another_companys_card(api, level2_a, company_b):
    response = _post(
        api,
        level2_a,
        f"/api/v2/cards/{company_b.card.card_number}/block",
        {"reason": "lost"},
    )
    assert response.status_code == 404
    assert Card.objects.get(pk=company_b.card.pk).state == CardState.ACTIVE


def test_order_for_someone_not_employed_here_waits_and_touches_no_other_company(
    api, level2_a, level2_b, company_a, company_b
):
    # Ordering is always for the client's own company: a person employed only by
    # company B gets a card order under A, pending until Aa-registeret shows the
    # employment (the core's rule); B's cards and orders are untouched.
    response = _post(api, level2_a, "/api/v2/orders", _order_body(company_b.person_id))
    assert response.status_code == 201
    card = response.json()["card"]
    assert card["employer"]["orgnr"] == company_a.orgnr
    assert card["status"] == "pending"
    # ... and until its photo and ID are uploaded and approved (the gate on orders).
    assert [r["code"] for r in card["reasons"]] == [
        "EMPLOYMENT_NOT_REGISTERED",
        "DOCUMENTS_MISSING",
    ]
    b_cards = api.get("/api/v2/cards", **level2_b.headers).json()
    assert [c["card_number"] for c in b_cards["items"]] == [company_b.card.card_number]
    assert api.get("/api/v2/orders", **level2_b.headers).json()["total"] == 0


def test_card_list_is_the_own_companys(api, level2_a, company_a, company_b):
    body = api.get("/api/v2/cards", **level2_a.headers).json()
    assert [c["card_number"] for c in body["items"]] == [company_a.card.card_number]
    assert body["items"][0]["holder"]["person_id"] == company_a.person_id


# --- ordering ------------------------------------------------------------------------


def test_order_creates_a_pending_card_with_the_declaration(api, level2_a, company_a):
    holder = _new_employee(company_a.orgnr)
    response = _post(api, level2_a, "/api/v2/orders", _order_body(holder))

    assert response.status_code == 201, response.content
    body = response.json()
    card = Card.objects.get(card_number=body["card"]["card_number"])
    assert card.employer_orgnr == company_a.orgnr and card.holder_id == holder
    assert card.state == CardState.PENDING
    assert card.history.get().actor_type == "api"
    order = ApiCardOrder.objects.get(pk=body["order_id"])
    assert order.employment_contract_declared and order.lawful_pay_declared
    assert (
        api.get(f"/api/v2/orders/{order.pk}", **level2_a.headers).json()["card"]["status"]
        == "pending"
    )


def test_same_idempotency_key_and_body_orders_once(api, level2_a, company_a):
    holder = _new_employee(company_a.orgnr)
    first = _post(api, level2_a, "/api/v2/orders", _order_body(holder), key="order-42")
    again = _post(api, level2_a, "/api/v2/orders", _order_body(holder), key="order-42")

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Card.objects.filter(holder_id=holder).count() == 1
    assert ApiCardOrder.objects.count() == 1


def test_same_key_with_another_body_is_409(api, level2_a, company_a):
    holder = _new_employee(company_a.orgnr)
    other = _new_employee(company_a.orgnr)
    assert _post(api, level2_a, "/api/v2/orders", _order_body(holder), key="k").status_code == 201
    response = _post(api, level2_a, "/api/v2/orders", _order_body(other), key="k")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not Card.objects.filter(holder_id=other).exists()


def test_idempotency_keys_are_per_client(api, level2_a, level2_b, company_a, company_b):
    holder_a = _new_employee(company_a.orgnr)
    holder_b = _new_employee(company_b.orgnr)
    assert _post(api, level2_a, "/api/v2/orders", _order_body(holder_a), key="x").status_code == 201
    assert _post(api, level2_b, "/api/v2/orders", _order_body(holder_b), key="x").status_code == 201
    assert IdempotencyRecord.objects.count() == 2


def test_refused_order_is_422_with_reasons_and_is_replayed_not_retried(api, level2_a, company_a):
    # The holder already has a valid card with this employer.
    body = _order_body(company_a.person_id)
    first = _post(api, level2_a, "/api/v2/orders", body, key="dup")
    again = _post(api, level2_a, "/api/v2/orders", body, key="dup")

    assert first.status_code == 422
    error = first.json()["error"]
    assert error["code"] == "card_order_refused"
    assert "ALREADY_HAS_CARD" in [r["code"] for r in error["reasons"]]
    assert all(r["text"] for r in error["reasons"])
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


def test_post_without_idempotency_key_is_refused(api, level2_a, company_a):
    holder = _new_employee(company_a.orgnr)
    response = _post(api, level2_a, "/api/v2/orders", _order_body(holder), key=None)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Card.objects.filter(holder_id=holder).exists()


def test_block_lost_card_is_idempotent(api, level2_a, company_a):
    url = f"/api/v2/cards/{company_a.card.card_number}/block"
    first = _post(api, level2_a, url, {"reason": "stolen"}, key="b1")
    again = _post(api, level2_a, url, {"reason": "stolen"}, key="b1")

    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "blocked"
    assert first.json()["block_reason"] == "stolen"
    card = Card.objects.get(pk=company_a.card.pk)
    assert card.state == CardState.BLOCKED
    assert card.history.filter(to_state="blocked").count() == 1
    # The public status answer shows it at once.
    assert (
        AuditEvent.objects.filter(action="card_block", actor=level2_a.client.client_id).count() == 1
    )


# --- validation -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["employment_contract_declared", "lawful_pay_declared"])
@pytest.mark.parametrize("value", [False, None, "missing"])
def test_self_declaration_must_be_true(api, level2_a, company_a, field, value):
    holder = _new_employee(company_a.orgnr)
    body = _order_body(holder)
    if value == "missing":
        del body[field]
    else:
        body[field] = value
    response = _post(api, level2_a, "/api/v2/orders", body)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert not Card.objects.filter(holder_id=holder).exists()


def test_unknown_field_is_422_naming_it(api, level2_a, company_a):
    holder = _new_employee(company_a.orgnr)
    response = _post(api, level2_a, "/api/v2/orders", _order_body(holder, photo_url="x"))
    assert response.status_code == 422
    assert "photo_url" in response.json()["error"]["fields"]


def test_malformed_json_is_400_without_a_stack_trace(api, level2_a):
    response = api.post(
        "/api/v2/orders",
        '{"holder_id": ',
        content_type=JSON,
        HTTP_IDEMPOTENCY_KEY="m",
        **level2_a.headers,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert "Traceback" not in response.content.decode()


def test_bad_query_parameter_is_422_naming_it(api, level2_a):
    response = api.get("/api/v2/cards?limit=100000", **level2_a.headers)
    assert response.status_code == 422
    assert "limit" in response.json()["error"]["fields"]


def test_unknown_api_path_is_json_404(api, level2_a):
    response = api.get("/api/v2/nothing-here", **level2_a.headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_order_once(level2_a, company_a):
    import threading

    from django.db import connection
    from django.test import Client

    holder = _new_employee(company_a.orgnr)
    barrier = threading.Barrier(4)
    results: list[tuple[int, dict]] = []

    def send():
        try:
            client = Client()
            barrier.wait()
            response = _post(client, level2_a, "/api/v2/orders", _order_body(holder), key="race")
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [status for status, _ in results] == [201] * 4
    assert len({body["order_id"] for _, body in results}) == 1
    assert Card.objects.filter(holder_id=holder).count() == 1


# --- the photo / ID gate --------------------------------------------------------------------


def test_an_api_order_waits_for_an_approved_photo_and_id_then_goes_to_production(
    api, level2_a, company_a
):
    import datetime as dt

    from django.utils import timezone

    from hmskort.checks.services import orders_process_pending
    from hmskort.portal.tests.factories import UploadSetFactory
    from hmskort.portal.uploads.services import upload_set_review

    holder = _new_employee(company_a.orgnr)
    response = _post(api, level2_a, "/api/v2/orders", _order_body(holder), key="gate-1")
    assert response.status_code == 201
    card = response.json()["card"]
    assert card["status"] == "pending"
    assert [r["code"] for r in card["reasons"]] == ["DOCUMENTS_MISSING"]

    today = timezone.localdate()
    orders_process_pending(today=today)
    assert Card.objects.get(holder_id=holder).state == CardState.PENDING

    upload = UploadSetFactory(
        orgnr=company_a.orgnr, person_id=holder, status="pending_review"
    )  # as the v2 upload would store it
    upload_set_review(upload=upload, approve=True, reviewed_by="saksbehandler", today=today)
    number = card["card_number"]
    again = api.get(f"/api/v2/cards/{number}", **level2_a.headers).json()
    assert again["status"] != "pending"
    stored = Card.objects.get(card_number=number)
    assert stored.state == CardState.IN_PRODUCTION and stored.issue_date == today
    assert stored.valid_until > today + dt.timedelta(days=700)
