"""The card lifecycle: order, effectuation, re-check, and the actions people take.

Each service is keyword-only, runs in its own transaction (a savepoint when the
caller already has one), and changes state only through
`transitions.card_transition`. Eligibility is decided by the pure rules
(`hmskort.eligibility.rules.evaluate`) from register facts
(`hmskort.registers.facts.facts_for_pairs`) plus the employment's other cards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from hmskort.cards.models import ActorType, BlockReason, Card, CardState
from hmskort.cards.numbers import new_card_number
from hmskort.cards.selectors import (
    cards_for_employment,
    order_facts_for_pairs,
    pending_cards_for_pair,
)
from hmskort.cards.services.transitions import (
    VALID_STATES,
    CardChange,
    IllegalTransition,
    card_insert,
    card_transition,
    reactivation_state,
)
from hmskort.core.errors import ApplicationError
from hmskort.eligibility.facts import Facts
from hmskort.eligibility.reasons import ReasonCode
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Finding, Outcome, Purpose, Verdict

S = CardState

#: The partial unique constraint on Card that guards against two open orders.
ONE_PENDING_CONSTRAINT = "one_pending_card_per_employment"
#: States the re-check looks at: issued cards that can still change on their own.
RECHECKED_STATES: frozenset[CardState] = frozenset({S.IN_PRODUCTION, S.ACTIVE, S.INVALID})
#: States an inspector may confiscate a card in (never a valid card).
CONFISCABLE_STATES: frozenset[CardState] = frozenset({S.INVALID, S.EXPIRED, S.BLOCKED})
#: Reasons people set that the registers cannot clear: a card holding one stays
#: invalid through every re-check (it keeps the reason while the register
#: reasons come and go) until a caseworker clears it
#: (`card_clear_inspector_removal`). Defined here once; the re-checks read it
#: through `recheck_change`.
STICKY_REASON_CODES: frozenset[str] = frozenset({str(ReasonCode.EMPLOYMENT_REMOVED_BY_INSPECTOR)})


class CardOrderRefused(ApplicationError):
    """The rules refuse the order; `reason_codes` say why (from the reason catalogue)."""

    code = "card_order_refused"
    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        reason_codes: Sequence[str],
        findings: Sequence[Finding] = (),
        code: str | None = None,
    ):
        self.reason_codes = [str(getattr(c, "value", c)) for c in reason_codes]
        self.findings = tuple(findings)
        super().__init__(message, code=code, extra={"reason_codes": self.reason_codes})


class CardAlreadyOrdered(CardOrderRefused):
    """Another order for the same employment got there first (concurrent orders)."""

    code = "already_ordered"
    http_status = 409


class CardNotConfiscable(ApplicationError):
    code = "card_not_confiscable"
    http_status = 409


@dataclass(frozen=True)
class CardOrderResult:
    card: Card
    verdict: Verdict


def _reason_values(findings: Sequence[Finding], *outcomes: Outcome) -> list[str]:
    return [str(f.code) for f in findings if not outcomes or f.outcome in outcomes]


def _facts_for(
    employer_orgnr: str, holder_id: str, *, exclude_card_ids: Sequence[int] = ()
) -> Facts:
    pair = (employer_orgnr, holder_id)
    return order_facts_for_pairs([pair], exclude_card_ids=exclude_card_ids)[pair]


def pending_decision(verdict: Verdict) -> tuple[CardState, list[str]]:
    """What the order rules' verdict does to a pending order (pure; shared with
    the bulk order processing): PASS -> in production, FAIL -> rejected with the
    failing reasons, PENDING -> stays pending with the current reasons."""
    if verdict.outcome is Outcome.PASS:
        return S.IN_PRODUCTION, []
    if verdict.outcome is Outcome.FAIL:
        return S.REJECTED, _reason_values(verdict.findings, Outcome.FAIL) or verdict.reason_codes
    return S.PENDING, _reason_values(verdict.findings, Outcome.PENDING)


def _violated_constraint(exc: IntegrityError) -> str:
    """Which unique constraint an IntegrityError broke ("" if unknown)."""
    diag = getattr(exc.__cause__, "diag", None)  # psycopg
    name = getattr(diag, "constraint_name", None)
    if name:
        return ONE_PENDING_CONSTRAINT if name == ONE_PENDING_CONSTRAINT else name
    text = str(exc)  # SQLite: "UNIQUE constraint failed: cards_card.card_number"
    if ONE_PENDING_CONSTRAINT in text or ("employer_orgnr" in text and "holder_id" in text):
        return ONE_PENDING_CONSTRAINT
    if "card_number" in text:
        return "card_number"
    return ""


def _card_to_replace(existing: Sequence[Card]) -> Card | None:
    """The card a new order replaces: a valid (or invalid) one in its last
    month, else a blocked one not already replaced (newest first)."""
    for card in existing:
        if card.state in VALID_STATES or card.state == S.INVALID:
            return card
    for card in existing:
        if card.state == S.BLOCKED and not card.replaced_by.exists():
            return card
    return None


def card_order(
    *,
    employer_orgnr: str,
    holder_id: str,
    card_type: str,
    ordered_by: str,
    today: dt.date,
    actor_type: ActorType = ActorType.USER,
    replaces_lost_card: bool = False,
    orderer_email: str = "",
) -> CardOrderResult:
    """Order a card for one employment; it starts PENDING (or the order is refused).

    Raises `CardOrderRefused` (with the reason codes) when the rules fail the
    order, and `CardAlreadyOrdered` when a concurrent order for the same
    employment won; in both cases nothing is written.
    """
    with transaction.atomic():
        existing = list(cards_for_employment(employer_orgnr, holder_id))
        facts = _facts_for(employer_orgnr, holder_id)
        verdict = evaluate(
            facts,
            card_type=card_type,
            today=today,
            purpose=Purpose.ORDER,
            replaces_lost_card=replaces_lost_card,
        )
        if verdict.outcome is Outcome.FAIL:
            codes = _reason_values(verdict.findings, Outcome.FAIL) or verdict.reason_codes
            raise CardOrderRefused(
                "Kortet kan ikke bestilles (the card cannot be ordered): " + ", ".join(codes),
                reason_codes=codes,
                findings=verdict.findings,
            )
        card = Card(
            card_type=card_type,
            employer_orgnr=employer_orgnr,
            holder_id=holder_id,
            holder_name=facts.person.name if facts.person else "",
            employer_name=facts.company.name if facts.company else "",
            state=S.PENDING,
            reason_codes=_reason_values(verdict.findings, Outcome.PENDING),
            replaces=_card_to_replace(existing),
            ordered_by=ordered_by,
            orderer_email=orderer_email,
        )
        card = _insert_with_new_number(card, actor_type=actor_type, actor=ordered_by)
        return CardOrderResult(card=card, verdict=verdict)


def _insert_with_new_number(card: Card, *, actor_type: ActorType, actor: str) -> Card:
    for _ in range(settings.HMSKORT_CARD_NUMBER_ATTEMPTS):
        card.card_number = new_card_number()
        try:
            return card_insert(card=card, actor_type=actor_type, actor=actor)
        except IntegrityError as exc:  # card_insert's savepoint is rolled back
            constraint = _violated_constraint(exc)
            if constraint == ONE_PENDING_CONSTRAINT:
                raise CardAlreadyOrdered(
                    "Det finnes allerede en bestilling for dette arbeidsforholdet "
                    "(a card is already on order for this employment).",
                    reason_codes=[ReasonCode.ALREADY_ORDERED],
                ) from exc
            if "card_number" not in constraint:
                raise
            card.pk = None  # number collision: draw again
    raise ApplicationError(
        "Fant ikke et ledig kortnummer (no free card number found).", code="card_number_exhausted"
    )


def _lock(card: Card) -> Card:
    return Card.objects.select_for_update().get(pk=card.pk)


def card_evaluate_pending(
    *, card: Card, today: dt.date, actor_type: ActorType, actor: str = ""
) -> Card:
    """Decide a pending order again: PASS -> in production (issued today, valid
    two years), FAIL -> rejected, PENDING -> stays pending with the current reasons."""
    with transaction.atomic():
        locked = _lock(card)
        if locked.state != S.PENDING:
            raise IllegalTransition(
                f"Only a pending order can be evaluated; card {locked.card_number} is {locked.state}.",
                extra={"card_number": locked.card_number, "from": locked.state},
            )
        facts = _facts_for(locked.employer_orgnr, locked.holder_id, exclude_card_ids=[locked.pk])
        verdict = evaluate(
            facts,
            card_type=locked.card_type,
            today=today,
            purpose=Purpose.ORDER,
            replaces_lost_card=locked.replaces is not None and locked.replaces.state == S.BLOCKED,
        )
        to_state, reasons = pending_decision(verdict)
        return card_transition(
            card=locked,
            to_state=to_state,
            reason_codes=reasons,
            actor_type=actor_type,
            actor=actor,
            today=today,
        )


def cards_evaluate_pending_for_pair(
    *,
    employer_orgnr: str,
    holder_id: str,
    today: dt.date,
    actor_type: ActorType,
    actor: str = "",
) -> list[Card]:
    """Decide the pending orders of one employment again at once (e.g. when its
    photo and ID are approved or rejected): the order "continues by itself".
    Returns the cards as they are afterwards (empty when nothing is pending)."""
    with transaction.atomic():
        return [
            card_evaluate_pending(card=card, today=today, actor_type=actor_type, actor=actor)
            for card in pending_cards_for_pair(employer_orgnr, holder_id)
        ]


def recheck_change(*, card: Card, verdict: Verdict | None, today: dt.date) -> CardChange | None:
    """What the re-check does to one issued card (pure; shared with the nightly bulk run).

    Past its validity -> EXPIRED; valid and not PASS -> INVALID with the reasons;
    INVALID and PASS -> re-activated; reasons changed -> the new reasons; else None.
    A card holding a sticky reason (`STICKY_REASON_CODES`) is never re-activated:
    it stays INVALID with the sticky reasons first, then the registers' reasons.
    `verdict` (RECHECK purpose) may be None only for a card past its validity.
    """
    if card.state not in RECHECKED_STATES:
        return None
    if card.valid_until is not None and card.valid_until < today:
        return CardChange(card.pk, S.EXPIRED, (str(ReasonCode.CARD_EXPIRED),))
    if verdict is None:
        raise ValueError("recheck_change needs a verdict for a card within its validity")
    current = card.reason_codes or ()
    sticky = tuple(c for c in current if c in STICKY_REASON_CODES)
    if verdict.outcome is Outcome.PASS and not sticky:
        if card.state == S.INVALID:
            return CardChange(card.pk, reactivation_state(card), ())
        return None
    reasons = sticky
    if verdict.outcome is not Outcome.PASS:
        reasons += tuple(c for c in verdict.reason_codes if c not in sticky)
    if card.state == S.INVALID and sorted(current) == sorted(reasons):
        return None
    return CardChange(card.pk, S.INVALID, reasons)


def card_recheck(
    *, card: Card, today: dt.date, actor_type: ActorType = ActorType.JOB, actor: str = ""
) -> Card:
    """Re-check one issued card against the registers (RECHECK purpose).

    Writes a history row only when the state or its reasons change."""
    with transaction.atomic():
        locked = _lock(card)
        if locked.state not in RECHECKED_STATES:
            return locked
        verdict = None
        if locked.valid_until is None or locked.valid_until >= today:
            facts = _facts_for(
                locked.employer_orgnr, locked.holder_id, exclude_card_ids=[locked.pk]
            )
            verdict = evaluate(
                facts, card_type=locked.card_type, today=today, purpose=Purpose.RECHECK
            )
        change = recheck_change(card=locked, verdict=verdict, today=today)
        if change is None:
            return locked
        return card_transition(
            card=locked,
            to_state=change.to_state,
            reason_codes=change.reason_codes,
            actor_type=actor_type,
            actor=actor,
            today=today,
        )


class NoInspectorRemoval(ApplicationError):
    """The card holds no reason a caseworker could clear."""

    code = "no_inspector_removal"
    http_status = 409


def card_clear_inspector_removal(
    *, card: Card, actor_type: ActorType, actor: str, today: dt.date
) -> Card:
    """A caseworker clears EMPLOYMENT_REMOVED_BY_INSPECTOR from a card and the card
    is decided again against the registers at once (RECHECK purpose): active
    again if they pass (in production if it was never shipped), else invalid
    for the registers' reasons, expired if past its validity. One history row.

    Raises `NoInspectorRemoval` when the card does not hold the reason.
    """
    removed = str(ReasonCode.EMPLOYMENT_REMOVED_BY_INSPECTOR)
    with transaction.atomic():
        locked = _lock(card)
        if locked.state not in RECHECKED_STATES or removed not in (locked.reason_codes or []):
            raise NoInspectorRemoval(
                "Kortet har ikke et arbeidsforhold fjernet av tilsynsmyndigheten. "
                "(The card holds no employment removed by an inspector.)",
                extra={"card_number": locked.card_number, "state": locked.state},
            )
        rest = [c for c in locked.reason_codes if c != removed]
        view = dataclasses.replace(_RecheckView.of(locked), reason_codes=tuple(rest))
        verdict = None
        if locked.valid_until is None or locked.valid_until >= today:
            facts = _facts_for(
                locked.employer_orgnr, locked.holder_id, exclude_card_ids=[locked.pk]
            )
            verdict = evaluate(
                facts, card_type=locked.card_type, today=today, purpose=Purpose.RECHECK
            )
        change = recheck_change(card=view, verdict=verdict, today=today)  # type: ignore[arg-type]
        to_state, reasons = (
            (change.to_state, change.reason_codes) if change else (locked.state, tuple(rest))
        )
        updated = card_transition(
            card=locked,
            to_state=to_state,
            reason_codes=reasons,
            actor_type=actor_type,
            actor=actor,
            note="Inspektørens fjerning av arbeidsforholdet er opphevet "
            "(the inspector's removal of the employment was cleared).",
            today=today,
        )
    card.state, card.reason_codes = updated.state, updated.reason_codes
    card.state_changed_at = updated.state_changed_at
    return updated


@dataclass(frozen=True)
class _RecheckView:
    """What `recheck_change` reads of a card, so a decision can be taken for a
    card as it would be (e.g. without a reason being cleared)."""

    pk: int
    state: str
    reason_codes: tuple[str, ...]
    valid_until: dt.date | None
    shipped_at: dt.datetime | None

    @classmethod
    def of(cls, card: Card) -> _RecheckView:
        return cls(
            card.pk, card.state, tuple(card.reason_codes or ()), card.valid_until, card.shipped_at
        )


def card_block(
    *,
    card: Card,
    reason: BlockReason,
    actor_type: ActorType = ActorType.USER,
    actor: str = "",
    note: str = "",
) -> Card:
    """Block a card reported lost or stolen (final but for return / confiscation)."""
    with transaction.atomic():
        return card_transition(
            card=card,
            to_state=S.BLOCKED,
            reason_codes=[ReasonCode.CARD_BLOCKED],
            block_reason=BlockReason(reason),
            actor_type=actor_type,
            actor=actor,
            note=note,
        )


def card_mark_shipped(
    *,
    card: Card,
    actor_type: ActorType = ActorType.SYSTEM,
    actor: str = "",
    at: dt.datetime | None = None,
) -> Card:
    """The producer shipped the card: IN_PRODUCTION -> ACTIVE (idempotent)."""
    with transaction.atomic():
        locked = _lock(card)
        if locked.state not in (S.IN_PRODUCTION, S.ACTIVE):
            raise IllegalTransition(
                f"Bare kort i produksjon kan sendes (only a card in production can be "
                f"shipped); card {locked.card_number} is {locked.state}.",
                extra={"card_number": locked.card_number, "from": locked.state, "to": S.ACTIVE},
            )
        return card_transition(
            card=locked, to_state=S.ACTIVE, actor_type=actor_type, actor=actor, at=at
        )


def card_register_returned(
    *, card: Card, actor_type: ActorType = ActorType.USER, actor: str = "", note: str = ""
) -> Card:
    """The employer collected and shredded the card."""
    with transaction.atomic():
        return card_transition(
            card=card,
            to_state=S.RETURNED,
            reason_codes=[ReasonCode.CARD_RETURNED],
            actor_type=actor_type,
            actor=actor,
            note=note,
        )


def card_confiscate(
    *, card: Card, note: str, actor_type: ActorType = ActorType.INSPECTOR, actor: str = ""
) -> Card:
    """An inspector confiscates a card that is not valid (invalid, expired, blocked)."""
    with transaction.atomic():
        locked = _lock(card)
        if locked.state in VALID_STATES:
            raise CardNotConfiscable(
                "Et gyldig kort kan ikke inndras (a valid card cannot be confiscated).",
                extra={"card_number": locked.card_number, "state": locked.state},
            )
        if locked.state not in CONFISCABLE_STATES and locked.state != S.CONFISCATED:
            raise IllegalTransition(
                f"Kortet kan ikke inndras (card {locked.card_number} is {locked.state}).",
                extra={
                    "card_number": locked.card_number,
                    "from": locked.state,
                    "to": S.CONFISCATED,
                },
            )
        return card_transition(
            card=locked,
            to_state=S.CONFISCATED,
            reason_codes=[ReasonCode.CARD_CONFISCATED],
            actor_type=actor_type,
            actor=actor,
            note=note,
        )


def card_cancel(
    *,
    card: Card,
    actor_type: ActorType = ActorType.USER,
    actor: str = "",
    reason_codes: Sequence[str] = (),
    note: str = "",
) -> Card:
    """Cancel a pending order (by the orderer, or by the job after 20 days with
    ORDER_CANCELLED_TIMEOUT)."""
    with transaction.atomic():
        return card_transition(
            card=card,
            to_state=S.CANCELLED,
            reason_codes=reason_codes,
            actor_type=actor_type,
            actor=actor,
            note=note,
        )


def card_reject(
    *,
    card: Card,
    reason_codes: Sequence[str],
    actor_type: ActorType = ActorType.STAFF,
    actor: str = "",
    note: str = "",
) -> Card:
    """Reject a pending order for a reason outside the register rules (e.g.
    DOCUMENTS_REJECTED after photo / ID review)."""
    with transaction.atomic():
        return card_transition(
            card=card,
            to_state=S.REJECTED,
            reason_codes=reason_codes,
            actor_type=actor_type,
            actor=actor,
            note=note,
        )
