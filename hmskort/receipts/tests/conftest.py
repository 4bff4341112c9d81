"""Fixtures: a private spool directory per test, a fresh cache, cards and clients."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from hmskort.api.models import ApiLevel
from hmskort.api.oauth_settings import OAUTH2_PROVIDER
from hmskort.api.tests.conftest import _company, _user
from hmskort.receipts import recorder


@pytest.fixture(autouse=True)
def _spool(settings, tmp_path):
    settings.HMSKORT_CHECK_SPOOL_DIR = str(tmp_path / "spool")
    settings.OAUTH2_PROVIDER = OAUTH2_PROVIDER
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield recorder.spool_dir()
    recorder.spool_rotate()
    cache.clear()


@pytest.fixture
def company(db):
    return _company("Zyxwinda", "Quorvalsen")


@pytest.fixture
def level1(db):
    return _user(ApiLevel.LEVEL1, name="Hovedentreprenør Kontroll AS")


@pytest.fixture
def inspector(db):
    user = User.objects.create_user("inspektor.olsen", is_staff=True)
    user.groups.add(Group.objects.get(name="Arbeidstilsynet"))
    return user
