"""Production hand-off: batches for the card producer, and the simulated producer.

- `production_batch_create` collects every card in production that is not in a
  live batch, writes a batch row, the batch JSON and one card face per card.
  Set-based and idempotent: a card is in at most one live batch (a partial
  unique constraint); a concurrent run that loses the race retries and finds
  nothing left, so running it twice never batches a card twice.
- `producer_process` plays the producer: it reads each open batch's file,
  checks it, ships its cards (in production -> active, through the card state
  machine, set-based) and marks the batch sent and shipped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hmskort.cards.models import ActorType, Card, CardState
from hmskort.cards.services.transitions import CardChange, card_transition_bulk
from hmskort.production import storage
from hmskort.production.business_days import add_business_days
from hmskort.production.face import card_face_pdf
from hmskort.production.models import (
    SHIPPING_BUSINESS_DAYS,
    BatchItem,
    BatchState,
    ProductionBatch,
)
from hmskort.production.records import RECORD_VERSION, card_record, persons_for

logger = logging.getLogger(__name__)

BATCH_FORMAT = "hmskort-production-batch"
PRODUCER_ACTOR = "kortprodusent"
#: How many times a run that lost a race to a concurrent run starts over.
RACE_RETRIES = 3


def due_date_for(created_at: dt.datetime) -> dt.date:
    """The last day a batch made at `created_at` may ship: 4 business days later."""
    return add_business_days(timezone.localdate(created_at), SHIPPING_BUSINESS_DAYS)


def unbatched_cards():
    """Cards in production that are in no live batch (the next batch's cards)."""
    live = BatchItem.objects.filter(card=OuterRef("pk"), withdrawn_at__isnull=True)
    return Card.objects.filter(state=CardState.IN_PRODUCTION).filter(~Exists(live))


def production_batch_create(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> ProductionBatch | None:
    """Put every card in production that is in no live batch into a new batch.

    Returns the batch, or None when there is nothing to produce. `limit` caps
    the cards per batch (the rest wait for the next run). Cards whose holder is
    missing from Folkeregisteret are left out (logged) until the register has them,
    as are cards past their validity (the re-check expires them).
    """
    now = now or timezone.now()
    for attempt in range(RACE_RETRIES):
        try:
            return _batch_create(now=now, limit=limit)
        except IntegrityError:
            # A concurrent run batched some of the same cards first; start over.
            if attempt == RACE_RETRIES - 1:
                raise
            logger.info("production batch: lost a race to a concurrent run; retrying")
    return None  # pragma: no cover


def _batch_create(*, now: dt.datetime, limit: int | None) -> ProductionBatch | None:
    with transaction.atomic():
        qs = unbatched_cards().order_by("pk")
        cards = list(qs[:limit] if limit else qs)
        if not cards:
            return None
        persons = persons_for(cards)
        today = timezone.localdate(now)
        producible = [
            c
            for c in cards
            if c.holder_id in persons and c.valid_until is not None and c.valid_until >= today
        ]
        for card in cards:
            if card not in producible:
                logger.warning(
                    "production batch: card %s left out (holder not in Folkeregisteret, "
                    "or no validity date, or past it)",
                    card.card_number,
                )
        if not producible:
            return None
        batch = ProductionBatch.objects.create(
            created_at=now, due_date=due_date_for(now), card_count=len(producible)
        )
        # The unique constraint decides races here, before any file is written.
        BatchItem.objects.bulk_create(
            [
                BatchItem(
                    batch=batch,
                    card=card,
                    face_path=storage.face_file_relative(batch.pk, card.card_number),
                )
                for card in producible
            ]
        )
        final_dir = storage.absolute(storage.batch_dir_relative(batch.pk))
        work_dir = final_dir.with_name(f".{batch.pk}.partial")
        try:
            digest = _write_batch_files(batch, producible, persons, work_dir=work_dir, now=now)
            if final_dir.exists():  # left over from a rolled-back run with this id
                shutil.rmtree(final_dir)
            work_dir.rename(final_dir)
        except BaseException:
            shutil.rmtree(work_dir, ignore_errors=True)
            raise
        batch.file_path = storage.batch_file_relative(batch.pk)
        batch.file_sha256 = digest
        batch.save(update_fields=["file_path", "file_sha256"])
    logger.info("production batch %s: %s cards", batch.pk, batch.card_count)
    return batch


def _write_batch_files(batch, cards, persons, *, work_dir, now) -> str:
    """Write the faces and the batch JSON into `work_dir`; return the JSON's SHA-256."""
    (work_dir / storage.FACES_DIR).mkdir(parents=True, exist_ok=True)
    records = []
    for card in cards:
        record = card_record(card, persons.get(card.holder_id), now=now)
        pdf = card_face_pdf(card, record)
        face_name = storage.face_file_in_batch(card.card_number)
        (work_dir / face_name).write_bytes(pdf)
        record["face"].update(file=face_name, sha256=storage.sha256_hex(pdf))
        records.append(record)
    document = {
        "format": BATCH_FORMAT,
        "version": RECORD_VERSION,
        "batch_id": batch.pk,
        "created_at": now.isoformat(),
        "due_date": batch.due_date.isoformat(),
        "card_count": len(records),
        "records": records,
    }
    raw = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    (work_dir / storage.BATCH_FILE_NAME).write_bytes(raw)
    return storage.sha256_hex(raw)


def read_batch_file(batch: ProductionBatch) -> dict:
    """The batch's JSON document; ValueError if it is missing or not what was written."""
    if not batch.file_path:
        raise ValueError(f"batch {batch.pk} has no file")
    path = storage.absolute(batch.file_path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ValueError(f"batch {batch.pk}: file {batch.file_path} is missing") from exc
    if storage.sha256_hex(raw) != batch.file_sha256:
        raise ValueError(f"batch {batch.pk}: file {batch.file_path} has changed")
    return json.loads(raw)


# --- the simulated producer ------------------------------------------------------------


@dataclass(frozen=True)
class ProducerResult:
    batches: int = 0
    shipped: int = 0
    withdrawn: int = 0
    failed: int = 0


def producer_process(*, now: dt.datetime | None = None) -> ProducerResult:
    """The simulated card producer: take every open batch, ship its cards, report.

    Per batch, in one transaction: read and check the batch file (a batch whose
    file is missing or altered is logged and left open), mark it sent, ship each
    card still in production (-> active, one history row each), withdraw the
    items whose card has left production meanwhile, and mark the batch shipped.
    Idempotent: a shipped batch is never touched again.
    """
    now = now or timezone.now()
    batches = shipped = withdrawn = failed = 0
    pending = ProductionBatch.objects.exclude(state=BatchState.SHIPPED).order_by("pk")
    for batch_id in list(pending.values_list("pk", flat=True)):
        try:
            result = _process_batch(batch_id, now=now)
        except ValueError:
            logger.exception("producer: batch %s could not be processed", batch_id)
            failed += 1
            continue
        if result is None:
            continue
        batches += 1
        shipped += result[0]
        withdrawn += result[1]
    return ProducerResult(batches=batches, shipped=shipped, withdrawn=withdrawn, failed=failed)


def _process_batch(batch_id: int, *, now: dt.datetime) -> tuple[int, int] | None:
    with transaction.atomic():
        batch = ProductionBatch.objects.select_for_update().get(pk=batch_id)
        if batch.state == BatchState.SHIPPED:
            return None
        document = read_batch_file(batch)
        in_file = {r["card_number"] for r in document["records"]}
        if batch.state == BatchState.OPEN:
            batch.state = BatchState.SENT
            batch.sent_at = now
        items = list(
            batch.items.filter(shipped_at__isnull=True, withdrawn_at__isnull=True).order_by("pk")
        )
        cards = {
            c.pk: c
            for c in Card.objects.select_for_update()
            .filter(pk__in=[i.card_id for i in items])
            .order_by("pk")
        }
        to_ship, to_withdraw = [], []
        for item in items:
            card = cards[item.card_id]
            if card.state == CardState.IN_PRODUCTION and card.card_number in in_file:
                item.shipped_at = now
                to_ship.append(item)
            else:
                item.withdrawn_at = now
                item.withdrawn_state = card.state
                to_withdraw.append(item)
        card_transition_bulk(
            changes=[CardChange(i.card_id, CardState.ACTIVE) for i in to_ship],
            actor_type=ActorType.SYSTEM,
            actor=PRODUCER_ACTOR,
            at=now,
        )
        BatchItem.objects.bulk_update(to_ship, ["shipped_at"])
        BatchItem.objects.bulk_update(to_withdraw, ["withdrawn_at", "withdrawn_state"])
        batch.state = BatchState.SHIPPED
        batch.shipped_at = now
        batch.shipped_count += len(to_ship)
        batch.withdrawn_count += len(to_withdraw)
        batch.save(
            update_fields=[
                "state",
                "sent_at",
                "shipped_at",
                "shipped_count",
                "withdrawn_count",
            ]
        )
        return len(to_ship), len(to_withdraw)
