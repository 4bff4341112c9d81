"""The card state machine: the table, the guards, history and events."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hmskort.cards.models import ActorType, BlockReason, Card, CardState, CardStatusHistory
from hmskort.cards.services.transitions import (
    FINAL_STATES,
    TRANSITIONS,
    VALID_STATES,
    CardChange,
    IllegalTransition,
    add_years,
    card_transition,
    card_transition_bulk,
)
from hmskort.cards.signals import card_state_changed
from hmskort.cards.tests.factories import CardFactory

pytestmark = pytest.mark.django_db

S = CardState
TODAY = dt.date(2025, 6, 10)
AT = timezone.make_aware(dt.datetime(2025, 6, 10, 12, 0))

ALL_PAIRS = list(itertools.product(list(CardState), list(CardState)))
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a] and a != b]


def card_in(state: CardState, *, to_state: CardState | None = None, **kwargs) -> Card:
    """A card in `state`, set up so the guards allow a move to `to_state`."""
    fields: dict = {"state": state, "reason_codes": ["OLD_REASON"] if state != S.ACTIVE else []}
    if state != S.PENDING:
        fields["issue_date"] = TODAY - dt.timedelta(days=100)
        fields["valid_until"] = add_years(fields["issue_date"], 2)
        if not (state == S.INVALID and to_state == S.IN_PRODUCTION) and state != S.IN_PRODUCTION:
            fields["shipped_at"] = AT - dt.timedelta(days=90)
    fields.update(kwargs)
    return CardFactory(**fields)


@pytest.fixture
def events():
    received: list[dict] = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        received.append(kwargs)

    card_state_changed.connect(receiver, dispatch_uid="test-events")
    yield received
    card_state_changed.disconnect(dispatch_uid="test-events")


def test_the_table_names_every_state_and_final_states_go_nowhere():
    assert set(TRANSITIONS) == set(CardState)
    assert FINAL_STATES == {S.REJECTED, S.CANCELLED, S.RETURNED, S.CONFISCATED}
    assert VALID_STATES == {S.IN_PRODUCTION, S.ACTIVE}
    for state in FINAL_STATES:
        assert TRANSITIONS[state] == frozenset()


@pytest.mark.parametrize(("from_state", "to_state"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_every_legal_transition_changes_state_writes_one_history_row_and_emits_one_event(
    from_state, to_state, events, django_capture_on_commit_callbacks
):
    card = card_in(from_state, to_state=to_state)
    reasons = ["NEW_REASON"]

    with django_capture_on_commit_callbacks(execute=True):
        result = card_transition(
            card=card,
            to_state=to_state,
            reason_codes=reasons,
            actor_type=ActorType.JOB,
            actor="nightly-1",
            note="test",
            block_reason=BlockReason.STOLEN if to_state == S.BLOCKED else "",
            at=AT,
            today=TODAY,
        )

    stored = Card.objects.get(pk=card.pk)
    assert result.state == stored.state == to_state
    assert stored.reason_codes == reasons
    assert stored.state_changed_at == AT
    history = list(CardStatusHistory.objects.filter(card=card))
    assert len(history) == 1
    row = history[0]
    assert (row.from_state, row.to_state, row.reason_codes) == (from_state, to_state, reasons)
    assert (row.actor_type, row.actor, row.note, row.at) == (ActorType.JOB, "nightly-1", "test", AT)
    assert len(events) == 1
    assert events[0]["card_number"] == card.card_number
    assert (events[0]["from_state"], events[0]["to_state"]) == (from_state, to_state)
    assert events[0]["history_id"] == row.pk
    if to_state == S.BLOCKED:
        assert stored.block_reason == BlockReason.STOLEN


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_every_illegal_transition_is_refused_and_writes_nothing(from_state, to_state, events):
    card = card_in(from_state, to_state=to_state)
    before = Card.objects.values().get(pk=card.pk)

    with pytest.raises(IllegalTransition) as excinfo:
        card_transition(
            card=card, to_state=to_state, reason_codes=["X"], actor_type=ActorType.USER, at=AT
        )

    assert excinfo.value.code == "illegal_transition"
    assert Card.objects.values().get(pk=card.pk) == before
    assert not CardStatusHistory.objects.filter(card=card).exists()
    assert events == []


@pytest.mark.parametrize("state", sorted(set(CardState) - {S.PENDING, S.INVALID}))
def test_same_state_with_new_reasons_is_refused_where_the_table_has_no_self_loop(state):
    card = card_in(state)
    with pytest.raises(IllegalTransition):
        card_transition(card=card, to_state=state, reason_codes=["OTHER"], actor_type=ActorType.JOB)


@pytest.mark.parametrize("state", list(CardState))
def test_same_state_and_same_reasons_is_a_noop_that_writes_nothing(
    state, events, django_capture_on_commit_callbacks
):
    card = card_in(state)
    before = Card.objects.values().get(pk=card.pk)

    with django_capture_on_commit_callbacks(execute=True):
        result = card_transition(
            card=card,
            to_state=state,
            reason_codes=list(reversed(card.reason_codes)),
            actor_type=ActorType.JOB,
        )

    assert result.state == state
    assert Card.objects.values().get(pk=card.pk) == before
    assert not CardStatusHistory.objects.exists()
    assert events == []


def test_invalid_for_a_new_reason_writes_a_new_history_row_each_time_the_reason_changes():
    card = card_in(S.INVALID, reason_codes=["EMPLOYMENT_NOT_REGISTERED"])

    for reasons in (["COMPANY_BANKRUPT"], ["COMPANY_BANKRUPT"], ["PERSON_DEAD"]):
        card = card_transition(
            card=card, to_state=S.INVALID, reason_codes=reasons, actor_type=ActorType.JOB
        )

    rows = list(CardStatusHistory.objects.filter(card=card).values_list("to_state", "reason_codes"))
    assert rows == [(S.INVALID, ["COMPANY_BANKRUPT"]), (S.INVALID, ["PERSON_DEAD"])]


def test_transition_decides_from_the_current_row_not_a_stale_instance():
    card = card_in(S.ACTIVE)
    stale = Card.objects.get(pk=card.pk)
    card_transition(card=card, to_state=S.RETURNED, actor_type=ActorType.USER)

    with pytest.raises(IllegalTransition):
        card_transition(
            card=stale, to_state=S.INVALID, reason_codes=["X"], actor_type=ActorType.JOB
        )
    assert Card.objects.get(pk=card.pk).state == S.RETURNED


# --- Effectuation and shipping: dates ------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "valid_until"),
    [
        (dt.date(2025, 6, 10), dt.date(2027, 6, 10)),
        (dt.date(2024, 2, 29), dt.date(2026, 2, 28)),  # leap day -> 28 February
        (dt.date(2024, 2, 28), dt.date(2026, 2, 28)),
        (dt.date(2024, 3, 1), dt.date(2026, 3, 1)),
        (dt.date(2023, 12, 31), dt.date(2025, 12, 31)),
    ],
)
def test_effectuation_issues_the_card_today_valid_for_two_years(issued, valid_until):
    # Given a pending order
    card = card_in(S.PENDING)
    # When it is effectuated on `issued`
    card = card_transition(
        card=card, to_state=S.IN_PRODUCTION, actor_type=ActorType.JOB, today=issued
    )
    # Then it is issued that day and valid two calendar years
    assert (card.issue_date, card.valid_until) == (issued, valid_until)
    assert card.shipped_at is None


def test_shipping_sets_shipped_at_and_keeps_the_validity():
    card = card_in(S.IN_PRODUCTION)
    issue, until = card.issue_date, card.valid_until

    card = card_transition(card=card, to_state=S.ACTIVE, actor_type=ActorType.SYSTEM, at=AT)

    assert card.shipped_at == AT
    assert (card.issue_date, card.valid_until) == (issue, until)


# --- Re-activation guard ------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_until_offset", "allowed"),
    [(1, True), (0, True), (-1, False)],
    ids=["expires-tomorrow", "expires-today", "expired-yesterday"],
)
@pytest.mark.parametrize("shipped", [True, False], ids=["shipped", "not-shipped"])
def test_reactivation_only_within_the_validity_period(valid_until_offset, allowed, shipped):
    # Given an invalid card whose validity ends relative to today
    card = card_in(
        S.INVALID,
        valid_until=TODAY + dt.timedelta(days=valid_until_offset),
        shipped_at=AT - dt.timedelta(days=30) if shipped else None,
    )
    target = S.ACTIVE if shipped else S.IN_PRODUCTION
    # When it is re-activated
    if allowed:
        card = card_transition(card=card, to_state=target, actor_type=ActorType.JOB, today=TODAY)
        # Then it is valid again, back where it was
        assert card.state == target
        assert card.reason_codes == []
    else:
        with pytest.raises(IllegalTransition):
            card_transition(card=card, to_state=target, actor_type=ActorType.JOB, today=TODAY)
        assert Card.objects.get(pk=card.pk).state == S.INVALID


@pytest.mark.parametrize(
    ("shipped", "wrong_target"),
    [(True, S.IN_PRODUCTION), (False, S.ACTIVE)],
)
def test_reactivation_goes_back_to_active_only_if_shipped(shipped, wrong_target):
    card = card_in(S.INVALID, shipped_at=AT if shipped else None)
    with pytest.raises(IllegalTransition):
        card_transition(card=card, to_state=wrong_target, actor_type=ActorType.JOB, today=TODAY)


# --- History is append-only ---------------------------------------------------------


def test_history_rows_cannot_be_changed_or_deleted():
    card = card_transition(
        card=card_in(S.ACTIVE),
        to_state=S.BLOCKED,
        reason_codes=["CARD_BLOCKED"],
        actor_type=ActorType.USER,
    )
    row = CardStatusHistory.objects.get(card=card)

    row.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        row.save()
    with pytest.raises(ValueError, match="append-only"):
        row.delete()
    with pytest.raises(ValueError, match="append-only"):
        CardStatusHistory.objects.filter(card=card).update(note="rewritten")
    with pytest.raises(ValueError, match="append-only"):
        CardStatusHistory.objects.filter(card=card).delete()
    with pytest.raises(ValueError, match="append-only"):
        CardStatusHistory.objects.bulk_update([row], ["note"])
    assert CardStatusHistory.objects.get(card=card).note == ""


def test_no_history_and_no_event_when_the_transaction_rolls_back(
    events, django_capture_on_commit_callbacks
):
    card = card_in(S.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            card_transition(
                card=card, to_state=S.INVALID, reason_codes=["X"], actor_type=ActorType.JOB
            )
            raise RuntimeError("caller fails after the transition")

    assert Card.objects.get(pk=card.pk).state == S.ACTIVE
    assert not CardStatusHistory.objects.exists()
    assert events == []


# --- Bulk -------------------------------------------------------------------------


def _snapshot(card: Card) -> tuple:
    card.refresh_from_db()
    history = [
        (h.from_state, h.to_state, h.reason_codes, h.actor_type, h.actor, h.note)
        for h in CardStatusHistory.objects.filter(card=card).order_by("id")
    ]
    return (
        card.state,
        card.reason_codes,
        card.issue_date,
        card.valid_until,
        card.shipped_at is not None,
        card.block_reason,
        history,
    )


PLAN = [
    # (initial state, initial reasons, target, reasons)
    (S.ACTIVE, [], S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"]),
    (S.ACTIVE, [], S.EXPIRED, ["CARD_EXPIRED"]),
    (S.INVALID, ["OLD_REASON"], S.INVALID, ["COMPANY_BANKRUPT"]),
    (S.INVALID, ["OLD_REASON"], S.ACTIVE, []),
    (S.INVALID, ["OLD_REASON"], S.INVALID, ["OLD_REASON"]),  # no-op
    (S.PENDING, ["OLD_REASON"], S.IN_PRODUCTION, []),
    (S.PENDING, ["OLD_REASON"], S.CANCELLED, ["ORDER_CANCELLED_TIMEOUT"]),
    (S.IN_PRODUCTION, [], S.INVALID, ["PERSON_DEAD"]),
    (S.IN_PRODUCTION, [], S.IN_PRODUCTION, []),  # no-op
]


def test_bulk_transition_has_the_same_outcome_as_single_transitions():
    singles = [card_in(s, reason_codes=r) for s, r, _, _ in PLAN]
    bulks = [card_in(s, reason_codes=r) for s, r, _, _ in PLAN]

    for card, (_, _, to_state, reasons) in zip(singles, PLAN, strict=True):
        card_transition(
            card=card,
            to_state=to_state,
            reason_codes=reasons,
            actor_type=ActorType.JOB,
            actor="run-1",
            at=AT,
            today=TODAY,
        )
    changed = card_transition_bulk(
        changes=[
            CardChange(card.pk, to_state, tuple(reasons))
            for card, (_, _, to_state, reasons) in zip(bulks, PLAN, strict=True)
        ],
        actor_type=ActorType.JOB,
        actor="run-1",
        at=AT,
        today=TODAY,
    )

    assert changed == len(PLAN) - 2
    for single, bulk in zip(singles, bulks, strict=True):
        assert _snapshot(single) == _snapshot(bulk)
    assert CardStatusHistory.objects.filter(card__in=bulks).count() == len(PLAN) - 2


def test_bulk_transition_rerun_writes_nothing():
    cards = [card_in(S.ACTIVE) for _ in range(5)]
    changes = [CardChange(c.pk, S.INVALID, ("EMPLOYMENT_NOT_REGISTERED",)) for c in cards]

    assert card_transition_bulk(changes=changes, actor_type=ActorType.JOB) == 5
    assert card_transition_bulk(changes=changes, actor_type=ActorType.JOB) == 0
    assert CardStatusHistory.objects.count() == 5


def test_bulk_transition_uses_a_fixed_number_of_queries_per_chunk(
    events, django_capture_on_commit_callbacks, monkeypatch
):
    # The state machine alone: in-transaction listeners (the outbox) add their
    # own fixed number of queries, measured in their own tests.
    from hmskort.cards.signals import card_state_changing

    monkeypatch.setattr(card_state_changing, "receivers", [])
    monkeypatch.setattr(card_state_changing, "sender_receivers_cache", {})

    def run(n: int) -> int:
        cards = [card_in(S.ACTIVE) for _ in range(n)]
        changes = [CardChange(c.pk, S.INVALID, ("EMPLOYMENT_NOT_REGISTERED",)) for c in cards]
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True):
                assert card_transition_bulk(changes=changes, actor_type=ActorType.JOB) == n
        return len(queries)

    few, many = run(3), run(40)

    assert few == many
    assert few <= 6  # savepoint, SELECT ... FOR UPDATE, UPDATE, INSERT, release
    assert len(events) == 43
    assert CardStatusHistory.objects.count() == 43


def test_bulk_transition_with_an_illegal_change_rolls_back_its_chunk():
    ok, returned = card_in(S.ACTIVE), card_in(S.RETURNED)
    changes = [
        CardChange(ok.pk, S.INVALID, ("X",)),
        CardChange(returned.pk, S.INVALID, ("X",)),
    ]

    with pytest.raises(IllegalTransition):
        card_transition_bulk(changes=changes, actor_type=ActorType.JOB)
    assert Card.objects.get(pk=ok.pk).state == S.ACTIVE
    assert not CardStatusHistory.objects.exists()

    assert card_transition_bulk(changes=changes, actor_type=ActorType.JOB, skip_illegal=True) == 1
    assert Card.objects.get(pk=ok.pk).state == S.INVALID
    assert Card.objects.get(pk=returned.pk).state == S.RETURNED
    assert CardStatusHistory.objects.count() == 1


def test_bulk_transition_applies_the_reactivation_guard():
    expired = card_in(S.INVALID, valid_until=TODAY - dt.timedelta(days=1))
    with pytest.raises(IllegalTransition):
        card_transition_bulk(
            changes=[CardChange(expired.pk, S.ACTIVE)], actor_type=ActorType.JOB, today=TODAY
        )


def test_bulk_transition_refuses_two_changes_for_one_card():
    card = card_in(S.ACTIVE)
    with pytest.raises(ValueError):
        card_transition_bulk(
            changes=[CardChange(card.pk, S.INVALID, ("X",)), CardChange(card.pk, S.EXPIRED)],
            actor_type=ActorType.JOB,
        )


def test_bulk_transition_in_small_chunks():
    cards = [card_in(S.ACTIVE) for _ in range(7)]
    changes = [CardChange(c.pk, S.BLOCKED, ("CARD_BLOCKED",), block_reason="lost") for c in cards]

    assert card_transition_bulk(changes=changes, actor_type=ActorType.STAFF, chunk_size=3) == 7
    assert set(Card.objects.values_list("state", "block_reason")) == {(S.BLOCKED, "lost")}
