"""The re-checks are set-based: their query counts do not grow with the number of cards.

(That the register adapters answer alike however they read is tested in
`registers/tests/test_facts.py`.)"""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.cards.models import CardState
from hmskort.checks import services
from hmskort.checks.tests.helpers import backdate, employment_card, today
from hmskort.registers import services as registers
from hmskort.registers.tests.factories import (
    EnhetFactory,
)

pytestmark = pytest.mark.django_db
S = CardState


def _population(n: int) -> list:
    """n cards over a few companies; a third lose their employment, some expire."""
    companies = [EnhetFactory() for _ in range(3)]
    cards = []
    for i in range(n):
        kind = ("active", "in_production", "invalid")[i % 3]
        extra = {"valid_until": today() - dt.timedelta(days=1)} if i % 10 == 0 else {}
        cards.append(employment_card(enhet=companies[i % 3], **{kind: True}, **extra))
    for card in cards[1::3]:
        if card.valid_until >= today():
            registers.arbeidsforhold_end(
                arbeidsgiver=card.employer_orgnr,
                arbeidstaker=card.holder_id,
                sluttdato=today() - dt.timedelta(days=1),
            )
    return cards


def _pending(n: int) -> None:
    enhet = EnhetFactory()
    for i in range(n):
        card = employment_card(enhet=enhet, employment=i % 2 == 0)
        if i % 4 == 1:
            backdate(card, days=30)


# The budget is the same for 10 and for 300 cards (chunks of 2,000 cards).
FULL_QUERIES = 60
INCREMENTAL_QUERIES = 60
PENDING_QUERIES = 60


@pytest.mark.parametrize("n", [10, 300])
def test_full_recheck_queries_do_not_grow_with_cards(n, django_assert_max_num_queries):
    _population(n)
    with django_assert_max_num_queries(FULL_QUERIES):
        run = services.recheck_full(today=today())
    assert run.cards_checked == n and run.cards_changed > n // 3


@pytest.mark.parametrize("n", [10, 300])
def test_incremental_queries_do_not_grow_with_changes(n, django_assert_max_num_queries):
    cards = [employment_card(active=True, enhet=EnhetFactory()) for _ in range(n)]
    services.feed_cursor_set()
    for card in cards:
        registers.arbeidsforhold_end(
            arbeidsgiver=card.employer_orgnr,
            arbeidstaker=card.holder_id,
            sluttdato=today() - dt.timedelta(days=1),
        )
    with django_assert_max_num_queries(INCREMENTAL_QUERIES):
        run = services.recheck_incremental(today=today())
    assert run.changes_read == n and run.cards_changed == n


@pytest.mark.parametrize("n", [10, 300])
def test_pending_queries_do_not_grow_with_orders(n, django_assert_max_num_queries):
    _pending(n)
    with django_assert_max_num_queries(PENDING_QUERIES):
        run = services.orders_process_pending(today=today())
    assert run.cards_checked == n and run.cards_changed > n // 2


@pytest.mark.parametrize("n", [10, 300])
def test_expiry_queries_do_not_grow_with_cards(n, django_assert_max_num_queries):
    for _ in range(n):
        employment_card(active=True, valid_until=today() - dt.timedelta(days=1))
    with django_assert_max_num_queries(15):
        run = services.cards_expire(today=today())
    assert run.cards_changed == n
