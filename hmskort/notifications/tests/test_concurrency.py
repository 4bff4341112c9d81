"""Concurrent workers on PostgreSQL: every message delivered exactly once,
every reminder recorded and e-mailed once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from hmskort.cards.tests.factories import CardFactory
from hmskort.notifications.models import ExpiryReminder, OutboxMessage, OutboxStatus
from hmskort.notifications.services import (
    company_contact_set,
    outbox_deliver,
    outbox_enqueue_email,
    reminders_send_expiry,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(n: int, work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_concurrent_deliverers_send_each_message_exactly_once(smtp_server):
    smtp_server.recorder.delay = 0.01  # a slow server: the deliverers overlap
    for n in range(60):
        outbox_enqueue_email(
            key=f"concurrent:{n}", to=[f"person{n}@example.no"], subject=f"Melding {n}", body="Hei"
        )

    def deliver(_: int) -> int:
        total = 0
        while sent := outbox_deliver(batch=7):
            total += sent
        return total

    results = run_together(4, deliver)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 60
    assert sum(1 for r in results if r) >= 2, "the deliverers did not overlap"
    keys = Counter(r.message["X-HMSKort-Message-Key"] for r in smtp_server.received)
    assert keys == Counter({f"concurrent:{n}": 1 for n in range(60)})
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_concurrent_reminder_runs_remind_each_card_once():
    today = dt.date(2026, 3, 2)
    orgnrs = [f"91000{n:04d}" for n in range(5)]
    for orgnr in orgnrs:
        company_contact_set(orgnr=orgnr, email=f"hms-{orgnr}@example.no")
        for _ in range(30):
            CardFactory(
                active=True,
                employer_orgnr=orgnr,
                valid_until=today + dt.timedelta(days=45),
                orderer_email=f"bestiller-{orgnr}@example.no",
            )

    results = run_together(4, lambda _: reminders_send_expiry(today=today))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 150
    assert ExpiryReminder.objects.count() == 150
    recipients = Counter(m.to[0] for m in OutboxMessage.objects.all())
    assert all(count == 1 for count in recipients.values()), recipients
    assert len(recipients) == 10  # contact + orderer per company, once each
