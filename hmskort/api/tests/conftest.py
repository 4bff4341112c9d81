"""Fixtures for the API tests: two companies with one employee and card each,
and approved clients (level 1, level 2 for company A, level 2 for company B)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from hmskort.api.models import ApiClient, ApiLevel
from hmskort.api.services import api_client_create, api_token_issue
from hmskort.cards.models import Card
from hmskort.cards.tests.factories import card_for_employment
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory, PersonFactory


@pytest.fixture(autouse=True)
def _oauth_settings(settings):
    # The real settings (config/settings.py) already hold the API's OAuth2
    # settings (with TestID on top); django-oauth-toolkit caches its server per
    # view, so the tests must not swap in different ones.
    # Client secrets are hashed like passwords; the slow production hasher adds
    # about a second per client created, which tests need not pay.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@dataclass
class Company:
    orgnr: str
    name: str
    person_id: str
    person_name: str
    card: Card


def _company(first: str, last: str) -> Company:
    enhet = EnhetFactory()
    person = PersonFactory(fornavn=first, etternavn=last)
    employment = ArbeidsforholdFactory(arbeidsgiver=enhet, arbeidstaker=person)
    card = card_for_employment(employment, active=True)
    return Company(
        enhet.organisasjonsnummer, enhet.navn, person.identifikator, person.fulltnavn, card
    )


@pytest.fixture
def company_a(db) -> Company:
    return _company("Zyxwinda", "Quorvalsen")


@pytest.fixture
def company_b(db) -> Company:
    return _company("Brynjulvhild", "Tveitaksrud")


@dataclass
class ApiUser:
    client: ApiClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def _user(level: str, orgnr: str = "", name: str = "Integrasjon AS") -> ApiUser:
    issued = api_client_create(
        level=level, organisation_name=name, orgnr=orgnr, approved_by="saksbehandler"
    )
    return ApiUser(issued.client, api_token_issue(client=issued.client))


@pytest.fixture
def level1(db) -> ApiUser:
    return _user(ApiLevel.LEVEL1, name="Byggeplass-kontroll AS")


@pytest.fixture
def level2_a(company_a) -> ApiUser:
    return _user(ApiLevel.LEVEL2, company_a.orgnr, company_a.name)


@pytest.fixture
def level2_b(company_b) -> ApiUser:
    return _user(ApiLevel.LEVEL2, company_b.orgnr, company_b.name)


@pytest.fixture
def api() -> Client:
    return Client()
