"""Full and incremental re-check, order processing and expiry, against the simulated registers.

Given / when / then: cards for register employments; the registers change
through `registers.services` (which writes the change feed); the re-check
moves the cards through the state machine.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from hmskort.cards.models import Card, CardState, CardStatusHistory
from hmskort.cards.numbers import new_card_number
from hmskort.cards.services.transitions import valid_until_for
from hmskort.checks import services
from hmskort.checks.models import FeedCursor, RecheckChunk, RecheckKind, RecheckRun
from hmskort.checks.tests.helpers import (
    backdate,
    employment_card,
    employment_cards,
    history_count,
    state_of,
    today,
)
from hmskort.eligibility.reasons import ReasonCode
from hmskort.registers import services as registers
from hmskort.registers.tests.factories import (
    EnhetFactory,
    PersonFactory,
    RenholdsgodkjenningFactory,
)

S = CardState
pytestmark = pytest.mark.django_db


def _end_employment(card: Card, *, day: dt.date) -> None:
    registers.arbeidsforhold_end(
        arbeidsgiver=card.employer_orgnr, arbeidstaker=card.holder_id, sluttdato=day
    )


def _bankrupt(orgnr: str) -> None:
    enhet = EnhetFactory._meta.model.objects.get(pk=orgnr)
    enhet.konkurs, enhet.konkursdato = True, today()
    registers.register_record_save(instance=enhet, created=False)


# --- full re-check -------------------------------------------------------------------------------


def test_full_recheck_writes_only_what_changed_and_is_idempotent():
    ok = employment_card(active=True)
    ended = employment_card(active=True)
    unshipped_ended = employment_card(in_production=True)
    no_employment = employment_card(invalid=True, employment=False)
    back = employment_card(invalid=True)  # invalid earlier, employment registered since
    back_unshipped = employment_card(invalid=True, shipped_at=None)
    bankrupt = employment_card(active=True)
    _end_employment(ended, day=today() - dt.timedelta(days=1))
    _end_employment(unshipped_ended, day=today() - dt.timedelta(days=1))
    _bankrupt(bankrupt.employer_orgnr)
    before = history_count()

    run = services.recheck_full(today=today(), chunk_size=3)

    assert run.finished is not None and run.kind == RecheckKind.FULL
    assert run.chunks_total == run.chunks_done == 3
    assert state_of(ok) == (S.ACTIVE, [])
    assert state_of(ended) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
    assert state_of(unshipped_ended) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
    assert state_of(no_employment) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
    assert state_of(back) == (S.ACTIVE, [])
    assert state_of(back_unshipped) == (S.IN_PRODUCTION, [])
    assert state_of(bankrupt) == (S.INVALID, ["COMPANY_BANKRUPT"])
    assert history_count() - before == 5 == run.cards_changed
    assert run.cards_checked == 7
    last = CardStatusHistory.objects.filter(card=ended).latest("id")
    assert (last.from_state, last.to_state, last.actor_type, last.actor) == (
        S.ACTIVE,
        S.INVALID,
        "job",
        f"recheck:{run.pk}",
    )

    again = services.recheck_full(today=today(), chunk_size=3)
    assert again.pk != run.pk and again.cards_changed == 0
    assert history_count() - before == 5


def test_an_invalid_card_for_a_new_reason_gets_the_new_reason_once():
    card = employment_card(invalid=True, reason_codes=["EMPLOYMENT_NOT_REGISTERED"])
    _bankrupt(card.employer_orgnr)
    services.recheck_full(today=today())
    services.recheck_full(today=today())
    assert state_of(card) == (S.INVALID, ["COMPANY_BANKRUPT"])
    assert history_count(card) == 1


@pytest.mark.parametrize(
    ("valid_until_offset", "expected"),
    [(-1, S.EXPIRED), (0, S.ACTIVE), (1, S.ACTIVE)],
    ids=["expired-yesterday", "last-valid-day-today", "valid-tomorrow"],
)
def test_full_recheck_expires_cards_the_day_after_their_last_valid_day(
    valid_until_offset, expected
):
    card = employment_card(active=True, valid_until=today() + dt.timedelta(days=valid_until_offset))
    services.recheck_full(today=today())
    assert state_of(card)[0] == expected
    if expected == S.EXPIRED:
        assert state_of(card) == (S.EXPIRED, ["CARD_EXPIRED"])


def test_full_recheck_leaves_cards_outside_the_checked_states_alone():
    cards = [
        employment_card(employment=False, **{trait: True})
        for trait in ("blocked", "expired", "returned", "confiscated", "rejected", "cancelled")
    ]
    pending = employment_card(employment=False)
    before = history_count()
    services.recheck_full(today=today())
    assert history_count() == before
    assert [state_of(c)[0] for c in cards] == [
        S.BLOCKED,
        S.EXPIRED,
        S.RETURNED,
        S.CONFISCATED,
        S.REJECTED,
        S.CANCELLED,
    ]
    assert state_of(pending)[0] == S.PENDING


def test_a_killed_full_run_resumes_and_skips_finished_chunks():
    cards = employment_cards(6, active=True)
    for card in cards:
        _end_employment(card, day=today() - dt.timedelta(days=1))
    # The run was planned and its first chunk done, then the process died.
    run = services._full_run_for(today=today(), chunk_size=2)
    first = run.chunks.order_by("id_from").first()
    services.recheck_chunk(run_id=run.pk, id_from=first.id_from, id_to=first.id_to, today=today())
    assert RecheckRun.objects.get(pk=run.pk).finished is None
    done_at = RecheckChunk.objects.get(pk=first.pk).finished

    resumed = services.recheck_full(today=today(), chunk_size=2)

    assert resumed.pk == run.pk and resumed.finished is not None
    assert RecheckChunk.objects.get(pk=first.pk).finished == done_at
    assert resumed.cards_changed == 6 == history_count()  # factories write no history
    assert all(state_of(c)[0] == S.INVALID for c in cards)
    assert all(history_count(c) == 1 for c in cards)
    # A chunk delivered twice (e.g. a redelivered Celery message) does nothing.
    assert (
        services.recheck_chunk(
            run_id=run.pk, id_from=first.id_from, id_to=first.id_to, today=today()
        )
        == services.Tally()
    )


def test_a_new_day_is_a_new_run():
    employment_card(active=True)
    first = services.recheck_full(today=today())
    second = services.recheck_full(today=today() + dt.timedelta(days=1))
    assert first.pk != second.pk
    assert RecheckRun.objects.filter(kind=RecheckKind.FULL).count() == 2


# --- incremental ------------------------------------------------------------------------------


def test_incremental_follows_an_employment_that_ends_and_is_registered_again():
    card = employment_card(active=True)
    other = employment_card(active=True)
    services.feed_cursor_set()  # start from the end of the feed
    yesterday = today() - dt.timedelta(days=1)

    _end_employment(card, day=yesterday)
    run = services.recheck_incremental(today=today())

    assert state_of(card) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
    assert run.changes_read == 1 and run.cards_checked == 1 and run.cards_changed == 1
    assert FeedCursor.objects.get(name="recheck").sequence == run.sequence_to
    assert history_count(other) == 0

    registers.arbeidsforhold_register(
        arbeidsgiver=card.employer_orgnr, arbeidstaker=card.holder_id, startdato=today()
    )
    services.recheck_incremental(today=today())
    assert state_of(card) == (S.ACTIVE, [])
    assert history_count(card) == 2

    nothing = services.recheck_incremental(today=today())
    assert nothing.changes_read == 0 and nothing.cards_checked == 0
    assert history_count(card) == 2


def test_incremental_maps_company_and_person_changes_to_their_cards():
    enhet = EnhetFactory()
    of_company = [employment_card(enhet=enhet, active=True) for _ in range(3)]
    person = PersonFactory()
    of_person = [employment_card(person=person, active=True) for _ in range(2)]
    untouched = employment_card(active=True)
    services.feed_cursor_set()

    _bankrupt(enhet.organisasjonsnummer)
    registers.person_set_status(identifikator=person.identifikator, status="doed")
    run = services.recheck_incremental(today=today())

    assert [state_of(c) for c in of_company] == [(S.INVALID, ["COMPANY_BANKRUPT"])] * 3
    assert [state_of(c) for c in of_person] == [(S.INVALID, ["PERSON_DEAD"])] * 2
    assert state_of(untouched) == (S.ACTIVE, [])
    assert run.cards_checked == 5 and run.cards_changed == 5


def test_incremental_effectuates_a_pending_order_when_the_employment_arrives():
    enhet, person = EnhetFactory(), PersonFactory()
    order = employment_card(enhet=enhet, person=person, employment=False)
    services.feed_cursor_set()
    registers.arbeidsforhold_register(
        arbeidsgiver=enhet.organisasjonsnummer,
        arbeidstaker=person.identifikator,
        startdato=today() - dt.timedelta(days=3),
    )
    services.recheck_incremental(today=today())
    order.refresh_from_db()
    assert (order.state, order.issue_date) == (S.IN_PRODUCTION, today())


def test_incremental_reads_the_feed_in_batches_and_keeps_the_cursor():
    cards = employment_cards(5, active=True)
    services.feed_cursor_set()
    for card in cards:
        _end_employment(card, day=today() - dt.timedelta(days=1))
    run = services.recheck_incremental(today=today(), batch_size=2)
    assert run.chunks_done == 3 and run.changes_read == 5
    assert all(state_of(c)[0] == S.INVALID for c in cards)


# --- pending orders ---------------------------------------------------------------------------


def test_pending_orders_are_effectuated_rejected_or_cancelled():
    passes = employment_card()
    fails = employment_card()
    _bankrupt(fails.employer_orgnr)
    waits = employment_card(employment=False)  # EMPLOYMENT_NOT_REGISTERED is pending at ORDER
    day_20 = employment_card(employment=False)
    day_21 = employment_card(employment=False)
    backdate(day_20, days=20)
    backdate(day_21, days=21)

    run = services.orders_process_pending(today=today())

    passes.refresh_from_db()
    assert (passes.state, passes.issue_date) == (S.IN_PRODUCTION, today())
    assert passes.valid_until == valid_until_for(today())
    assert state_of(fails) == (S.REJECTED, ["COMPANY_BANKRUPT"])
    assert state_of(waits) == (S.PENDING, ["EMPLOYMENT_NOT_REGISTERED"])
    assert state_of(day_20) == (S.PENDING, ["EMPLOYMENT_NOT_REGISTERED"])
    assert state_of(day_21) == (S.CANCELLED, ["ORDER_CANCELLED_TIMEOUT"])
    assert run.kind == RecheckKind.PENDING and run.cards_checked == 5

    before = history_count()
    services.orders_process_pending(today=today())
    assert history_count() == before


def test_an_rh_order_awaiting_the_companys_approval_is_not_auto_cancelled():
    godkjenning = RenholdsgodkjenningFactory(status="soekt_kan_bestille")
    order = employment_card(enhet=godkjenning.enhet, card_type="RH")
    backdate(order, days=40)
    services.orders_process_pending(today=today())
    assert state_of(order) == (S.PENDING, ["CLEANING_APPROVAL_AWAITED"])


def test_an_order_waiting_for_the_caseworkers_document_review_is_not_auto_cancelled():
    from hmskort.portal.models import UploadStatus
    from hmskort.portal.tests.factories import documents_approved

    waits_for_us = employment_card(documents_approved=False)
    documents_approved(
        waits_for_us.employer_orgnr, waits_for_us.holder_id, status=UploadStatus.PENDING_REVIEW
    )
    waits_for_them = employment_card(documents_approved=False)  # nothing uploaded
    backdate(waits_for_us, days=40)
    backdate(waits_for_them, days=21)
    services.orders_process_pending(today=today())
    assert state_of(waits_for_us) == (S.PENDING, ["DOCUMENTS_UNDER_REVIEW"])
    assert state_of(waits_for_them) == (S.CANCELLED, ["ORDER_CANCELLED_TIMEOUT"])


def test_a_pending_order_for_an_employment_that_already_has_a_card_is_rejected():
    card = employment_card(active=True)
    order = Card.objects.create(
        card_number=new_card_number(),
        card_type="BA",
        employer_orgnr=card.employer_orgnr,
        holder_id=card.holder_id,
        state=S.PENDING,
        state_changed_at=card.state_changed_at,
    )
    services.orders_process_pending(today=today())
    assert state_of(order) == (S.REJECTED, ["ALREADY_HAS_CARD"])
    assert state_of(card) == (S.ACTIVE, [])


# --- expiry -----------------------------------------------------------------------------------


def test_cards_expire_on_the_day_after_their_last_valid_day():
    last_day_yesterday = employment_card(active=True, valid_until=today() - dt.timedelta(days=1))
    invalid_expired = employment_card(invalid=True, valid_until=today() - dt.timedelta(days=3))
    last_day_today = employment_card(active=True, valid_until=today())
    blocked = employment_card(blocked=True, valid_until=today() - dt.timedelta(days=3))

    run = services.cards_expire(today=today())

    assert state_of(last_day_yesterday) == (S.EXPIRED, ["CARD_EXPIRED"])
    assert state_of(invalid_expired) == (S.EXPIRED, ["CARD_EXPIRED"])
    assert state_of(last_day_today) == (S.ACTIVE, [])
    assert state_of(blocked)[0] == S.BLOCKED
    assert run.cards_changed == 2
    assert services.cards_expire(today=today()).cards_changed == 0


# --- the command --------------------------------------------------------------------------------


def test_recheck_cards_command_runs_each_mode(capsys):
    card = employment_card(active=True, valid_until=dt.date(2030, 1, 31))
    call_command("recheck_cards", "--full", "--today", "2030-02-01")
    assert state_of(card) == (S.EXPIRED, ["CARD_EXPIRED"])
    out = capsys.readouterr().out
    assert "recheck_cards full 2030-02-01" in out and "1 endret" in out
    for mode in ("--incremental", "--pending", "--expire"):
        call_command("recheck_cards", mode)
    assert RecheckRun.objects.filter(finished__isnull=False).count() == 4


def test_recheck_cards_command_refuses_a_malformed_day():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("recheck_cards", "--full", "--today", "01.02.2030")


# --- sticky reasons -------------------------------------------------------------------------------


def test_the_nightly_and_incremental_runs_keep_an_inspectors_removal():
    from hmskort.cards.models import ActorType
    from hmskort.cards.services.transitions import card_transition

    removed = str(ReasonCode.EMPLOYMENT_REMOVED_BY_INSPECTOR)
    card = employment_card(active=True)
    card_transition(
        card=card, to_state=S.INVALID, reason_codes=[removed], actor_type=ActorType.INSPECTOR
    )
    services.feed_cursor_set()
    before = history_count(card)

    services.recheck_full(today=today())  # the registers pass
    assert state_of(card) == (S.INVALID, [removed])
    assert history_count(card) == before

    _end_employment(card, day=today() - dt.timedelta(days=1))
    services.recheck_incremental(today=today())
    assert state_of(card) == (S.INVALID, sorted([removed, "EMPLOYMENT_NOT_REGISTERED"]))

    registers.arbeidsforhold_register(
        arbeidsgiver=card.employer_orgnr, arbeidstaker=card.holder_id, startdato=today()
    )
    services.recheck_incremental(today=today())
    services.recheck_full(today=today())
    assert state_of(card) == (S.INVALID, [removed])
    assert history_count(card) == before + 2
