"""factory-boy factories for cards.

    CardFactory()                          # PENDING order, no history row
    CardFactory(active=True)               # issued 100 days ago, shipped
    CardFactory(in_production=True)        # issued, not shipped yet
    CardFactory(invalid=True)              # issued, shipped, invalid (employment ended)
    CardFactory(expired=True) / (blocked=True) / (returned=True) / ...
    card_for_employment(arbeidsforhold, active=True)   # for a register employment

Factories write Card rows directly (test set-up, like the population
generator's bulk insert); everything under test goes through the services.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from hmskort.cards.models import BlockReason, Card, CardState
from hmskort.cards.numbers import new_card_number
from hmskort.cards.services.transitions import valid_until_for

CARD_FACTORY_ORGNR_BASE = 900_000_000


def _issued_days_ago(days: int):
    return factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=days))


_issued = {
    "issue_date": _issued_days_ago(100),
    "valid_until": factory.LazyAttribute(lambda o: valid_until_for(o.issue_date)),
}
_shipped = {"shipped_at": factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=95))}


class CardFactory(DjangoModelFactory):
    class Meta:
        model = Card

    class Params:
        in_production = factory.Trait(state=CardState.IN_PRODUCTION, **_issued)
        active = factory.Trait(state=CardState.ACTIVE, **_issued, **_shipped)
        invalid = factory.Trait(
            state=CardState.INVALID,
            reason_codes=factory.LazyFunction(lambda: ["EMPLOYMENT_NOT_REGISTERED"]),
            **_issued,
            **_shipped,
        )
        expired = factory.Trait(
            state=CardState.EXPIRED,
            reason_codes=factory.LazyFunction(lambda: ["CARD_EXPIRED"]),
            issue_date=_issued_days_ago(800),
            valid_until=factory.LazyAttribute(lambda o: valid_until_for(o.issue_date)),
            **_shipped,
        )
        blocked = factory.Trait(
            state=CardState.BLOCKED,
            reason_codes=factory.LazyFunction(lambda: ["CARD_BLOCKED"]),
            block_reason=BlockReason.LOST,
            **_issued,
            **_shipped,
        )
        returned = factory.Trait(
            state=CardState.RETURNED,
            reason_codes=factory.LazyFunction(lambda: ["CARD_RETURNED"]),
            **_issued,
            **_shipped,
        )
        confiscated = factory.Trait(
            state=CardState.CONFISCATED,
            reason_codes=factory.LazyFunction(lambda: ["CARD_CONFISCATED"]),
            **_issued,
            **_shipped,
        )
        rejected = factory.Trait(
            state=CardState.REJECTED,
            reason_codes=factory.LazyFunction(lambda: ["EMPLOYMENT_NOT_REGISTERED"]),
        )
        cancelled = factory.Trait(state=CardState.CANCELLED)

    card_number = factory.LazyFunction(new_card_number)
    card_type = "BA"
    employer_orgnr = factory.Sequence(lambda n: str(CARD_FACTORY_ORGNR_BASE + n))
    holder_id = factory.Sequence(lambda n: f"010190{n % 100_000:05d}")
    holder_name = factory.Faker("name", locale="no_NO")
    employer_name = factory.Sequence(lambda n: f"KORTFABRIKKEN {n} AS")
    state = CardState.PENDING
    reason_codes = factory.LazyFunction(list)
    state_changed_at = factory.LazyFunction(timezone.now)
    ordered_by = "bestiller"


def card_for_employment(arbeidsforhold, **kwargs) -> Card:
    """A card for a register employment (helper A's ArbeidsforholdFactory)."""
    return CardFactory(
        employer_orgnr=arbeidsforhold.arbeidsgiver.organisasjonsnummer,
        employer_name=arbeidsforhold.arbeidsgiver.navn,
        holder_id=arbeidsforhold.arbeidstaker.identifikator,
        holder_name=arbeidsforhold.arbeidstaker.fulltnavn,
        **kwargs,
    )
