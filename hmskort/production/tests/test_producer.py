import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from hmskort.cards.models import ActorType, CardState, CardStatusHistory
from hmskort.cards.services.lifecycle import card_block
from hmskort.cards.services.transitions import valid_until_for
from hmskort.production import storage
from hmskort.production.models import BatchState, ProductionBatch
from hmskort.production.selectors import overdue_batches
from hmskort.production.services import producer_process, production_batch_create
from hmskort.production.tasks import producer_process_task, production_batch_create_task
from hmskort.production.tests.conftest import make_card

pytestmark = pytest.mark.django_db


def test_producer_ships_the_cards_and_they_become_active():
    cards = [make_card(in_production=True) for _ in range(3)]
    made = timezone.now()
    batch = production_batch_create(now=made)
    shipped_at = made + dt.timedelta(days=1)

    result = producer_process(now=shipped_at)

    assert (result.batches, result.shipped, result.withdrawn, result.failed) == (1, 3, 0, 0)
    for card in cards:
        card.refresh_from_db()
        assert card.state == CardState.ACTIVE
        assert card.shipped_at == shipped_at
        [row] = CardStatusHistory.objects.filter(card=card)
        assert (row.from_state, row.to_state, row.actor_type, row.actor, row.at) == (
            CardState.IN_PRODUCTION,
            CardState.ACTIVE,
            ActorType.SYSTEM,
            "kortprodusent",
            shipped_at,
        )
    batch.refresh_from_db()
    assert batch.state == BatchState.SHIPPED
    assert (batch.sent_at, batch.shipped_at) == (shipped_at, shipped_at)
    assert (batch.shipped_count, batch.withdrawn_count) == (3, 0)
    assert set(batch.items.values_list("shipped_at", flat=True)) == {shipped_at}


def test_producer_is_idempotent():
    make_card(in_production=True)
    production_batch_create()
    producer_process()
    history = CardStatusHistory.objects.count()

    again = producer_process()

    assert (again.batches, again.shipped) == (0, 0)
    assert CardStatusHistory.objects.count() == history


def test_card_blocked_before_shipping_is_withdrawn_not_shipped():
    lost = make_card(in_production=True)
    fine = make_card(in_production=True)
    batch = production_batch_create()
    card_block(card=lost, reason="lost")

    result = producer_process()

    assert (result.shipped, result.withdrawn) == (1, 1)
    lost.refresh_from_db()
    fine.refresh_from_db()
    assert (lost.state, lost.shipped_at) == (CardState.BLOCKED, None)
    assert fine.state == CardState.ACTIVE
    item = batch.items.get(card=lost)
    assert item.withdrawn_state == CardState.BLOCKED
    assert item.shipped_at is None


def test_batch_with_an_altered_file_is_not_shipped():
    card = make_card(in_production=True)
    batch = production_batch_create()
    path = storage.absolute(batch.file_path)
    document = json.loads(path.read_text())
    document["records"][0]["holder"]["name"] = "Someone Else"
    path.write_text(json.dumps(document))

    result = producer_process()

    assert (result.batches, result.failed) == (0, 1)
    batch.refresh_from_db()
    card.refresh_from_db()
    assert batch.state == BatchState.OPEN
    assert card.state == CardState.IN_PRODUCTION


def test_due_date_is_four_business_days_and_late_batches_are_overdue():
    make_card(in_production=True)
    friday = timezone.make_aware(dt.datetime(2026, 3, 6, 9))
    batch = production_batch_create(now=timezone.now().replace(microsecond=0))
    ProductionBatch.objects.filter(pk=batch.pk).update(
        created_at=friday, due_date=dt.date(2026, 3, 12)
    )
    assert list(overdue_batches(dt.date(2026, 3, 12))) == []
    assert list(overdue_batches(dt.date(2026, 3, 13))) == [batch]
    # Shipped late stays flagged; shipped in time is not.
    producer_process(now=timezone.make_aware(dt.datetime(2026, 3, 13, 9)))
    assert list(overdue_batches(dt.date(2026, 3, 20))) == [batch]
    ProductionBatch.objects.filter(pk=batch.pk).update(
        shipped_at=timezone.make_aware(dt.datetime(2026, 3, 12, 15))
    )
    assert list(overdue_batches(dt.date(2026, 3, 20))) == []


def test_batch_due_date_skips_easter():
    issued = dt.date(2026, 3, 31)
    make_card(in_production=True, issue_date=issued, valid_until=valid_until_for(issued))
    wednesday_before_easter = timezone.make_aware(dt.datetime(2026, 4, 1, 10))
    batch = production_batch_create(now=wednesday_before_easter)
    assert batch.due_date == dt.date(2026, 4, 10)


def test_commands_and_tasks(capsys):
    make_card(in_production=True)
    call_command("production_batch_create")
    assert "1 kort" in capsys.readouterr().out
    call_command("producer_process")
    assert "sendt: 1" in capsys.readouterr().out
    make_card(in_production=True)
    batch_id = production_batch_create_task.delay().get()
    assert ProductionBatch.objects.get(pk=batch_id).card_count == 1
    assert producer_process_task.delay().get()["shipped"] == 1
