"""A gate reader's credentials do exactly one thing: post gate events for its own
site. Its token has only the gate scope (`hmskort.gate`); every level-1 and
level-2 endpoint refuses it with 403 `insufficient_scope`, and it cannot get a
level-1 token at /o/token/."""

from __future__ import annotations

import base64
import uuid

import pytest

from hmskort.api.models import ApiLevel
from hmskort.api.oauth_settings import SCOPE_GATE, SCOPE_LEVEL1, SCOPE_LEVEL2
from hmskort.api.services import api_client_create, api_token_issue
from hmskort.cards.qr import card_qr_token
from hmskort.sites.models import GateEvent
from hmskort.sites.services import gate_reader_create

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _gate(api, token: str, card_number: str):
    return api.post(
        "/api/v1/gate/events",
        {"event_id": uuid.uuid4().hex, "direction": "in", "card_number": card_number},
        content_type="application/json",
        **_bearer(token),
    )


def _token_request(api, client_id: str, secret: str, **data):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return api.post(
        "/o/token/",
        {"grant_type": "client_credentials", **data},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


def _assert_insufficient_scope(response) -> None:
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "insufficient_scope"


def _level1_calls(api, headers: dict, card):
    """Every kind of level-1 call a reader's secret must not be good for."""
    return {
        "qr": api.post(
            "/api/v1/qr",
            {"token": card_qr_token(card)},
            content_type="application/json",
            **headers,
        ),
        "card": api.get(f"/api/v1/cards/{card.card_number}", **headers),
        "ping": api.get("/api/v1/ping", **headers),
        "feed": api.get("/api/v1/events", **headers),
        "v2": api.get("/api/v2/company", **headers),
    }


@pytest.fixture
def level1_token(db) -> str:
    issued = api_client_create(
        level=ApiLevel.LEVEL1, organisation_name="Adgangskontroll AS", approved_by="saksbehandler"
    )
    return api_token_issue(client=issued.client)


def test_reader_token_is_refused_on_level1_and_level2_and_accepted_at_the_gate(
    api, reader, worker_card
):
    for name, response in _level1_calls(api, reader.headers, worker_card).items():
        _assert_insufficient_scope(response)
        assert "holder" not in response.json(), name  # no name or birth date leaks
    answer = _gate(api, reader.token, worker_card.card_number)
    assert answer.status_code == 200, answer.content
    assert answer.json()["admitted"] is True
    # For its own site: the event is recorded on the reader's site.
    assert GateEvent.objects.get().site_id == reader.site.pk


def test_reader_token_issued_for_its_old_level1_scope_is_a_gate_token_only(
    api, reader, worker_card
):
    """Tokens issued before readers had their own scope (scope hmskort.level1 on
    the token row) keep working at the gate and lose level 1 at once."""
    from hmskort.api.models import ApiClient

    client = ApiClient.objects.get(pk=reader.client_pk)
    legacy = api_token_issue(client=client, scope=SCOPE_LEVEL1)
    calls = _level1_calls(api, _bearer(legacy), worker_card)
    for response in calls.values():
        _assert_insufficient_scope(response)
    assert _gate(api, legacy, worker_card.card_number).status_code == 200


def test_level1_client_still_works_and_is_no_gate_reader(api, level1_token, worker_card):
    card = api.get(f"/api/v1/cards/{worker_card.card_number}", **_bearer(level1_token))
    assert card.status_code == 200, card.content
    qr = api.post(
        "/api/v1/qr",
        {"token": card_qr_token(worker_card)},
        content_type="application/json",
        **_bearer(level1_token),
    )
    assert qr.status_code == 200, qr.content
    assert qr.json()["holder"]["name"]
    gate = _gate(api, level1_token, worker_card.card_number)
    assert gate.status_code == 404
    assert gate.json()["error"]["code"] == "reader_not_found"
    assert not GateEvent.objects.exists()


def test_level1_token_with_a_gate_scope_on_its_row_is_still_no_reader(
    api, worker_card, level1_token
):
    """Scopes are cut to what the client may hold: a gate scope written onto a
    level-1 client's token row does not make it a reader."""
    from hmskort.api.models import ApiClient

    client = ApiClient.objects.exclude(gate_reader__isnull=False).get()
    forged = api_token_issue(client=client, scope=f"{SCOPE_GATE} {SCOPE_LEVEL1}")
    gate = _gate(api, forged, worker_card.card_number)
    assert gate.status_code == 404
    assert gate.json()["error"]["code"] == "reader_not_found"
    assert api.get("/api/v1/ping", **_bearer(forged)).status_code == 200


def test_reader_gets_only_the_gate_scope_at_the_token_endpoint(api, site, worker_card):
    creds = gate_reader_create(site=site, name="Port T", created_by="test")
    # Asking for level 1 (alone or with the gate scope), or level 2: refused, no token.
    for scope in (SCOPE_LEVEL1, f"{SCOPE_GATE} {SCOPE_LEVEL1}", SCOPE_LEVEL2):
        refused = _token_request(api, creds.client_id, creds.client_secret, scope=scope)
        assert refused.status_code == 400, (scope, refused.content)
        assert refused.json()["error"] == "invalid_scope"
    # Asking for nothing or for the gate scope: a gate token.
    for extra in ({}, {"scope": SCOPE_GATE}):
        response = _token_request(api, creds.client_id, creds.client_secret, **extra)
        assert response.status_code == 200, response.content
        token = response.json()
        assert token["scope"] == SCOPE_GATE
        headers = _bearer(token["access_token"])
        _assert_insufficient_scope(
            api.post(
                "/api/v1/qr",
                {"token": card_qr_token(worker_card)},
                content_type="application/json",
                **headers,
            )
        )
        _assert_insufficient_scope(api.get(f"/api/v1/cards/{worker_card.card_number}", **headers))
        assert _gate(api, token["access_token"], worker_card.card_number).status_code == 200


def test_level1_client_cannot_get_the_gate_scope(api):
    issued = api_client_create(
        level=ApiLevel.LEVEL1, organisation_name="Leverandør", approved_by="x"
    )
    refused = _token_request(api, issued.client_id, issued.client_secret, scope=SCOPE_GATE)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"
    granted = _token_request(api, issued.client_id, issued.client_secret)
    assert granted.status_code == 200
    assert granted.json()["scope"] == SCOPE_LEVEL1


def test_reader_created_in_the_portal_gets_a_gate_token(api, owner_client, site):
    from django.urls import reverse

    from hmskort.sites.models import GateReader

    response = owner_client.post(
        reverse("sites:reader_create", kwargs={"orgnr": site.owner_orgnr, "site_id": site.pk}),
        {"name": "Hovedport"},
    )
    assert response.status_code == 200
    secret = response.content.decode().split('data-testid="secret">', 1)[1].split("<", 1)[0]
    client_id = GateReader.objects.get(site=site).api_client.application.client_id
    token = _token_request(api, client_id, secret)
    assert token.status_code == 200, token.content
    assert token.json()["scope"] == SCOPE_GATE
    level1 = _token_request(api, client_id, secret, scope=SCOPE_LEVEL1)
    assert level1.status_code == 400
