"""Test set-up for the re-checks: register employments with a card each."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hmskort.cards.models import Card, CardState, CardStatusHistory
from hmskort.cards.tests.factories import card_for_employment
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory, PersonFactory


def today() -> dt.date:
    return timezone.localdate()


def employment_card(
    *, enhet=None, person=None, employment=True, documents_approved=True, **card_kwargs
) -> Card:
    """A card for a live employment (or, with employment=False, a person without one).

    A pending order gets an approved photo and ID (the gate on orders) unless
    `documents_approved=False`."""
    from hmskort.portal.tests.factories import documents_approved as approve

    enhet = enhet or EnhetFactory()
    person = person or PersonFactory()
    af = ArbeidsforholdFactory.build(arbeidsgiver=enhet, arbeidstaker=person)
    if employment:
        af.save()
    card = card_for_employment(af, **card_kwargs)
    if documents_approved and card.state == CardState.PENDING:
        approve(card.employer_orgnr, card.holder_id)
    return card


def employment_cards(n: int, **card_kwargs) -> list[Card]:
    enhet = EnhetFactory()
    return [employment_card(enhet=enhet, **card_kwargs) for _ in range(n)]


def state_of(card: Card) -> tuple[str, list[str]]:
    card.refresh_from_db()
    return card.state, sorted(card.reason_codes)


def history_count(card: Card | None = None) -> int:
    qs = CardStatusHistory.objects.all()
    return (qs.filter(card=card) if card is not None else qs).count()


def backdate(card: Card, *, days: int) -> None:
    """Pretend the order was placed `days` days ago (test set-up writes the row directly)."""
    Card.objects.filter(pk=card.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
