"""The card state machine: the one place that changes a card's state.

Every change goes through `card_transition` (one card) or `card_transition_bulk`
(the nightly re-check, set-based). Both:

- lock the card rows (`select_for_update`) and decide from the locked, current
  state, so concurrent callers serialise and a stale caller cannot undo a newer
  change;
- check the change against the one `TRANSITIONS` table (plus the two guards in
  `_check_guards`), raising `IllegalTransition` otherwise;
- write exactly one append-only `CardStatusHistory` row per change, in the same
  transaction as the card update;
- treat "same state, same reasons" as a no-op that writes nothing (so re-runs
  are idempotent), and "same state, new reasons" as a change (e.g. an invalid
  card that is now invalid for a different reason) where the table allows it;
- send `card_state_changing` inside the transaction, after the history rows are
  written (listeners that must commit with the change: the outbox), and
  `card_state_changed` once per change after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hmskort.cards.models import ActorType, Card, CardState, CardStatusHistory
from hmskort.cards.signals import card_state_changed, card_state_changing
from hmskort.core.errors import ApplicationError, NotFound

logger = logging.getLogger(__name__)

S = CardState

#: The states in which a card is valid: it may be used on a site.
VALID_STATES: frozenset[CardState] = frozenset({S.IN_PRODUCTION, S.ACTIVE})
#: States a card never leaves.
FINAL_STATES: frozenset[CardState] = frozenset({S.REJECTED, S.CANCELLED, S.RETURNED, S.CONFISCATED})
#: The state a new card is created in (by `card_insert`).
INITIAL_STATE: CardState = S.PENDING
#: How long a card is valid from its issue date.
VALIDITY_YEARS = 2

#: Every legal change: from-state -> the states it may move to. A state listed
#: as its own target may be re-entered with *different* reason codes (a pending
#: order waiting for something else, an invalid card invalid for a new reason).
TRANSITIONS: Mapping[CardState, frozenset[CardState]] = {
    S.PENDING: frozenset({S.PENDING, S.IN_PRODUCTION, S.REJECTED, S.CANCELLED}),
    S.IN_PRODUCTION: frozenset(
        {S.ACTIVE, S.INVALID, S.BLOCKED, S.EXPIRED, S.CONFISCATED, S.RETURNED}
    ),
    S.ACTIVE: frozenset({S.INVALID, S.EXPIRED, S.BLOCKED, S.RETURNED, S.CONFISCATED}),
    # Re-activation goes back to ACTIVE if the card was shipped, else to
    # IN_PRODUCTION, and only while the card is within its validity period.
    S.INVALID: frozenset(
        {S.INVALID, S.ACTIVE, S.IN_PRODUCTION, S.EXPIRED, S.BLOCKED, S.RETURNED, S.CONFISCATED}
    ),
    S.EXPIRED: frozenset({S.RETURNED, S.CONFISCATED}),
    S.BLOCKED: frozenset({S.RETURNED, S.CONFISCATED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.RETURNED: frozenset(),
    S.CONFISCATED: frozenset(),
}
assert set(TRANSITIONS) == set(CardState), "every state needs a row in TRANSITIONS"
assert all(not TRANSITIONS[s] for s in FINAL_STATES)


class IllegalTransition(ApplicationError):
    code = "illegal_transition"
    http_status = 409


@dataclass(frozen=True)
class CardChange:
    """One change requested of `card_transition_bulk`."""

    card_id: int
    to_state: CardState
    reason_codes: tuple[str, ...] = ()
    note: str = ""
    block_reason: str = ""


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved `years` calendar years; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def valid_until_for(issue_date: dt.date) -> dt.date:
    return add_years(issue_date, VALIDITY_YEARS)


def is_legal_transition(from_state: str, to_state: str) -> bool:
    """Whether the table allows `from_state` -> `to_state` (guards aside)."""
    return CardState(to_state) in TRANSITIONS[CardState(from_state)]


def reactivation_state(card: Card) -> CardState:
    """Where an invalid card goes when it passes again: ACTIVE if it was shipped."""
    return S.ACTIVE if card.shipped_at is not None else S.IN_PRODUCTION


def normalize_reason_codes(codes: Iterable[object]) -> list[str]:
    """Reason codes as plain strings, duplicates dropped, order kept."""
    out: list[str] = []
    for code in codes:
        value = str(getattr(code, "value", code))
        if value not in out:
            out.append(value)
    return out


def _same_reasons(a: Sequence[str], b: Sequence[str]) -> bool:
    return sorted(a) == sorted(b)


def is_noop(card: Card, to_state: str, reason_codes: Sequence[str]) -> bool:
    return card.state == to_state and _same_reasons(card.reason_codes or [], reason_codes)


def _check(card: Card, to_state: CardState, *, today: dt.date) -> None:
    """Raise IllegalTransition unless `card` may move to `to_state` (not a no-op)."""
    from_state = CardState(card.state)
    if to_state not in TRANSITIONS[from_state]:
        raise IllegalTransition(
            f"Kortet kan ikke gå fra «{from_state.label}» til «{to_state.label}». "
            f"(Card {card.card_number} cannot move from {from_state} to {to_state}.)",
            extra={"card_number": card.card_number, "from": str(from_state), "to": str(to_state)},
        )
    _check_guards(card, from_state, to_state, today=today)


def _check_guards(
    card: Card, from_state: CardState, to_state: CardState, *, today: dt.date
) -> None:
    if from_state is S.INVALID and to_state in VALID_STATES:
        if card.valid_until is None or today > card.valid_until:
            raise IllegalTransition(
                "Kortet er utløpt og kan ikke aktiveres igjen. "
                f"(Card {card.card_number} is past its validity and cannot be re-activated.)",
                extra={
                    "card_number": card.card_number,
                    "from": str(from_state),
                    "to": str(to_state),
                },
            )
        if to_state is not reactivation_state(card):
            raise IllegalTransition(
                f"Et ugyldig kort reaktiveres til «{reactivation_state(card).label}». "
                f"(Invalid card {card.card_number} re-activates to {reactivation_state(card)}, "
                f"not {to_state}.)",
                extra={
                    "card_number": card.card_number,
                    "from": str(from_state),
                    "to": str(to_state),
                },
            )


def _apply(
    card: Card,
    to_state: CardState,
    reason_codes: list[str],
    *,
    at: dt.datetime,
    today: dt.date,
    block_reason: str,
    actor_type: str,
    actor: str,
    note: str,
) -> tuple[CardStatusHistory, set[str]]:
    """Change `card` in memory; return its (unsaved) history row and the fields changed."""
    from_state = CardState(card.state)
    fields = {"state", "reason_codes", "state_changed_at"}
    card.state = to_state
    card.reason_codes = reason_codes
    card.state_changed_at = at
    if from_state is S.PENDING and to_state is S.IN_PRODUCTION:  # effectuated
        card.issue_date = today
        card.valid_until = valid_until_for(today)
        fields |= {"issue_date", "valid_until"}
    if from_state is S.IN_PRODUCTION and to_state is S.ACTIVE:  # shipped
        card.shipped_at = at
        fields.add("shipped_at")
    if to_state is S.BLOCKED and block_reason:
        card.block_reason = block_reason
        fields.add("block_reason")
    history = CardStatusHistory(
        card=card,
        at=at,
        from_state=from_state,
        to_state=to_state,
        reason_codes=list(reason_codes),
        actor_type=actor_type,
        actor=actor,
        note=note,
    )
    return history, fields


def _event(card: Card, history: CardStatusHistory) -> dict:
    return {
        "card_id": card.pk,
        "card_number": card.card_number,
        "from_state": history.from_state,
        "to_state": history.to_state,
        "reason_codes": list(history.reason_codes),
        "actor_type": history.actor_type,
        "actor": history.actor,
        "at": history.at,
        "history_id": history.pk,
    }


def _send_events(events: list[dict]) -> None:
    for event in events:
        for receiver, response in card_state_changed.send_robust(sender=Card, **event):
            if isinstance(response, Exception):
                logger.error(
                    "card_state_changed receiver %r failed for card %s",
                    receiver,
                    event["card_number"],
                    exc_info=response,
                )


def _emit_on_commit(events: list[dict]) -> None:
    if events:
        transaction.on_commit(lambda: _send_events(events))


def _announce(changes: list[tuple[Card, CardStatusHistory]]) -> None:
    """Inside the transaction, after the history rows are written: tell the
    in-transaction listeners (plain `send`: an exception rolls the change back),
    then queue `card_state_changed` for after the commit."""
    events = [_event(card, history) for card, history in changes]
    if events:
        card_state_changing.send(
            sender=Card,
            events=[
                {"card": card, **event} for (card, _), event in zip(changes, events, strict=True)
            ],
        )
    _emit_on_commit(events)


def _when(at: dt.datetime | None, today: dt.date | None) -> tuple[dt.datetime, dt.date]:
    at = at or timezone.now()
    return at, today or timezone.localdate(at)


def card_transition(
    *,
    card: Card,
    to_state: CardState,
    reason_codes: Sequence[str] = (),
    actor_type: ActorType,
    actor: str = "",
    note: str = "",
    block_reason: str = "",
    at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Card:
    """Move `card` to `to_state` for `reason_codes`; the one way to change a card's state.

    `at` is when it happened (default now); `today` is the business day used for
    the issue date and the re-activation guard (default: `at`'s local date).
    Returns the updated card (the passed instance is updated too). Same state and
    same reasons is a no-op: nothing is written and no event is sent.
    """
    to_state = CardState(to_state)
    reasons = normalize_reason_codes(reason_codes)
    at, today = _when(at, today)
    with transaction.atomic():
        locked = Card.objects.select_for_update().get(pk=card.pk)
        if is_noop(locked, to_state, reasons):
            _sync(card, locked)
            return locked
        _check(locked, to_state, today=today)
        history, fields = _apply(
            locked,
            to_state,
            reasons,
            at=at,
            today=today,
            block_reason=block_reason,
            actor_type=actor_type,
            actor=actor,
            note=note,
        )
        locked.save(update_fields=sorted(fields))
        history.save(force_insert=True)
        _announce([(locked, history)])
    _sync(card, locked)
    return locked


#: Above this many distinct new-value combinations, one CASE-based bulk UPDATE is cheaper.
_MAX_UPDATE_GROUPS = 20


def _write_cards(cards: list[Card], fields: list[str]) -> None:
    """Write the changed cards. A re-check chunk usually sets many cards to the
    same values (invalid for the same reason at the same time): one plain UPDATE
    per distinct set of values is much cheaper than Django's CASE per row."""
    groups: dict[str, list[Card]] = {}
    for card in cards:
        key = json.dumps([getattr(card, f) for f in fields], default=str)
        groups.setdefault(key, []).append(card)
    if len(groups) > _MAX_UPDATE_GROUPS:
        Card.objects.bulk_update(cards, fields)
        return
    for members in groups.values():
        Card.objects.filter(pk__in=[c.pk for c in members]).update(
            **{f: getattr(members[0], f) for f in fields}
        )


def card_transition_bulk(
    *,
    changes: Sequence[CardChange],
    actor_type: ActorType,
    actor: str = "",
    at: dt.datetime | None = None,
    today: dt.date | None = None,
    skip_illegal: bool = False,
    chunk_size: int = 1000,
) -> int:
    """Apply many changes set-based; return how many cards actually changed.

    Per chunk, in one transaction and a fixed number of queries: lock the cards
    (ordered by id, so concurrent runs cannot deadlock), drop no-ops, check every
    change against `TRANSITIONS`, one bulk UPDATE, one bulk INSERT of history.
    An illegal change raises `IllegalTransition` and rolls back its chunk, unless
    `skip_illegal` (then it is logged and left out: the nightly job decided from
    data that has since moved on, and the next run decides again).
    """
    if len({c.card_id for c in changes}) != len(changes):
        raise ValueError("card_transition_bulk: at most one change per card")
    at, today = _when(at, today)
    changed = 0
    for start in range(0, len(changes), chunk_size):
        changed += _transition_chunk(
            changes[start : start + chunk_size],
            actor_type=actor_type,
            actor=actor,
            at=at,
            today=today,
            skip_illegal=skip_illegal,
        )
    return changed


def _transition_chunk(
    changes: Sequence[CardChange],
    *,
    actor_type: str,
    actor: str,
    at: dt.datetime,
    today: dt.date,
    skip_illegal: bool,
) -> int:
    with transaction.atomic():
        ids = [c.card_id for c in changes]
        cards = {
            c.pk: c for c in Card.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        missing = set(ids) - set(cards)
        if missing:
            raise NotFound(f"Cards not found: {sorted(missing)[:10]}", code="card_not_found")
        updated: list[Card] = []
        histories: list[CardStatusHistory] = []
        fields: set[str] = set()
        for change in changes:
            card = cards[change.card_id]
            to_state = CardState(change.to_state)
            reasons = normalize_reason_codes(change.reason_codes)
            if is_noop(card, to_state, reasons):
                continue
            try:
                _check(card, to_state, today=today)
            except IllegalTransition:
                if not skip_illegal:
                    raise
                logger.warning(
                    "bulk transition skipped: card %s %s -> %s is not allowed",
                    card.card_number,
                    card.state,
                    to_state,
                )
                continue
            history, changed_fields = _apply(
                card,
                to_state,
                reasons,
                at=at,
                today=today,
                block_reason=change.block_reason,
                actor_type=actor_type,
                actor=actor,
                note=change.note,
            )
            updated.append(card)
            histories.append(history)
            fields |= changed_fields
        if not updated:
            return 0
        _write_cards(updated, sorted(fields))
        CardStatusHistory.objects.bulk_create(histories)
        _announce([(h.card, h) for h in histories])
        return len(updated)


def card_insert(
    *,
    card: Card,
    actor_type: ActorType,
    actor: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> Card:
    """Insert a new card in `INITIAL_STATE` with its first history row ("" -> pending).

    The INSERT runs in its own savepoint, so an IntegrityError (card number
    collision, a second pending order for the employment) leaves the caller's
    transaction usable; the caller decides what the error means.
    """
    if card.pk is not None:
        raise ValueError("card_insert: the card is already saved")
    if card.state != INITIAL_STATE:
        raise IllegalTransition(f"A new card starts as {INITIAL_STATE}, not {card.state}")
    at = at or timezone.now()
    card.reason_codes = normalize_reason_codes(card.reason_codes or [])
    card.state_changed_at = at
    # Field checks only: the database's unique constraints are the guards (races).
    card.full_clean(validate_unique=False, validate_constraints=False)
    # A transaction of its own, or a savepoint inside the caller's.
    with transaction.atomic():
        card.save(force_insert=True)
        history = CardStatusHistory(
            card=card,
            at=at,
            from_state="",
            to_state=card.state,
            reason_codes=list(card.reason_codes),
            actor_type=actor_type,
            actor=actor,
            note=note,
        )
        history.save(force_insert=True)
        _announce([(card, history)])
    return card


def _sync(target: Card, source: Card) -> None:
    if target is source:
        return
    for name in (
        "state",
        "reason_codes",
        "state_changed_at",
        "issue_date",
        "valid_until",
        "shipped_at",
        "block_reason",
    ):
        setattr(target, name, getattr(source, name))
