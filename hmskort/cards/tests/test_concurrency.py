"""Concurrency on PostgreSQL: the guards are the database's, so test them there.

Each thread has its own database connection (Django opens one per thread) and
closes it at the end; a Barrier makes the threads start together.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from hmskort.cards.models import ActorType, Card, CardState, CardStatusHistory
from hmskort.cards.services.lifecycle import CardOrderRefused, card_order
from hmskort.cards.services.transitions import CardChange, card_transition, card_transition_bulk
from hmskort.cards.tests.factories import CardFactory
from hmskort.eligibility.reasons import ReasonCode
from hmskort.registers.tests.factories import ArbeidsforholdFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(n: int, work: Callable[[], object]) -> list[object]:
    """Run `work` in n threads started at the same moment; return results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.parametrize("n", [2, 6])
def test_concurrent_orders_for_one_employment_give_exactly_one_card(n):
    employment = ArbeidsforholdFactory()
    orgnr = employment.arbeidsgiver.organisasjonsnummer
    holder = employment.arbeidstaker.identifikator

    results = run_together(
        n,
        lambda: card_order(
            employer_orgnr=orgnr,
            holder_id=holder,
            card_type="BA",
            ordered_by="ola",
            today=dt.date.today(),
        ),
    )

    successes = [r for r in results if not isinstance(r, Exception)]
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(successes) == 1
    assert len(failures) == n - 1
    for error in failures:
        assert isinstance(error, CardOrderRefused), repr(error)
        assert error.code in {"already_ordered", "card_order_refused"}
        assert error.reason_codes == [ReasonCode.ALREADY_ORDERED]
    assert Card.objects.filter(employer_orgnr=orgnr, holder_id=holder).count() == 1
    assert CardStatusHistory.objects.count() == 1


def test_concurrent_bulk_runs_write_each_history_row_once():
    cards = [CardFactory(active=True) for _ in range(60)]
    changes = [CardChange(c.pk, CardState.INVALID, ("EMPLOYMENT_NOT_REGISTERED",)) for c in cards]

    results = run_together(
        3,
        lambda: card_transition_bulk(changes=changes, actor_type=ActorType.JOB, chunk_size=25),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 60
    assert CardStatusHistory.objects.count() == 60
    assert set(Card.objects.values_list("state", flat=True)) == {CardState.INVALID}


def test_concurrent_single_transitions_of_one_card_write_one_row():
    card = CardFactory(active=True)

    results = run_together(
        4,
        lambda: card_transition(
            card=Card.objects.get(pk=card.pk),
            to_state=CardState.BLOCKED,
            reason_codes=["CARD_BLOCKED"],
            block_reason="stolen",
            actor_type=ActorType.USER,
        ),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert CardStatusHistory.objects.filter(card=card).count() == 1
