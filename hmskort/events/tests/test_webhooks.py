"""Webhooks: every card state change reaches the subscribers covering the card's
company, signed, exactly once, through a receiver outage."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hmskort.cards.models import BlockReason, CardState
from hmskort.cards.services.lifecycle import card_block
from hmskort.checks import services as checks
from hmskort.checks.tests.helpers import employment_card, today
from hmskort.events.models import CardEvent, DeliveryStatus, WebhookDelivery
from hmskort.events.services import (
    backoff,
    events_dispatch_all,
    signature_header,
    signature_verify,
    subscriber_create,
    webhook_body,
    webhooks_deliver,
)
from hmskort.events.tests.receiver import Receiver, verify_signature
from hmskort.registers import services as registers
from hmskort.registers.tests.factories import EnhetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_retries(settings):
    # Time does not pass in a test: make every retry due at once.
    settings.HMSKORT_WEBHOOK_BACKOFF_BASE = dt.timedelta(0)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def subscription(site, receiver):
    sub, secret = subscriber_create(
        name="Adgangskontroll AS", url=receiver.url, site_ids=[site.pk], created_by="test"
    )
    receiver.secret = secret
    return sub


def test_state_change_writes_an_event_in_the_same_transaction(worker_card):
    card_block(card=worker_card, reason=BlockReason.LOST, actor="employer")
    [event] = CardEvent.objects.all()
    assert (event.card_number, event.from_state, event.to_state, event.status) == (
        worker_card.card_number,
        CardState.ACTIVE,
        CardState.BLOCKED,
        "blocked",
    )
    assert event.seq is None  # not in the feed until dispatched after the commit


def test_blocked_card_webhook_delivered_exactly_once_through_an_outage(
    api, reader, worker_card, subscription, receiver, django_capture_on_commit_callbacks
):
    assert reader.post(api, card_number=worker_card.card_number)["admitted"]
    assert reader.post(api, direction="out", card_number=worker_card.card_number)["admitted"]
    # The receiver is down (connection refused): the commit's dispatch and first attempt fail.
    with django_capture_on_commit_callbacks(execute=True):
        card_block(card=worker_card, reason=BlockReason.STOLEN, actor="employer")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "ConnectionError" in delivery.last_error
    # The card is refused at once, whatever the webhooks are doing.
    refused = reader.post(api, card_number=worker_card.card_number)
    assert (refused["admitted"], refused["reason"]) == (False, "card_blocked")

    # It comes up, but answers 500 twice.
    receiver.failures_left = 2
    receiver.start()
    assert webhooks_deliver() == 0
    assert webhooks_deliver() == 0
    assert webhooks_deliver() == 1
    assert webhooks_deliver() == 0  # nothing left to send
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        4,
        200,
    )
    assert len(receiver.attempts) == 3 and len(receiver.accepted) == 1
    [(event_id, payload)] = receiver.accepted.items()
    assert payload["id"] == event_id and payload["type"] == "card.state_changed"
    assert (payload["card_number"], payload["status"], payload["valid"]) == (
        worker_card.card_number,
        "blocked",
        False,
    )
    assert receiver.bad_signatures == 0
    # Every attempt carried the same event id and body: a redelivery is harmless.
    assert {a["event_id"] for a in receiver.attempts} == {event_id}
    assert len({a["body"] for a in receiver.attempts}) == 1

    # Our answer was "lost" and we send it again: the receiver sees the same id and ignores it.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING)
    assert webhooks_deliver() == 1
    assert receiver.duplicates == 1 and len(receiver.accepted) == 1


def test_card_invalidated_by_the_nightly_recheck_is_published(
    worker_card, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.start()
    registers.arbeidsforhold_end(
        arbeidsgiver=worker_card.employer_orgnr,
        arbeidstaker=worker_card.holder_id,
        sluttdato=today() - dt.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        checks.recheck_full(today=today())
    [payload] = receiver.accepted.values()
    assert payload["card_number"] == worker_card.card_number
    assert (payload["from_state"], payload["to_state"], payload["status"]) == (
        "active",
        "invalid",
        "invalid",
    )
    assert payload["reason_codes"]


def test_only_covered_companies_are_sent(site, subscription, receiver, worker_card):
    receiver.start()
    outsider = employment_card(enhet=EnhetFactory(), active=True)
    card_block(card=outsider, reason=BlockReason.LOST, actor="x")
    card_block(card=worker_card, reason=BlockReason.LOST, actor="x")
    events_dispatch_all()
    webhooks_deliver()
    assert [p["card_number"] for p in receiver.accepted.values()] == [worker_card.card_number]


def test_subscriber_by_orgnr(receiver):
    receiver.start()
    company = EnhetFactory()
    sub, secret = subscriber_create(
        name="Leverandør", url=receiver.url, orgnrs=[company.organisasjonsnummer]
    )
    receiver.secret = secret
    card = employment_card(enhet=company, active=True)
    card_block(card=card, reason=BlockReason.LOST, actor="x")
    events_dispatch_all()
    assert webhooks_deliver() == 1
    assert receiver.bad_signatures == 0


def test_gives_up_after_max_attempts(settings, worker_card, subscription, receiver):
    settings.HMSKORT_WEBHOOK_MAX_ATTEMPTS = 3
    card_block(card=worker_card, reason=BlockReason.LOST, actor="x")
    events_dispatch_all()
    for _ in range(5):
        webhooks_deliver()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)


def test_signature_recipe_and_tampering():
    secret = "whsec_test"
    body = json.dumps({"id": "e1"}).encode()
    header = signature_header(secret, body)
    assert verify_signature(secret, body, header)
    assert signature_verify(secret, body, header)
    assert not verify_signature(secret, body + b" ", header)
    assert not verify_signature("whsec_other", body, header)
    old = signature_header(secret, body, timestamp=int(dt.datetime(2020, 1, 1).timestamp()))
    assert not verify_signature(secret, body, old)  # replay of an old request


def test_backoff_is_exponential_and_capped(settings):
    settings.HMSKORT_WEBHOOK_BACKOFF_BASE = dt.timedelta(seconds=30)
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == dt.timedelta(hours=1)


def test_body_is_stable_and_has_no_personal_data(worker_card):
    card_block(card=worker_card, reason=BlockReason.LOST, actor="x")
    events_dispatch_all()
    event = CardEvent.objects.get()
    assert webhook_body(event) == webhook_body(CardEvent.objects.get())
    text = webhook_body(event).decode()
    assert worker_card.holder_id not in text and worker_card.holder_name not in text


def test_bulk_recheck_writes_events_in_bulk(django_assert_max_num_queries):
    company = EnhetFactory()
    cards = [employment_card(enhet=company, active=True) for _ in range(60)]
    for card in cards:
        registers.arbeidsforhold_end(
            arbeidsgiver=card.employer_orgnr,
            arbeidstaker=card.holder_id,
            sluttdato=today() - dt.timedelta(days=1),
        )
    with django_assert_max_num_queries(60):
        run = checks.recheck_full(today=today())
    assert run.cards_changed == 60
    assert CardEvent.objects.count() == 60


def test_production_accepts_only_https(settings, monkeypatch):
    import socket

    from hmskort.events.services import InvalidSubscriber

    # vendor.example is a public address (no real DNS in tests; see test_ssrf.py).
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))
        ],
    )
    settings.HMSKORT_ENVIRONMENT = "production"
    with pytest.raises(InvalidSubscriber):
        subscriber_create(name="x", url="http://vendor.example/hook", orgnrs=["912345678"])
    sub, _ = subscriber_create(name="x", url="https://vendor.example/hook", orgnrs=["912345678"])
    assert sub.pk
