"""Fixtures for the caseworker queue: the portal's company, owner and employee,
and staff users with and without the caseworker role."""

from __future__ import annotations

import pytest

from hmskort.casework.permissions import CASEWORKER_GROUP
from hmskort.portal.tests.conftest import (  # noqa: F401 - fixtures
    address,
    company,
    employee,
    owner,
    owner_client,
    private_media,
)


def _staff(username: str, *, groups: tuple[str, ...] = ()):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username, password="x", is_staff=True)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def caseworker(db):
    return _staff("kari.saksbehandler", groups=(CASEWORKER_GROUP,))


@pytest.fixture
def caseworker_client(caseworker):
    from django.test import Client

    client = Client()  # its own session: tests use the portal's `client` as well
    client.force_login(caseworker)
    return client


@pytest.fixture
def inspector(db):
    return _staff("ivar.inspektor", groups=("Arbeidstilsynet",))
