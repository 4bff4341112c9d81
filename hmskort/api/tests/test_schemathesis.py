"""Property-based tests of the published OpenAPI documents (schemathesis, in-process
against the Django WSGI app): no 5xx, and every answer matches the document."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hmskort.api.models import ApiLevel
from hmskort.api.tests.conftest import _company, _user

APP = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

schema_v1 = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
schema_v2 = schemathesis.openapi.from_wsgi("/api/v2/openapi.json", APP)


@pytest.fixture
def in_process(db):
    """Run WSGI requests inside the test's transaction, as Django's test client
    does: without this, request_finished would close the connection mid-test."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def level1_headers(in_process):
    _company("Schema", "Testesen")
    return {"Authorization": f"Bearer {_user(ApiLevel.LEVEL1).token}"}


@pytest.fixture
def level2_headers(in_process):
    company = _company("Schema", "Nivåtoesen")
    return {"Authorization": f"Bearer {_user(ApiLevel.LEVEL2, company.orgnr).token}"}


def _call_and_validate(case, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
    # The token is valid for this API: an auth error would mean nothing was tested.
    assert response.status_code not in (401, 403), response.text


@schema_v1.parametrize()
@SETTINGS
def test_api_v1_conforms_to_its_openapi_document(case, level1_headers):
    _call_and_validate(case, level1_headers)


@schema_v2.parametrize()
@SETTINGS
def test_api_v2_conforms_to_its_openapi_document(case, level2_headers):
    _call_and_validate(case, level2_headers)


def test_success_answers_conform_to_the_documents(in_process):
    """Random inputs rarely hit real cards; check the success answers explicitly."""
    from hmskort.cards.qr import card_qr_token
    from hmskort.registers.models import Enhet
    from hmskort.registers.tests.factories import ArbeidsforholdFactory, PersonFactory

    company = _company("Schema", "Suksessen")
    level1 = {"Authorization": f"Bearer {_user(ApiLevel.LEVEL1).token}"}
    level2 = {"Authorization": f"Bearer {_user(ApiLevel.LEVEL2, company.orgnr).token}"}
    worker = PersonFactory()
    ArbeidsforholdFactory(arbeidsgiver=Enhet.objects.get(pk=company.orgnr), arbeidstaker=worker)
    number = company.card.card_number

    cases = [
        (
            schema_v1["/api/v1/cards/{card_number}"]["GET"].Case(
                path_parameters={"card_number": number}
            ),
            level1,
            200,
        ),
        (
            schema_v1["/api/v1/qr"]["POST"].Case(
                body={"token": card_qr_token(company.card)}, media_type="application/json"
            ),
            level1,
            200,
        ),
        (
            schema_v2["/api/v2/cards/{card_number}"]["GET"].Case(
                path_parameters={"card_number": number}
            ),
            level2,
            200,
        ),
        (
            schema_v2["/api/v2/employees/{person_id}"]["GET"].Case(
                path_parameters={"person_id": company.person_id}
            ),
            level2,
            200,
        ),
        (
            schema_v2["/api/v2/orders"]["POST"].Case(
                headers={"Idempotency-Key": "success-order"},
                body={
                    "holder_id": worker.identifikator,
                    "card_type": "BA",
                    "employment_contract_declared": True,
                    "lawful_pay_declared": True,
                },
                media_type="application/json",
            ),
            level2,
            201,
        ),
        (
            schema_v2["/api/v2/orders"]["POST"].Case(
                headers={"Idempotency-Key": "refused-order"},
                body={
                    "holder_id": company.person_id,
                    "card_type": "BA",
                    "employment_contract_declared": True,
                    "lawful_pay_declared": True,
                },
                media_type="application/json",
            ),
            level2,
            422,
        ),
        (
            schema_v2["/api/v2/cards/{card_number}/block"]["POST"].Case(
                path_parameters={"card_number": number},
                headers={"Idempotency-Key": "block"},
                body={"reason": "lost"},
                media_type="application/json",
            ),
            level2,
            200,
        ),
    ]
    for case, auth, expected in cases:
        response = case.call(headers=auth)
        assert response.status_code == expected, (case.path, response.text)
        case.validate_response(response, checks=CHECKS)
