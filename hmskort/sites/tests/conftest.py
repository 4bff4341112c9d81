"""Fixtures for the site tests: a main contractor with a site, a gate reader
(an API client bound to the site, with a token) and workers with cards."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from hmskort.api.oauth_settings import SCOPE_GATE
from hmskort.api.services import api_token_issue
from hmskort.cards.models import Card
from hmskort.checks.tests.helpers import employment_card
from hmskort.identity.tests.factories import portal_user
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import EnhetFactory, PersonFactory, RolleFactory
from hmskort.sites.gate import reader_cache_clear
from hmskort.sites.models import Site
from hmskort.sites.services import gate_reader_create, site_create


@pytest.fixture(autouse=True)
def _fast_secrets(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_URL = "identity:login"
    cache.clear()
    reader_cache_clear()
    yield
    cache.clear()
    reader_cache_clear()


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def contractor(db):
    return EnhetFactory(navn="Hovedentreprenør Bygg AS")


@pytest.fixture
def owner_person(contractor):
    person = PersonFactory()
    RolleFactory(enhet=contractor, person=person, rolletype=rm.RolleType.DAGL)
    return person


@pytest.fixture
def owner_client(client, owner_person) -> Client:
    client.force_login(portal_user(owner_person.identifikator, name=owner_person.fulltnavn))
    return client


@pytest.fixture
def site(contractor) -> Site:
    return site_create(
        owner_orgnr=contractor.organisasjonsnummer,
        owner_name=contractor.navn,
        name="Bjørvika kvartal 9",
        address="Dronning Eufemias gate 1, 0191 Oslo",
        builder_name="Byggherre Eiendom AS",
        starts_on=today() - dt.timedelta(days=30),
        ends_on=today() + dt.timedelta(days=300),
        required_industry="BA",
        anti_passback_minutes=10,
        created_by="test",
    )


@dataclass
class Reader:
    site: Site
    token: str
    client_pk: int

    @property
    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def post(self, api: Client, *, direction: str = "in", event_id: str | None = None, **scan):
        body = {"event_id": event_id or uuid.uuid4().hex, "direction": direction, **scan}
        response = api.post(
            "/api/v1/gate/events", body, content_type="application/json", **self.headers
        )
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def reader(site) -> Reader:
    creds = gate_reader_create(site=site, name="Port A", created_by="test")
    token = api_token_issue(client=creds.reader.api_client, scope=SCOPE_GATE)
    return Reader(site, token, creds.reader.api_client_id)


@pytest.fixture
def api() -> Client:
    return Client()


@pytest.fixture
def worker_card(contractor) -> Card:
    """An active BA card of a worker employed by the main contractor."""
    return employment_card(enhet=contractor, active=True)
