from __future__ import annotations

import pytest

from hmskort.cards.tests.factories import card_for_employment
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory, PersonFactory


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.HMSKORT_PUBLIC_BASE_URL = "https://hmskort.test"
    return settings.PRIVATE_MEDIA_ROOT


def make_card(*, person=None, employer=None, **card_traits):
    """A card for a register employment (person and company in the registers)."""
    af = ArbeidsforholdFactory(
        arbeidstaker=person or PersonFactory(), arbeidsgiver=employer or EnhetFactory()
    )
    return card_for_employment(af, **card_traits)


@pytest.fixture
def card_in_production(db):
    return make_card(in_production=True)
