from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from hmskort.cards.tests.factories import card_for_employment
from hmskort.registers.tests.factories import ArbeidsforholdFactory, PersonFactory

BIRTH_DATE = dt.date(1984, 5, 17)
HOLDER_FIRST, HOLDER_LAST = "Zacharias", "Qwertyfjell"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def employment(db):
    person = PersonFactory(fornavn=HOLDER_FIRST, etternavn=HOLDER_LAST, foedselsdato=BIRTH_DATE)
    return ArbeidsforholdFactory(arbeidstaker=person)


@pytest.fixture
def make_card(employment):
    """A card for the distinctive holder; traits as for CardFactory."""

    def make(**kw):
        return card_for_employment(employment, **kw)

    return make


def personal_data(card) -> list[str]:
    """Strings that must never appear on a public page about `card`."""
    return [
        HOLDER_FIRST,
        HOLDER_LAST,
        card.holder_name,
        card.holder_id,
        card.holder_id[:6],
        "17.05.1984",
        "1984-05-17",
        "17. mai 1984",
    ]


@pytest.fixture
def inspector(db):
    user = User.objects.create_user("inspektor", is_staff=True)
    user.groups.add(Group.objects.get(name="Arbeidstilsynet"))
    return user


@pytest.fixture
def inspector_client(client, inspector):
    client.force_login(inspector)
    return client
