"""Through a real Celery worker and Redis: a card blocked in the portal's
transaction reaches a loopback receiver exactly once, after an outage (HTTP 500),
and the gate refuses the card meanwhile.

Needs PostgreSQL and HMSKORT_TEST_REDIS_URL (skipped without it, except on CI).
"""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from hmskort.cards.models import BlockReason
from hmskort.cards.services.lifecycle import card_block
from hmskort.core.testing.celery import celery_on_redis, redis_database, worker_kill, worker_start
from hmskort.events.models import DeliveryStatus, WebhookDelivery
from hmskort.events.services import subscriber_create
from hmskort.events.tests.receiver import Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis_url():
    """An empty Redis database of this test's own: other real-Celery tests may run
    at the same time under xdist and must not take our tasks."""
    with redis_database("events") as url:
        yield url


@pytest.fixture
def broker(own_redis_url):
    """This process's Celery app on our own Redis database (not eager) for the test."""
    with celery_on_redis(own_redis_url) as app:
        yield app


def _wait_for(predicate, timeout: float = 60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_webhook_through_celery_exactly_once_after_an_outage(
    broker,
    own_redis_url,
    api,
    reader,
    site,
    worker_card,
):
    from hmskort.events.tasks import webhooks_deliver_task

    receiver = Receiver()
    receiver.failures_left = 1  # the first attempt gets HTTP 500
    receiver.start()
    worker = worker_start(own_redis_url)
    try:
        _, secret = subscriber_create(name="Vendor", url=receiver.url, site_ids=[site.pk])
        receiver.secret = secret
        card_block(card=worker_card, reason=BlockReason.STOLEN, actor="employer")
        # The commit enqueued the dispatch; the worker fans out and tries once: 500.
        delivery = _wait_for(
            lambda: WebhookDelivery.objects.filter(attempts__gte=1).first(), timeout=90
        )
        assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 500
        refused = reader.post(api, card_number=worker_card.card_number)
        assert (refused["admitted"], refused["reason"]) == (False, "card_blocked")
        # Time passes (the backoff is due) and the beat's periodic run comes along, twice.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        webhooks_deliver_task.delay()
        webhooks_deliver_task.delay()
        _wait_for(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists())
        time.sleep(1.0)  # let the second run finish: it must send nothing
        assert len(receiver.attempts) == 2
        assert len(receiver.accepted) == 1 and receiver.bad_signatures == 0
        [payload] = receiver.accepted.values()
        assert payload["card_number"] == worker_card.card_number and payload["status"] == "blocked"
    finally:
        worker_kill(worker)
        receiver.stop()
