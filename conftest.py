"""Suite-wide test configuration.

Tests marked `postgres` (concurrency, locking, bulk SQL) need PostgreSQL. They
are skipped on SQLite locally; scripts/test.sh points the suite at PostgreSQL
whenever it is reachable and always on CI, where a missing server fails the run.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if os.environ.get("HMSKORT_REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError(
            "HMSKORT_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL"
        )
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (scripts/test.sh uses it when reachable)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_signing_key_cache():
    """Each test starts without signing keys held in memory: every test has its own
    database contents, and a key cached by an earlier test does not exist in it."""
    from hmskort.core.signing import key_cache_clear

    key_cache_clear()
    yield
    key_cache_clear()


@pytest.fixture(autouse=True)
def _no_status_cache(settings):
    """Tests run inside transactions that never commit, so PostgreSQL never announces
    their card changes: the in-memory status cache stays off unless it is the subject
    (hmskort/api/tests/test_statuscache.py)."""
    from hmskort.api import statuscache

    settings.HMSKORT_API_STATUS_CACHE = False
    statuscache.stop()
    yield
    statuscache.stop()


@pytest.fixture(autouse=True)
def _fresh_abuse_state():
    """Blocks are held per process (hmskort.receipts.abuse); each test has its own
    database, so each starts by reading them afresh, and so does the drainer's
    memory of (card, source) pairs."""
    from hmskort.receipts import abuse

    abuse.blocks_forget()
    abuse.pairs_forget()
    yield
    abuse.blocks_forget()
    abuse.pairs_forget()
