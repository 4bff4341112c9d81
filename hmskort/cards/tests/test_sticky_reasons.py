"""Sticky reasons: an employment an inspector removed from a card stays removed.

The re-check must not re-activate such a card when the registers pass; it
keeps EMPLOYMENT_REMOVED_BY_INSPECTOR while the registers' own reasons come and
go, until a caseworker clears it (`card_clear_inspector_removal`), which
decides the card again at once.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.cards.models import ActorType, Card, CardState, CardStatusHistory
from hmskort.cards.services.lifecycle import (
    STICKY_REASON_CODES,
    NoInspectorRemoval,
    card_clear_inspector_removal,
    card_recheck,
    recheck_change,
)
from hmskort.cards.services.transitions import card_transition
from hmskort.cards.tests.factories import card_for_employment
from hmskort.eligibility.reasons import ReasonCode as R
from hmskort.eligibility.verdict import Finding, Outcome, Verdict
from hmskort.registers import services as registers
from hmskort.registers.tests.factories import ArbeidsforholdFactory

pytestmark = pytest.mark.django_db

S = CardState
REMOVED = str(R.EMPLOYMENT_REMOVED_BY_INSPECTOR)


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()  # the register factories date everything from the real today


def _removed_by_inspector(**card_kwargs) -> Card:
    """An active card for a live register employment, then the inspector's removal."""
    card = card_for_employment(ArbeidsforholdFactory(), active=True, **card_kwargs)
    return card_transition(
        card=card,
        to_state=S.INVALID,
        reason_codes=[REMOVED],
        actor_type=ActorType.INSPECTOR,
        actor="inspektor.arbeidstilsynet",
    )


def _state(card: Card) -> tuple[str, list[str]]:
    card.refresh_from_db()
    return card.state, list(card.reason_codes)


def _end_employment(card: Card, today: dt.date) -> None:
    registers.arbeidsforhold_end(
        arbeidsgiver=card.employer_orgnr,
        arbeidstaker=card.holder_id,
        sluttdato=today - dt.timedelta(days=1),
    )


def test_the_sticky_set_holds_the_inspectors_removal():
    assert REMOVED in STICKY_REASON_CODES


def test_a_recheck_with_passing_registers_does_not_reactivate_the_card(today):
    card = _removed_by_inspector()
    before = CardStatusHistory.objects.filter(card=card).count()

    card_recheck(card=card, today=today)

    assert _state(card) == (S.INVALID, [REMOVED])
    assert CardStatusHistory.objects.filter(card=card).count() == before  # nothing to write


def test_the_sticky_reason_stays_while_the_register_reasons_change(today):
    card = _removed_by_inspector()

    _end_employment(card, today)
    card_recheck(card=card, today=today)
    assert _state(card) == (S.INVALID, [REMOVED, "EMPLOYMENT_NOT_REGISTERED"])

    registers.arbeidsforhold_register(
        arbeidsgiver=card.employer_orgnr, arbeidstaker=card.holder_id, startdato=today
    )
    card_recheck(card=card, today=today)
    assert _state(card) == (S.INVALID, [REMOVED])

    card_recheck(card=card, today=today)  # idempotent
    assert CardStatusHistory.objects.filter(card=card, actor_type=ActorType.JOB).count() == 2


def test_recheck_change_decides_sticky_cards_without_the_database(today):
    """The pure decision the nightly bulk run uses, for a card that is not saved."""
    card = Card(
        pk=1,
        state=S.INVALID,
        reason_codes=[REMOVED, "COMPANY_BANKRUPT"],
        valid_until=today + dt.timedelta(days=30),
        shipped_at=None,
    )
    passed = Verdict(Outcome.PASS, ())
    failed = Verdict(Outcome.FAIL, (Finding(R.PERSON_DEAD, Outcome.FAIL),))

    assert recheck_change(card=card, verdict=passed, today=today).reason_codes == (REMOVED,)
    change = recheck_change(card=card, verdict=failed, today=today)
    assert (change.to_state, change.reason_codes) == (S.INVALID, (REMOVED, "PERSON_DEAD"))
    card.reason_codes = [REMOVED]
    assert recheck_change(card=card, verdict=passed, today=today) is None
    # Past its validity the card expires as any other.
    card.valid_until = today - dt.timedelta(days=1)
    assert recheck_change(card=card, verdict=None, today=today).to_state == S.EXPIRED


def test_a_caseworker_clears_the_removal_and_the_card_is_active_again(today):
    card = _removed_by_inspector()

    updated = card_clear_inspector_removal(
        card=card, actor_type=ActorType.STAFF, actor="saksbehandler", today=today
    )

    assert updated.state == card.state == S.ACTIVE
    assert _state(card) == (S.ACTIVE, [])
    last = CardStatusHistory.objects.filter(card=card).latest("id")
    assert (last.from_state, last.to_state, last.actor_type, last.actor) == (
        S.INVALID,
        S.ACTIVE,
        ActorType.STAFF,
        "saksbehandler",
    )
    # From now on the re-check treats the card as any other.
    _end_employment(card, today)
    card_recheck(card=card, today=today)
    assert _state(card) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])


def test_a_never_shipped_card_goes_back_to_production(today):
    card = _removed_by_inspector(shipped_at=None)
    Card.objects.filter(pk=card.pk).update(shipped_at=None)
    card.refresh_from_db()

    card_clear_inspector_removal(card=card, actor_type=ActorType.STAFF, actor="sb", today=today)

    assert _state(card) == (S.IN_PRODUCTION, [])


def test_clearing_when_the_registers_fail_leaves_the_registers_reasons(today):
    card = _removed_by_inspector()
    _end_employment(card, today)
    card_recheck(card=card, today=today)

    card_clear_inspector_removal(card=card, actor_type=ActorType.STAFF, actor="sb", today=today)

    assert _state(card) == (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])


def test_clearing_a_card_past_its_validity_expires_it(today):
    card = _removed_by_inspector()
    Card.objects.filter(pk=card.pk).update(valid_until=today - dt.timedelta(days=1))

    card_clear_inspector_removal(card=card, actor_type=ActorType.STAFF, actor="sb", today=today)

    assert _state(card) == (S.EXPIRED, ["CARD_EXPIRED"])


@pytest.mark.parametrize("trait", ["active", "invalid", "blocked"])
def test_clearing_a_card_without_the_removal_is_refused(today, trait):
    card = card_for_employment(ArbeidsforholdFactory(), **{trait: True})
    before = _state(card)

    with pytest.raises(NoInspectorRemoval) as refused:
        card_clear_inspector_removal(card=card, actor_type=ActorType.STAFF, actor="sb", today=today)

    assert refused.value.http_status == 409 and refused.value.code == "no_inspector_removal"
    assert _state(card) == before
