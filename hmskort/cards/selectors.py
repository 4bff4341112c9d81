"""Reads of cards and their history. Nothing here writes."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable

from django.db.models import QuerySet

from hmskort.cards.models import Card, CardState, CardStatusHistory
from hmskort.cards.numbers import is_valid_card_number, normalize_card_number
from hmskort.cards.services.transitions import VALID_STATES
from hmskort.eligibility.facts import ExistingCard, ExistingCardKind, Facts

Pair = tuple[str, str]  # (employer_orgnr, holder_id)

_KIND_BY_STATE: dict[str, ExistingCardKind] = {
    **{s: ExistingCardKind.VALID for s in VALID_STATES},
    CardState.PENDING: ExistingCardKind.PENDING,
    CardState.INVALID: ExistingCardKind.INVALID,
    CardState.BLOCKED: ExistingCardKind.BLOCKED,
}


def existing_card_kind(state: str) -> ExistingCardKind:
    """How a card in `state` counts for a new order (see ExistingCardKind)."""
    return _KIND_BY_STATE.get(state, ExistingCardKind.ENDED)


def existing_card_from(card: Card) -> ExistingCard:
    return ExistingCard(
        card_number=card.card_number,
        card_type=card.card_type,
        kind=existing_card_kind(card.state),
        valid_until=card.valid_until,
    )


def card_get_by_number(number: str) -> Card | None:
    """The card with this number as a person types or a reader reads it
    (spaces and dashes allowed); None if malformed (wrong check digit) or unknown."""
    normalized = normalize_card_number(number or "")
    if not is_valid_card_number(normalized):
        return None
    return Card.objects.filter(card_number=normalized).first()


def cards_for_employment(employer_orgnr: str, holder_id: str) -> QuerySet[Card]:
    """Every card of one employment (employer + person), newest first."""
    return Card.objects.filter(employer_orgnr=employer_orgnr, holder_id=holder_id).order_by(
        "-created_at", "-id"
    )


def card_history(card: Card) -> QuerySet[CardStatusHistory]:
    """The card's status history, oldest first (the inspector's timeline)."""
    return CardStatusHistory.objects.filter(card=card).order_by("id")


def existing_cards_for_pairs(
    pairs: Iterable[Pair], *, exclude_card_ids: Collection[int] = ()
) -> dict[Pair, tuple[ExistingCard, ...]]:
    """For each (employer_orgnr, holder_id) pair, its cards as eligibility sees
    them, in one query. Every requested pair is in the answer (empty if none).
    `exclude_card_ids` leaves out cards being re-checked themselves."""
    wanted = set(pairs)
    result: dict[Pair, list[ExistingCard]] = defaultdict(list)
    if wanted:
        orgnrs = {p[0] for p in wanted}
        holders = {p[1] for p in wanted}
        rows = (
            Card.objects.filter(employer_orgnr__in=orgnrs, holder_id__in=holders)
            .exclude(pk__in=list(exclude_card_ids))
            .order_by("id")
            .values_list(
                "employer_orgnr", "holder_id", "card_number", "card_type", "state", "valid_until"
            )
        )
        for orgnr, holder, number, card_type, state, valid_until in rows.iterator(chunk_size=5000):
            if (orgnr, holder) in wanted:
                result[(orgnr, holder)].append(
                    ExistingCard(
                        card_number=number,
                        card_type=card_type,
                        kind=existing_card_kind(state),
                        valid_until=valid_until,
                    )
                )
    return {pair: tuple(result.get(pair, ())) for pair in wanted}


def order_facts_for_pairs(
    pairs: Iterable[Pair], *, exclude_card_ids: Collection[int] = ()
) -> dict[Pair, Facts]:
    """Everything the order rules read for each (employer_orgnr, holder_id) pair:
    the register facts plus the employment's other cards, in a fixed number of
    queries. The one place the order path, order processing and the portal's
    dry run get their facts from.

    Includes where the pair's photo and ID document stand (`Facts.documents`,
    from the registered documents provider, see `hmskort.cards.documents`): an
    order goes to production only with them approved."""
    from hmskort.cards.documents import documents_for_pairs
    from hmskort.registers.facts import facts_for_pairs

    wanted = set(pairs)
    facts = facts_for_pairs(wanted)
    existing = existing_cards_for_pairs(wanted, exclude_card_ids=exclude_card_ids)
    documents = documents_for_pairs(wanted)
    return {
        pair: dataclasses.replace(
            facts.get(pair) or Facts(company=None, person=None),
            existing_cards=existing[pair],
            documents=documents.get(pair),
        )
        for pair in wanted
    }


def pending_cards_for_pair(employer_orgnr: str, holder_id: str) -> QuerySet[Card]:
    """The pending orders of one employment (at most one), oldest first."""
    return Card.objects.filter(
        employer_orgnr=employer_orgnr, holder_id=holder_id, state=CardState.PENDING
    ).order_by("id")
