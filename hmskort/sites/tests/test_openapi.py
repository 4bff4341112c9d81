"""The gate and event-feed endpoints against the published v1 OpenAPI document
(schemathesis, in-process), with a bound reader (gate) and a level-1 client
subscribed to the site (feed) so the answers are real ones."""

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
from hmskort.api.services import api_client_create, api_token_issue
from hmskort.cards.models import BlockReason
from hmskort.cards.qr import card_live_qr_token
from hmskort.cards.services.lifecycle import card_block
from hmskort.checks.tests.helpers import employment_card
from hmskort.events.services import events_dispatch_all, subscriber_create

APP = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@pytest.fixture
def in_process(db):
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def reader_headers(in_process, reader):
    return {"Authorization": f"Bearer {reader.token}"}


@pytest.fixture
def vendor_headers(in_process, site):
    """A level-1 client subscribed to the site (the feed refuses a reader's token)."""
    issued = api_client_create(level=ApiLevel.LEVEL1, organisation_name="Vendor", approved_by="x")
    subscriber_create(
        name="Vendor", url="https://vendor.example/h", site_ids=[site.pk], api_client=issued.client
    )
    return {"Authorization": f"Bearer {api_token_issue(client=issued.client)}"}


@schema.include(path_regex="^/api/v1/gate/events$").parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_gate_conforms_for_a_reader(case, reader_headers):
    response = case.call(headers=reader_headers)
    case.validate_response(response, checks=CHECKS)
    assert response.status_code not in (401, 403, 404), response.text


@schema.include(path_regex="^/api/v1/events$").parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_feed_conforms_for_a_site_subscriber(case, vendor_headers):
    response = case.call(headers=vendor_headers)
    case.validate_response(response, checks=CHECKS)
    assert response.status_code not in (401, 403, 404), response.text


def test_success_answers_conform(in_process, reader, vendor_headers, contractor, worker_card):
    headers = {"Authorization": f"Bearer {reader.token}"}
    blocked = employment_card(enhet=contractor, active=True)
    card_block(card=blocked, reason=BlockReason.LOST, actor="x")
    events_dispatch_all()
    bodies = [
        {"event_id": "s-1", "direction": "in", "card_number": worker_card.card_number},
        {"event_id": "s-1", "direction": "in", "card_number": worker_card.card_number},
        {"event_id": "s-2", "direction": "in", "card_number": blocked.card_number},
        {"event_id": "s-3", "direction": "out", "live_token": card_live_qr_token(worker_card)},
    ]
    for body in bodies:
        case = schema["/api/v1/gate/events"]["POST"].Case(body=body, media_type="application/json")
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == 200
    case = schema["/api/v1/events"]["GET"].Case(query={"after": 0, "limit": 5})
    response = case.call(headers=vendor_headers)
    case.validate_response(response, checks=CHECKS)
    assert response.json()["items"][0]["card_number"] == blocked.card_number
