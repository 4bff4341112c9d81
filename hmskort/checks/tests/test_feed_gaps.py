"""The incremental re-check never skips a register change that commits late.

RegisterChange.sequence comes from a database sequence: it is taken when the
change is written and becomes visible when its transaction commits, so a lower
number can appear after a higher one was read. The cursor remembers such gaps
(`FeedCursor.gaps`) and reads them again until they fill or time out.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from hmskort.cards.models import Card, CardState
from hmskort.checks import services
from hmskort.checks.models import FeedCursor
from hmskort.checks.tests.helpers import employment_card, state_of, today
from hmskort.registers import models as rm
from hmskort.registers import services as registers

S = CardState
NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def _end_employment(card: Card) -> None:
    registers.arbeidsforhold_end(
        arbeidsgiver=card.employer_orgnr,
        arbeidstaker=card.holder_id,
        sluttdato=today() - dt.timedelta(days=1),
    )


def _gaps() -> list[tuple[int, int]]:
    return [(low, high) for low, high, _ in FeedCursor.objects.get(name="recheck").gaps]


def _waiting_for(sequence: int) -> bool:
    """Whether the cursor still waits for `sequence`. (On PostgreSQL, numbers taken
    by earlier tests' rolled-back transactions are gaps too: only ask about one.)"""
    return any(low <= sequence <= high for low, high in _gaps())


# --- the bookkeeping, without a database ---------------------------------------------------------


def test_numbers_skipped_by_a_read_become_gaps():
    sequence, gaps = services.feed_advance(10, [], [11, 12, 15, 18], now=NOW)
    assert sequence == 18
    assert [(low, high) for low, high, _ in gaps] == [(13, 14), (16, 17)]
    assert all(seen == NOW.isoformat() for _, _, seen in gaps)


def test_a_gap_filled_in_part_keeps_the_rest_and_its_age():
    first_seen = (NOW - dt.timedelta(minutes=5)).isoformat()
    sequence, gaps = services.feed_advance(20, [(13, 17, first_seen)], [14, 16, 21], now=NOW)
    assert sequence == 21
    assert gaps == [(13, 13, first_seen), (15, 15, first_seen), (17, 17, first_seen)]


def test_nothing_read_changes_nothing():
    gap = (5, 6, NOW.isoformat())
    assert services.feed_advance(9, [gap], [], now=NOW) == (9, [gap])


def test_gaps_are_waited_for_until_they_time_out():
    fresh = (5, 5, (NOW - services.FEED_GAP_TIMEOUT).isoformat())
    stale = (7, 7, (NOW - services.FEED_GAP_TIMEOUT - dt.timedelta(seconds=1)).isoformat())
    assert services.feed_gaps_open([fresh, stale], now=NOW) == [fresh]


# --- against the database ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_change_that_shows_up_late_with_a_lower_sequence_is_still_processed():
    early, late = employment_card(active=True), employment_card(active=True)
    services.feed_cursor_set()
    _end_employment(early)
    _end_employment(late)
    first, second = rm.RegisterChange.objects.order_by("sequence").reverse()[:2][::-1]
    assert first.fnr == early.holder_id and second.fnr == late.holder_id
    # As if the first change's transaction had not committed yet: its row is not visible.
    pending = rm.RegisterChange.objects.filter(pk=first.pk)
    row = pending.values().get()
    pending.delete()

    run = services.recheck_incremental(today=today())

    assert state_of(late) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
    assert state_of(early) == (S.ACTIVE, [])
    assert run.sequence_to == second.sequence and _waiting_for(first.pk)

    rm.RegisterChange.objects.create(**row)  # the transaction commits
    again = services.recheck_incremental(today=today())

    assert state_of(early) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
    assert again.changes_read == 1 and again.cards_changed == 1
    assert not _waiting_for(first.pk) and again.sequence_to == second.sequence
    # Read, decided, and not read again.
    assert services.recheck_incremental(today=today()).changes_read == 0


@pytest.mark.django_db
def test_a_gap_that_never_fills_is_given_up_after_the_timeout():
    card = employment_card(active=True)
    services.feed_cursor_set()
    _end_employment(card)
    _end_employment(employment_card(active=True))
    newest = rm.RegisterChange.objects.order_by("-sequence").first()
    rm.RegisterChange.objects.filter(sequence=newest.sequence - 1).delete()  # rolled back
    services.recheck_incremental(today=today())
    assert _waiting_for(newest.sequence - 1)

    cursor = FeedCursor.objects.get(name="recheck")
    old = (timezone.now() - services.FEED_GAP_TIMEOUT - dt.timedelta(minutes=1)).isoformat()
    cursor.gaps = [[low, high, old] for low, high, _ in cursor.gaps]
    cursor.save()
    services.recheck_incremental(today=today())

    assert _gaps() == []
    assert FeedCursor.objects.get(name="recheck").sequence == newest.sequence


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_register_write_committing_after_a_later_one_is_processed_on_postgres():
    """Two real transactions: the first takes the lower sequence number and commits
    after the incremental run has read the second one."""
    early, late = employment_card(active=True), employment_card(active=True)
    services.feed_cursor_set()
    took_number, commit = threading.Event(), threading.Event()
    failed: list[BaseException] = []
    taken: list[int] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                _end_employment(early)
                taken.append(rm.RegisterChange.objects.get(fnr=early.holder_id).sequence)
                took_number.set()
                assert commit.wait(timeout=30)
        except BaseException as exc:  # reported by the main thread
            failed.append(exc)
            took_number.set()
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert took_number.wait(timeout=30)
        _end_employment(late)  # commits at once, with the higher number
        run = services.recheck_incremental(today=today())
        assert state_of(late) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
        assert state_of(early) == (S.ACTIVE, [])
        (sequence,) = taken
        assert sequence < run.sequence_to and _waiting_for(sequence)
    finally:
        commit.set()
        writer.join(timeout=30)
    assert not failed

    again = services.recheck_incremental(today=today())

    assert state_of(early) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
    assert again.changes_read == 1 and not _waiting_for(sequence)
    assert again.sequence_to == run.sequence_to
