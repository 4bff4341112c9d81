"""A worker with two employers (one card each), and another person with a card."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from hmskort.receipts import recorder
from hmskort.wallet.tests.factories import Worker, make_worker


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.HMSKORT_CHECK_SPOOL_DIR = str(tmp_path / "spool")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    recorder.spool_rotate()
    cache.clear()


@pytest.fixture
def worker(db) -> Worker:
    return make_worker("Wiktoria", "Kowalska", ("BETONGLAGET AS", "TAKSTEIN OG BLIKK AS"))


@pytest.fixture
def other(db) -> Worker:
    return make_worker("Oddvar", "Annenmann", ("ANDRE BYGG AS",))


@pytest.fixture
def worker_client(client, worker):
    client.force_login(worker.user)
    return client
