"""Presence (hmskort.sites.models.GatePresence) and the gate's check records.

Presence is derived from the admitted events and kept in the same statement as
each event; these tests hold it to the events, also under concurrency (real
PostgreSQL) and after the migration that built it from the events recorded
before it. Every decision on a card number is a recorded card check (issue 11)."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection

from hmskort.api.services import api_token_issue
from hmskort.checks.tests.helpers import employment_card
from hmskort.receipts import recorder
from hmskort.receipts.models import CardCheck
from hmskort.receipts.selectors import holder_log
from hmskort.receipts.services import checks_flush
from hmskort.sites.gate import Presented, gate_decide, reader_site
from hmskort.sites.models import GateEvent, GatePresence
from hmskort.sites.services import gate_reader_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_spool(settings, tmp_path):
    settings.HMSKORT_CHECK_SPOOL_DIR = str(tmp_path / "spool")
    yield
    recorder.spool_rotate()


def _presence(site, card) -> tuple[bool, object] | None:
    row = GatePresence.objects.filter(site=site, card=card).values_list("inside", "last_in_at")
    return row.first()


# --- check records ------------------------------------------------------------------------


def test_a_gate_decision_is_a_recorded_check_with_the_sites_name(api, reader, worker_card):
    answer = reader.post(api, card_number=worker_card.card_number)
    assert answer["admitted"] and answer["check_id"]
    checks_flush()
    check = CardCheck.objects.get(pk=answer["check_id"])
    assert check.channel == "gate" and check.site_name == reader.site.name
    assert check.card_number == worker_card.card_number and check.status == "valid"
    assert check.api_client_id == reader.client_pk
    assert check.employer_orgnr == worker_card.employer_orgnr
    assert check.employer_name == worker_card.employer_name
    # The holder sees the check in their log, with the site's name.
    [entry] = holder_log(worker_card.holder_id).entries
    assert entry.channel == "gate" and entry.who == reader.site.name  # not the reader client


def test_the_gate_checks_receipt_opens(api, reader, worker_card):
    answer = reader.post(api, card_number=worker_card.card_number)
    checks_flush()
    page = api.get(f"/kvittering/{answer['check_id']}")
    assert page.status_code == 200
    assert worker_card.card_number in page.content.decode()


def test_a_refusal_records_the_status_it_was_refused_for(api, reader, contractor):
    card = employment_card(enhet=contractor, blocked=True)
    answer = reader.post(api, card_number=card.card_number)
    assert answer["reason"] == "card_blocked" and answer["check_id"]
    checks_flush()
    assert CardCheck.objects.get(pk=answer["check_id"]).status == "blocked"


def test_an_exit_is_a_check_too(api, reader, worker_card):
    assert reader.post(api, card_number=worker_card.card_number)["admitted"]
    out = reader.post(api, direction="out", card_number=worker_card.card_number)
    assert out["admitted"] and out["check_id"]
    checks_flush()
    assert CardCheck.objects.filter(channel="gate").count() == 2


def test_a_replayed_event_id_records_no_new_check(api, reader, worker_card):
    first = reader.post(api, event_id="r-1", card_number=worker_card.card_number)
    retry = reader.post(api, event_id="r-1", card_number=worker_card.card_number)
    assert first["check_id"] and retry["replayed"] and retry["check_id"] is None
    checks_flush()
    assert CardCheck.objects.filter(channel="gate").count() == 1


def test_no_check_without_a_card_number_to_look_up(api, reader):
    answers = [
        reader.post(api, qr_token="not.a.token"),
        reader.post(api, chip_code="DEADBEEF"),
        reader.post(api, card_number="12"),
    ]
    assert [a["check_id"] for a in answers] == [None, None, None]
    checks_flush()
    assert not CardCheck.objects.exists()
    assert GateEvent.objects.count() == 3  # every decision is still recorded


def test_an_unknown_card_number_is_recorded_as_not_found(api, reader):
    from hmskort.cards.numbers import new_card_number

    answer = reader.post(api, card_number=new_card_number())
    assert answer["reason"] == "card_unknown" and answer["check_id"]
    checks_flush()
    assert CardCheck.objects.get(pk=answer["check_id"]).status == "not_found"


def test_with_recording_off_the_answer_has_no_check_id(api, reader, worker_card, settings):
    settings.HMSKORT_CHECK_RECORDING = False
    answer = reader.post(api, card_number=worker_card.card_number)
    assert answer["admitted"] and answer["check_id"] is None


# --- presence follows the events ---------------------------------------------------------


def test_presence_follows_the_admitted_events(api, reader, worker_card):
    site = reader.site
    assert _presence(site, worker_card) is None
    first = reader.post(api, card_number=worker_card.card_number)
    inside, last_in = _presence(site, worker_card)
    assert inside and last_in.isoformat().startswith(first["at"][:19])
    assert reader.post(api, card_number=worker_card.card_number)["reason"] == "already_inside"
    assert _presence(site, worker_card) == (True, last_in)  # a refusal changes nothing
    assert reader.post(api, direction="out", card_number=worker_card.card_number)["admitted"]
    assert _presence(site, worker_card) == (False, last_in)
    # Anti-passback (10 minutes) still counts from the last admitted entry.
    assert reader.post(api, card_number=worker_card.card_number)["reason"] == "passback_too_soon"
    assert _presence(site, worker_card) == (False, last_in)


def test_a_card_refused_by_the_rules_gets_no_presence(api, reader, contractor):
    card = employment_card(enhet=contractor, invalid=True)
    assert reader.post(api, card_number=card.card_number)["reason"] == "card_invalid"
    assert _presence(reader.site, card) is None


def test_the_migration_builds_presence_from_the_events(api, reader, site, worker_card, contractor):
    other = employment_card(enhet=contractor, active=True)
    third = employment_card(enhet=contractor, active=True)
    reader.post(api, card_number=worker_card.card_number)  # inside
    reader.post(api, card_number=other.card_number)
    reader.post(api, direction="out", card_number=other.card_number)  # out again
    reader.post(api, direction="out", card_number=third.card_number)  # out without entry
    expected = set(GatePresence.objects.values_list("site_id", "card_id", "inside", "last_in_at"))
    assert len(expected) == 3
    GatePresence.objects.all().delete()
    migration = importlib.import_module("hmskort.sites.migrations.0002_gate_presence")
    migration.build_presence(apps, None)
    rebuilt = set(GatePresence.objects.values_list("site_id", "card_id", "inside", "last_in_at"))
    assert rebuilt == expected


# --- concurrency (real PostgreSQL) ---------------------------------------------------------


def _race(n: int, target) -> list:
    barrier = threading.Barrier(n)
    answers: list = []
    errors: list = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            answers.append(target(i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return answers


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_event_id_at_once_is_recorded_once_and_answered_alike(reader, worker_card):
    _needs_postgres()
    site = reader_site(reader.client_pk)
    number = Presented(card_number=worker_card.card_number)
    answers = _race(
        6,
        lambda i: gate_decide(site=site, event_id="same-id", direction="in", presented=number),
    )
    assert GateEvent.objects.count() == 1
    assert sum(not a.replayed for a in answers) == 1
    assert {(a.admitted, a.reason, a.at) for a in answers} == {
        (True, "ok", GateEvent.objects.get().at)
    }
    assert _presence(reader.site, worker_card)[0] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_exits_let_one_out_and_flag_the_rest(reader, site, worker_card):
    _needs_postgres()
    creds = gate_reader_create(site=site, name="Port B", created_by="test")
    api_token_issue(client=creds.reader.api_client)
    site_a = reader_site(reader.client_pk)
    site_b = reader_site(creds.reader.api_client_id)
    number = Presented(card_number=worker_card.card_number)
    assert gate_decide(site=site_a, event_id="in", direction="in", presented=number).admitted
    answers = _race(
        6,
        lambda i: gate_decide(
            site=site_a if i % 2 else site_b, event_id=f"out-{i}", direction="out", presented=number
        ),
    )
    assert all(a.admitted for a in answers)  # nobody is locked in
    assert sorted(a.reason for a in answers) == ["exit_without_entry"] * 5 + ["ok"]
    assert _presence(reader.site, worker_card)[0] is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_entries_racing_exits_keep_presence_equal_to_the_events(reader, contractor):
    """Many cards, each entered and left by racing threads: afterwards every card's
    presence is what replaying its admitted events in order gives."""
    _needs_postgres()
    site = reader_site(reader.client_pk)
    cards = [employment_card(enhet=contractor, active=True) for _ in range(4)]
    site_obj = reader.site
    site_obj.anti_passback_minutes = 0
    site_obj.save()
    from hmskort.sites.gate import reader_cache_clear

    reader_cache_clear()
    site = reader_site(reader.client_pk)

    def scan(i: int):
        card = cards[i % len(cards)]
        direction = "in" if (i // len(cards)) % 2 == 0 else "out"
        return gate_decide(
            site=site,
            event_id=f"mix-{i}",
            direction=direction,
            presented=Presented(card_number=card.card_number),
        )

    _race(16, scan)
    for card in cards:
        inside = False
        for direction in (
            GateEvent.objects.filter(card=card, admitted=True)
            .order_by("id")
            .values_list("direction", flat=True)
        ):
            inside = direction == "in"
        assert _presence(site_obj, card)[0] is inside
        # Never two admitted entries without an admitted exit between them.
        seq = list(
            GateEvent.objects.filter(card=card, admitted=True, reason="ok")
            .order_by("id")
            .values_list("direction", flat=True)
        )
        assert all(not (a == b == "in") for a, b in zip(seq, seq[1:], strict=False))
