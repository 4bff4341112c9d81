"""Two readers at once, on real PostgreSQL: one card can let only one person in."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hmskort.sites.gate import Presented, gate_decide, reader_site
from hmskort.sites.models import GateEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_entries_on_one_card_admit_exactly_one(reader, worker_card):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    site = reader_site(reader.client_pk)
    barrier = threading.Barrier(6)
    answers = []

    def enter(i: int) -> None:
        try:
            barrier.wait()
            decision = gate_decide(
                site=site,
                event_id=f"race-{i}",
                direction="in",
                presented=Presented(card_number=worker_card.card_number),
            )
            answers.append(decision)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 6
    assert sum(a.admitted for a in answers) == 1
    assert sorted(a.reason for a in answers if not a.admitted) == ["already_inside"] * 5
    assert GateEvent.objects.filter(admitted=True).count() == 1
