"""A revoked token or a withdrawn client is refused at once, although validated
tokens are cached (10 s shared, 10 s more in the fast lane): PostgreSQL announces
the change and every listening process validates again (hmskort/api/auth.py).

These tests commit (transaction=True) on the real PostgreSQL: the announcements
are sent only on commit.
"""

from __future__ import annotations

import json

import pytest
from oauth2_provider.models import AccessToken

from hmskort.api import auth, statuscache
from hmskort.api.fastlane import FastLane
from hmskort.api.models import ApiClient, ApiLevel
from hmskort.api.tests.conftest import _user
from hmskort.api.tests.test_fastlane import DJANGO, Spy, call, environ, gate, gate_env  # noqa: F401
from hmskort.api.tests.test_statuscache import wait_until
from hmskort.cards.tests.factories import CardFactory
from hmskort.sites.services import gate_reader_deactivate

pg = pytest.mark.postgres


@pytest.fixture
def listening(settings, transactional_db):
    """A fast lane whose process listens (its first request starts the listener)."""
    settings.HMSKORT_API_STATUS_CACHE = True
    statuscache.stop()
    app = FastLane(Spy())
    user = _user(ApiLevel.LEVEL1, name="Oppstart AS")
    call(app, environ(f"/api/v1/cards/{CardFactory(active=True).card_number}", token=user.token))
    assert wait_until(lambda: statuscache.cache.live), "the LISTEN connection did not come up"
    yield app
    statuscache.stop()


def ping(app, token: str) -> int:
    return call(app, environ("/api/v1/ping", token=token))[0]


@pg
def test_a_revoked_token_is_refused_at_once_on_both_paths(listening):
    user = _user(ApiLevel.LEVEL1, name="Adgangskontroll AS")
    assert ping(listening, user.token) == 200
    assert ping(DJANGO, user.token) == 200  # now held in both token caches
    generation = auth.auth_generation()
    AccessToken.objects.filter(application__hmskort_client=user.client).delete()  # revoked
    assert wait_until(lambda: auth.auth_generation() > generation, seconds=5)
    assert ping(listening, user.token) == 401
    assert ping(DJANGO, user.token) == 401


@pg
def test_a_withdrawn_gate_reader_is_refused_at_the_next_scan(listening, gate):  # noqa: F811
    number = gate.card.card_number
    first = call(listening, gate_env(gate.token, "r-1", card_number=number))
    assert first[0] == 200 and json.loads(first[2])["admitted"] is True
    generation = auth.auth_generation()
    reader = ApiClient.objects.get(pk=gate.client_pk).gate_reader
    gate_reader_deactivate(reader=reader, actor="test")
    assert wait_until(lambda: auth.auth_generation() > generation, seconds=5)
    refused = call(listening, gate_env(gate.token, "r-2", direction="out", card_number=number))
    assert refused[0] == 401


@pg
def test_a_token_issued_meanwhile_and_unrelated_ones_keep_working(listening):
    """An announcement only makes tokens be validated again: valid ones still pass."""
    other = _user(ApiLevel.LEVEL1, name="Uberørt AS")
    assert ping(listening, other.token) == 200
    generation = auth.auth_generation()
    victim = _user(ApiLevel.LEVEL1, name="Tilbakekalt AS")
    ApiClient.objects.filter(pk=victim.client.pk).update(active=False)
    assert wait_until(lambda: auth.auth_generation() > generation, seconds=5)
    assert ping(listening, other.token) == 200
    assert ping(listening, victim.token) == 401
