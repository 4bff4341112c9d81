"""OAuth2 client credentials: who gets a token, and which tokens are refused."""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib.auth import get_user_model
from oauth2_provider.models import AccessToken, Application

from hmskort.api.models import ApiClient, ApiClientApplication, ApiLevel, ApplicationStatus
from hmskort.api.services import api_token_issue

pytestmark = pytest.mark.django_db


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _token_request(api, client_id, secret, **data):
    return api.post(
        "/o/token/",
        {"grant_type": "client_credentials", **data},
        HTTP_AUTHORIZATION=_basic(client_id, secret),
    )


@pytest.fixture
def caseworker(db):
    return get_user_model().objects.create_superuser("saksbehandler", "sb@example.no", "pw")


def _apply(level: str, orgnr: str = "") -> ApiClientApplication:
    return ApiClientApplication.objects.create(
        orgnr=orgnr or "999999999",
        organisation_name="Adgangskontroll AS",
        contact_name="Kari Kontakt",
        contact_email="kari@example.no",
        purpose="Adgangskontroll på byggeplass",
        level=level,
    )


def _approve_in_admin(api, caseworker, application) -> tuple[str, str]:
    api.force_login(caseworker)
    response = api.post(
        "/admin/api/apiclientapplication/",
        {"action": "approve_applications", "_selected_action": [application.pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    client_id = re.search(r'class="client-id">([^<]+)<', html).group(1)
    secret = re.search(r'class="client-secret">([^<]+)<', html).group(1)
    api.logout()
    return client_id, secret


def test_caseworker_approval_creates_a_client_that_gets_its_level_scope(api, caseworker, company_a):
    application = _apply(ApiLevel.LEVEL2, company_a.orgnr)
    client_id, secret = _approve_in_admin(api, caseworker, application)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    client = ApiClient.objects.get(application__client_id=client_id)
    assert client.level == ApiLevel.LEVEL2 and client.orgnr == company_a.orgnr
    # The secret is stored hashed: it cannot be shown again.
    assert Application.objects.get(client_id=client_id).client_secret != secret

    response = _token_request(api, client_id, secret)
    assert response.status_code == 200, response.content
    token = response.json()
    assert token["scope"] == "hmskort.level2"
    # Stored only as a hash (RFC 9700), yet it works.
    assert AccessToken.objects.get().token == ""
    company = api.get("/api/v2/company", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert company.status_code == 200
    assert company.json()["orgnr"] == company_a.orgnr


def test_client_cannot_get_another_levels_scope(api, caseworker):
    client_id, secret = _approve_in_admin(api, caseworker, _apply(ApiLevel.LEVEL1))
    response = _token_request(api, client_id, secret, scope="hmskort.level2")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert not AccessToken.objects.exists()


def test_rejected_application_creates_no_client(api, caseworker):
    application = _apply(ApiLevel.LEVEL1)
    api.force_login(caseworker)
    api.post(
        "/admin/api/apiclientapplication/",
        {"action": "reject_applications", "_selected_action": [application.pk]},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert not ApiClient.objects.exists()
    assert not Application.objects.exists()


def test_oauth_application_without_approval_gets_no_token(api):
    app = Application.objects.create(
        name="Selvlaget",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret="s3cret-s3cret",
    )
    for scope in ({}, {"scope": "hmskort.level1"}):
        response = _token_request(api, app.client_id, "s3cret-s3cret", **scope)
        assert response.status_code == 400
    assert not AccessToken.objects.exists()


def test_missing_and_unknown_tokens_are_401_json(api):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}):
        response = api.get("/api/v1/ping", **headers)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] in {"not_authenticated", "invalid_access_token"}


def test_expired_token_is_refused_even_when_cached(api, level1):
    assert api.get("/api/v1/ping", **level1.headers).status_code == 200  # now cached
    expired = api_token_issue(client=level1.client, expires_in=-5)
    response = api.get("/api/v1/ping", HTTP_AUTHORIZATION=f"Bearer {expired}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "access_token_expired"


def test_token_expiry_is_checked_on_every_request(api, level1, monkeypatch):
    import time

    assert api.get("/api/v1/ping", **level1.headers).status_code == 200  # cached now
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 7200)  # the hour-long token has expired
    response = api.get("/api/v1/ping", **level1.headers)
    assert response.status_code == 401


def test_wrong_scope_is_403_both_ways(api, level1, level2_a, company_a):
    v2 = api.get("/api/v2/cards", **level1.headers)
    assert v2.status_code == 403
    assert v2.json()["error"]["code"] == "insufficient_scope"
    v1 = api.get(f"/api/v1/cards/{company_a.card.card_number}", **level2_a.headers)
    assert v1.status_code == 403
    assert v1.json()["error"]["code"] == "insufficient_scope"


def test_withdrawn_client_is_refused(api, level1):
    ApiClient.objects.filter(pk=level1.client.pk).update(active=False)
    assert api.get("/api/v1/ping", **level1.headers).status_code == 401
