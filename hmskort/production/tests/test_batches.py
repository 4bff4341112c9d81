import base64
import datetime as dt
import json
import threading
from pathlib import Path

import jsonschema
import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hmskort.cards.models import ActorType, CardState
from hmskort.cards.qr import card_from_qr_token
from hmskort.cards.services.lifecycle import card_block, card_evaluate_pending, card_order
from hmskort.cards.services.transitions import card_transition
from hmskort.portal.tests.factories import documents_approved_for
from hmskort.production import storage
from hmskort.production.models import BatchItem, BatchState, ProductionBatch
from hmskort.production.records import chip_payload_decode
from hmskort.production.services import (
    producer_process,
    production_batch_create,
    read_batch_file,
)
from hmskort.production.tests.conftest import make_card
from hmskort.registers.models import Person
from hmskort.registers.tests.factories import ArbeidsforholdFactory

SCHEMA = json.loads((Path(__file__).parents[1] / "batch.schema.json").read_text())
pytestmark = pytest.mark.django_db


def validate(document):
    jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_batch_takes_every_card_in_production_once():
    in_production = [make_card(in_production=True) for _ in range(3)]
    make_card(active=True)
    make_card()  # pending
    make_card(invalid=True)

    batch = production_batch_create()

    assert batch.state == BatchState.OPEN
    assert batch.card_count == 3
    assert sorted(batch.items.values_list("card_id", flat=True)) == sorted(
        c.pk for c in in_production
    )
    # Idempotent: a second run finds nothing to batch.
    assert production_batch_create() is None
    assert BatchItem.objects.count() == 3
    # A card effectuated later goes into the next batch, alone.
    late = make_card(in_production=True)
    second = production_batch_create()
    assert list(second.items.values_list("card_id", flat=True)) == [late.pk]


def test_batch_file_validates_and_holds_what_the_card_carries(private_media):
    card = make_card(in_production=True, card_type="BA")
    person = Person.objects.get(pk=card.holder_id)
    now = timezone.now()

    batch = production_batch_create(now=now)

    path = private_media / "production" / str(batch.pk) / "batch.json"
    assert batch.file_path == f"production/{batch.pk}/batch.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    validate(document)
    assert read_batch_file(batch) == document
    assert document["batch_id"] == batch.pk
    assert document["due_date"] == batch.due_date.isoformat()
    [record] = document["records"]
    assert record["card_number"] == card.card_number
    assert record["industry"] == {
        "code": "BA",
        "name": "Bygg og anlegg",
        "name_en": "Building and construction",
    }
    assert record["holder"] == {
        "name": card.holder_name,
        "birth_date": person.foedselsdato.isoformat(),
        "gender": {"mann": "male", "kvinne": "female"}[person.kjoenn],
    }
    assert record["employer"] == {"orgnr": card.employer_orgnr, "name": card.employer_name}
    assert record["valid_until"] == card.valid_until.isoformat()
    assert record["barcode"]["data"] == card.employer_orgnr + card.card_number
    chip = chip_payload_decode(base64.b64decode(record["chip"]["base64"]))
    assert (chip["card_number"], chip["orgnr"], chip["valid_until"]) == (
        card.card_number,
        card.employer_orgnr,
        card.valid_until.strftime("%Y%m%d"),
    )
    assert chip["holder_name"] == card.holder_name[:70]
    number, claims = card_from_qr_token(record["qr"]["token"], now=now)
    assert number == card.card_number
    # The card's QR code works to the end of its last valid day (Oslo time).
    assert timezone.localtime(dt.datetime.fromtimestamp(claims["exp"], dt.UTC)).date() == (
        card.valid_until + dt.timedelta(days=1)
    )
    assert record["qr"]["url"] == f"https://hmskort.test/qr/{record['qr']['token']}"
    face = path.parent / record["face"]["file"]
    assert face.read_bytes().startswith(b"%PDF")
    assert storage.sha256_hex(face.read_bytes()) == record["face"]["sha256"]
    item = batch.items.get()
    assert storage.absolute(item.face_path) == face


def test_batch_creation_is_set_based():
    """The queries of a run do not grow with the number of cards (the QR
    signing key look-up in hmskort.core.signing aside)."""

    def queries_for(n):
        for _ in range(n):
            make_card(in_production=True)
        with CaptureQueriesContext(connection) as ctx:
            production_batch_create()
        return [q for q in ctx.captured_queries if "signingkey" not in q["sql"]]

    queries_for(1)  # the first run creates the signing key
    assert len(queries_for(2)) == len(queries_for(8))


def test_card_whose_holder_is_not_in_the_register_waits():
    card = make_card(in_production=True)
    other = make_card(in_production=True)
    holder = card.holder_id
    card.holder_id = "01010000000"  # nobody in Folkeregisteret
    card.save(update_fields=["holder_id"])

    batch = production_batch_create()

    assert list(batch.items.values_list("card_id", flat=True)) == [other.pk]
    card.holder_id = holder
    card.save(update_fields=["holder_id"])
    assert list(production_batch_create().items.values_list("card_id", flat=True)) == [card.pk]


def test_withdrawn_card_that_returns_to_production_is_batched_again():
    card = make_card(in_production=True)
    first = production_batch_create()
    card_transition(
        card=card,
        to_state=CardState.INVALID,
        reason_codes=["EMPLOYMENT_NOT_REGISTERED"],
        actor_type=ActorType.JOB,
    )
    producer_process()
    item = first.items.get()
    assert item.withdrawn_state == CardState.INVALID
    assert production_batch_create() is None  # invalid: not in production

    card_transition(card=card, to_state=CardState.IN_PRODUCTION, actor_type=ActorType.JOB)

    second = production_batch_create()
    assert list(second.items.values_list("card_id", flat=True)) == [card.pk]


def test_effectuated_order_is_produced_and_shipped(settings):
    af = ArbeidsforholdFactory()
    documents_approved_for(af)
    today = timezone.localdate()
    order = card_order(
        employer_orgnr=af.arbeidsgiver.organisasjonsnummer,
        holder_id=af.arbeidstaker.identifikator,
        card_type="BA",
        ordered_by="bestiller",
        today=today,
    )
    card = card_evaluate_pending(card=order.card, today=today, actor_type=ActorType.JOB)
    assert card.state == CardState.IN_PRODUCTION

    batch = production_batch_create()
    result = producer_process()

    card.refresh_from_db()
    assert (result.batches, result.shipped) == (1, 1)
    assert card.state == CardState.ACTIVE
    assert list(card.history.values_list("to_state", flat=True)) == [
        CardState.PENDING,
        CardState.IN_PRODUCTION,
        CardState.ACTIVE,
    ]
    batch.refresh_from_db()
    assert batch.state == BatchState.SHIPPED


def test_blocked_card_is_not_batched():
    card = make_card(in_production=True)
    card_block(card=card, reason="lost")
    assert production_batch_create() is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_never_batch_a_card_twice():
    cards = [make_card(in_production=True) for _ in range(12)]
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait()
            production_batch_create()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(BatchItem.objects.values_list("card_id", flat=True)) == sorted(
        c.pk for c in cards
    )
    for batch in ProductionBatch.objects.all():
        document = read_batch_file(batch)
        assert len(document["records"]) == batch.card_count == batch.items.count()
