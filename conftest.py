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
