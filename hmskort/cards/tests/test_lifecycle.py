"""Ordering, effectuation, re-check and the actions on a card, against the real
registers (helper factories) and the real eligibility rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from hmskort.cards.models import ActorType, BlockReason, Card, CardState, CardStatusHistory
from hmskort.cards.numbers import check_digit, is_valid_card_number
from hmskort.cards.services import lifecycle
from hmskort.cards.services.lifecycle import (
    CardAlreadyOrdered,
    CardNotConfiscable,
    CardOrderRefused,
    card_block,
    card_cancel,
    card_confiscate,
    card_evaluate_pending,
    card_mark_shipped,
    card_order,
    card_recheck,
    card_register_returned,
    card_reject,
)
from hmskort.cards.services.transitions import IllegalTransition, add_years
from hmskort.cards.tests.factories import CardFactory, card_for_employment
from hmskort.eligibility.dates import add_months
from hmskort.eligibility.reasons import ReasonCode as R
from hmskort.portal.tests.factories import documents_approved, documents_approved_for
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory

pytestmark = pytest.mark.django_db

S = CardState


@pytest.fixture
def today() -> dt.date:
    # The register factories date everything relative to the real today.
    return dt.date.today()


@pytest.fixture
def employment():
    employment = ArbeidsforholdFactory()
    documents_approved_for(employment)  # these tests are about the registers
    return employment


def order(employment, today, **kwargs):
    return card_order(
        employer_orgnr=employment.arbeidsgiver.organisasjonsnummer,
        holder_id=employment.arbeidstaker.identifikator,
        card_type=kwargs.pop("card_type", "BA"),
        ordered_by="ola.nordmann",
        today=today,
        **kwargs,
    )


def history(card: Card) -> list[tuple]:
    return list(
        CardStatusHistory.objects.filter(card=card)
        .order_by("id")
        .values_list("from_state", "to_state", "reason_codes")
    )


def refused(employment, today, **kwargs) -> CardOrderRefused:
    cards_before = Card.objects.count()
    history_before = CardStatusHistory.objects.count()
    with pytest.raises(CardOrderRefused) as excinfo:
        order(employment, today, **kwargs)
    assert Card.objects.count() == cards_before
    assert CardStatusHistory.objects.count() == history_before
    return excinfo.value


# --- card_order ---------------------------------------------------------------------


def test_order_for_a_registered_employment_creates_a_pending_card_with_its_first_history_row(
    employment, today
):
    result = order(employment, today)

    card = Card.objects.get()
    assert result.card == card
    assert result.verdict.passed
    assert card.state == S.PENDING
    assert card.reason_codes == []
    assert is_valid_card_number(card.card_number)
    assert card.holder_name == employment.arbeidstaker.fulltnavn
    assert card.employer_name == employment.arbeidsgiver.navn
    assert card.ordered_by == "ola.nordmann"
    assert card.issue_date is None and card.valid_until is None
    row = CardStatusHistory.objects.get(card=card)
    assert (row.from_state, row.to_state, row.actor_type, row.actor) == (
        "",
        S.PENDING,
        ActorType.USER,
        "ola.nordmann",
    )


def test_order_without_a_registered_employment_waits_with_the_reason(today):
    company = EnhetFactory()
    person = ArbeidsforholdFactory().arbeidstaker  # employed elsewhere only
    documents_approved(company.organisasjonsnummer, person.identifikator)

    result = card_order(
        employer_orgnr=company.organisasjonsnummer,
        holder_id=person.identifikator,
        card_type="BA",
        ordered_by="x",
        today=today,
    )

    assert result.card.state == S.PENDING
    assert result.card.reason_codes == [R.EMPLOYMENT_NOT_REGISTERED]


def test_order_is_refused_when_the_worker_already_has_a_valid_card(employment, today):
    card_for_employment(employment, active=True)

    error = refused(employment, today)

    assert error.code == "card_order_refused"
    assert error.reason_codes == [R.ALREADY_HAS_CARD]
    assert error.extra == {"reason_codes": [R.ALREADY_HAS_CARD]}


@pytest.mark.parametrize(
    ("expires", "allowed"),
    [
        (lambda t: add_months(t, 1) + dt.timedelta(days=1), False),  # a day before the last month
        (lambda t: add_months(t, 1), True),  # first day of the last month
        (lambda t: t + dt.timedelta(days=10), True),
    ],
    ids=["last-month-starts-tomorrow", "last-month-starts-today", "expires-in-10-days"],
)
def test_a_new_card_may_be_ordered_in_the_last_month_of_the_old_one(
    employment, today, expires, allowed
):
    # Given an active card expiring at the given date
    old = card_for_employment(
        employment,
        active=True,
        issue_date=add_years(expires(today), -2),
        valid_until=expires(today),
    )
    # When the employer orders a new one
    if allowed:
        card = order(employment, today).card
        # Then the new card replaces the old one
        assert card.replaces == old
    else:
        # Then the order is refused
        assert refused(employment, today).reason_codes == [R.ALREADY_HAS_CARD]


def test_a_lost_card_must_be_blocked_before_a_replacement_is_ordered(employment, today):
    lost = card_for_employment(employment, active=True)

    error = refused(employment, today, replaces_lost_card=True)
    assert error.reason_codes == [R.LOST_CARD_NOT_BLOCKED]

    card_block(card=lost, reason=BlockReason.LOST, actor="ola.nordmann")
    card = order(employment, today, replaces_lost_card=True).card

    assert card.state == S.PENDING
    assert card.replaces == lost


def test_order_is_refused_while_another_order_is_pending(employment, today):
    order(employment, today)

    error = refused(employment, today)

    assert error.reason_codes == [R.ALREADY_ORDERED]


@pytest.mark.parametrize(("days_ahead", "allowed"), [(30, True), (31, False)])
def test_order_allowed_at_most_30_days_before_the_employment_starts(today, days_ahead, allowed):
    employment = ArbeidsforholdFactory(startdato=today + dt.timedelta(days=days_ahead))
    if allowed:
        assert order(employment, today).card.state == S.PENDING
    else:
        assert refused(employment, today).reason_codes == [R.EMPLOYMENT_STARTS_LATER]


def test_order_is_refused_for_a_bankrupt_company(today):
    employment = ArbeidsforholdFactory(arbeidsgiver=EnhetFactory(konkurs_aapnet=True))
    assert refused(employment, today).reason_codes == [R.COMPANY_BANKRUPT]


def test_ended_cards_do_not_block_a_new_order(employment, today):
    card_for_employment(employment, expired=True)
    card_for_employment(employment, returned=True)
    card_for_employment(employment, rejected=True)

    assert order(employment, today).card.state == S.PENDING


def test_a_racing_second_order_gets_already_ordered_and_the_callers_transaction_survives(
    employment, today, monkeypatch
):
    # The race window: the second order's rules ran before the first order's
    # card was visible. Only the database constraint can stop it.
    order(employment, today)
    from hmskort.cards import selectors

    monkeypatch.setattr(
        selectors,
        "existing_cards_for_pairs",
        lambda pairs, **kw: {p: () for p in pairs},
    )

    with transaction.atomic():
        with pytest.raises(CardAlreadyOrdered) as excinfo:
            order(employment, today)
        # The caller's transaction is still usable.
        assert Card.objects.count() == 1

    assert excinfo.value.code == "already_ordered"
    assert excinfo.value.reason_codes == [R.ALREADY_ORDERED]
    assert isinstance(excinfo.value, CardOrderRefused)
    assert CardStatusHistory.objects.count() == 1


def test_order_retries_with_a_new_number_when_the_number_is_taken(employment, today, monkeypatch):
    taken = CardFactory(active=True).card_number
    fresh = "100000000" + check_digit("100000000")
    numbers = iter([taken, taken, fresh])
    monkeypatch.setattr(lifecycle, "new_card_number", lambda: next(numbers))

    card = order(employment, today).card

    assert card.card_number == fresh
    assert Card.objects.filter(holder_id=employment.arbeidstaker.identifikator).count() == 1


# --- card_evaluate_pending ------------------------------------------------------------


def test_evaluating_a_passing_order_effectuates_it_for_two_years(employment, today):
    card = order(employment, today).card

    card = card_evaluate_pending(card=card, today=today, actor_type=ActorType.JOB, actor="job")

    assert card.state == S.IN_PRODUCTION
    assert card.issue_date == today
    assert card.valid_until == add_years(today, 2)
    assert history(card)[-1] == (S.PENDING, S.IN_PRODUCTION, [])


def test_evaluating_an_order_that_now_fails_rejects_it_with_the_reason(employment, today):
    card = order(employment, today).card
    company = employment.arbeidsgiver
    company.konkurs = True
    company.save()

    card = card_evaluate_pending(card=card, today=today, actor_type=ActorType.JOB)

    assert card.state == S.REJECTED
    assert card.reason_codes == [R.COMPANY_BANKRUPT]
    assert history(card)[-1] == (S.PENDING, S.REJECTED, [R.COMPANY_BANKRUPT])


def test_evaluating_a_still_pending_order_writes_history_only_when_its_reasons_change(today):
    company = EnhetFactory()
    employment = ArbeidsforholdFactory()  # the person works elsewhere
    documents_approved(company.organisasjonsnummer, employment.arbeidstaker.identifikator)
    card = card_order(
        employer_orgnr=company.organisasjonsnummer,
        holder_id=employment.arbeidstaker.identifikator,
        card_type="BA",
        ordered_by="x",
        today=today,
    ).card

    card = card_evaluate_pending(card=card, today=today, actor_type=ActorType.JOB)
    assert card.state == S.PENDING
    assert len(history(card)) == 1  # unchanged: nothing written

    # The company's VAT registration ends: now waiting for two things.
    company.mva_registreringer.update(registrert_til=today - dt.timedelta(days=1))
    card = card_evaluate_pending(card=card, today=today, actor_type=ActorType.JOB)
    assert card.state == S.PENDING
    assert sorted(card.reason_codes) == sorted([R.EMPLOYMENT_NOT_REGISTERED, R.VAT_UNCLEAR])
    assert len(history(card)) == 2


def test_only_a_pending_order_can_be_evaluated(employment):
    card = card_for_employment(employment, active=True)
    with pytest.raises(IllegalTransition):
        card_evaluate_pending(card=card, today=dt.date.today(), actor_type=ActorType.JOB)


# --- card_recheck ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_until_offset", "expected"),
    [(1, S.ACTIVE), (0, S.ACTIVE), (-1, S.EXPIRED)],
    ids=["expires-tomorrow", "expires-today", "expired-yesterday"],
)
def test_recheck_expires_a_card_the_day_after_its_last_valid_day(
    employment, today, valid_until_offset, expected
):
    # Given an active card for a valid employment, last valid on the given day
    until = today + dt.timedelta(days=valid_until_offset)
    card = card_for_employment(employment, active=True, valid_until=until)
    # When the nightly re-check runs
    card = card_recheck(card=card, today=today, actor_type=ActorType.JOB, actor="nightly")
    # Then it has expired only once the day has passed
    assert card.state == expected
    if expected == S.EXPIRED:
        assert card.reason_codes == [R.CARD_EXPIRED]
        assert history(card) == [(S.ACTIVE, S.EXPIRED, [R.CARD_EXPIRED])]
    else:
        assert history(card) == []


def test_recheck_invalidates_when_the_employment_ends_and_reactivates_when_the_worker_returns(
    employment, today
):
    card = card_for_employment(employment, active=True)

    # Given the employment ended yesterday
    employment.sluttdato = today - dt.timedelta(days=1)
    employment.save()
    card = card_recheck(card=card, today=today)
    assert card.state == S.INVALID
    assert card.reason_codes == [R.EMPLOYMENT_NOT_REGISTERED]

    # Re-running changes nothing
    card = card_recheck(card=card, today=today)
    assert len(history(card)) == 1

    # The company also goes bankrupt: a new reason, a new row
    employment.arbeidsgiver.konkurs = True
    employment.arbeidsgiver.save()
    card = card_recheck(card=card, today=today)
    assert card.state == S.INVALID
    assert set(card.reason_codes) == {R.EMPLOYMENT_NOT_REGISTERED, R.COMPANY_BANKRUPT}
    assert len(history(card)) == 2

    # The company recovers and the worker is re-employed within the validity period
    employment.arbeidsgiver.konkurs = False
    employment.arbeidsgiver.save()
    ArbeidsforholdFactory(
        arbeidsgiver=employment.arbeidsgiver,
        arbeidstaker=employment.arbeidstaker,
        startdato=today,
    )
    card = card_recheck(card=card, today=today)
    assert card.state == S.ACTIVE
    assert card.reason_codes == []
    assert [h[1] for h in history(card)] == [S.INVALID, S.INVALID, S.ACTIVE]


def test_recheck_reactivates_an_unshipped_card_to_in_production(employment, today):
    card = card_for_employment(employment, invalid=True, shipped_at=None)

    card = card_recheck(card=card, today=today)

    assert card.state == S.IN_PRODUCTION


def test_recheck_does_not_reactivate_after_the_validity_period(employment, today):
    # Given an invalid card whose registers pass again, but whose validity ended yesterday
    card = card_for_employment(employment, invalid=True, valid_until=today - dt.timedelta(days=1))
    # When re-checked
    card = card_recheck(card=card, today=today)
    # Then it has expired instead of coming back
    assert card.state == S.EXPIRED
    assert card.reason_codes == [R.CARD_EXPIRED]


@pytest.mark.parametrize("trait", ["blocked", "returned", "expired", "confiscated"])
def test_recheck_leaves_cards_that_are_out_of_circulation_alone(employment, today, trait):
    employment.sluttdato = today - dt.timedelta(days=10)
    employment.save()
    card = card_for_employment(employment, **{trait: True})
    state = card.state

    assert card_recheck(card=card, today=today).state == state
    assert history(card) == []


def test_recheck_does_not_count_the_card_itself_as_an_existing_card(employment, today):
    card = card_for_employment(employment, in_production=True)
    assert card_recheck(card=card, today=today).state == S.IN_PRODUCTION
    assert history(card) == []


# --- Actions ----------------------------------------------------------------------------


def test_block_a_lost_card():
    card = card_block(card=CardFactory(active=True), reason=BlockReason.LOST, actor="ola")

    assert (card.state, card.block_reason, card.reason_codes) == (
        S.BLOCKED,
        BlockReason.LOST,
        [R.CARD_BLOCKED],
    )
    # Blocking twice is harmless.
    card_block(card=card, reason=BlockReason.LOST, actor="ola")
    assert CardStatusHistory.objects.filter(card=card).count() == 1


def test_a_pending_order_cannot_be_blocked():
    with pytest.raises(IllegalTransition):
        card_block(card=CardFactory(), reason=BlockReason.STOLEN)


def test_mark_shipped_activates_a_card_in_production_once():
    card = card_mark_shipped(card=CardFactory(in_production=True))
    shipped_at = card.shipped_at

    assert card.state == S.ACTIVE and shipped_at is not None
    assert card_mark_shipped(card=card).shipped_at == shipped_at
    with pytest.raises(IllegalTransition):
        card_mark_shipped(card=CardFactory(invalid=True, shipped_at=None))


@pytest.mark.parametrize("trait", ["active", "invalid", "expired", "blocked", "in_production"])
def test_register_returned(trait):
    card = card_register_returned(card=CardFactory(**{trait: True}), actor="ola")
    assert card.state == S.RETURNED
    assert card.reason_codes == [R.CARD_RETURNED]


@pytest.mark.parametrize("trait", ["invalid", "expired", "blocked"])
def test_an_inspector_confiscates_a_card_that_is_not_valid(trait):
    card = card_confiscate(card=CardFactory(**{trait: True}), note="Kontroll Oslo", actor="insp-7")

    assert card.state == S.CONFISCATED
    row = CardStatusHistory.objects.get(card=card)
    assert (row.actor_type, row.actor, row.note) == (ActorType.INSPECTOR, "insp-7", "Kontroll Oslo")


@pytest.mark.parametrize("trait", ["active", "in_production"])
def test_a_valid_card_cannot_be_confiscated(trait):
    card = CardFactory(**{trait: True})
    with pytest.raises(CardNotConfiscable):
        card_confiscate(card=card, note="", actor="insp-7")
    assert not CardStatusHistory.objects.exists()


@pytest.mark.parametrize("trait", ["returned", "rejected", "cancelled"])
def test_a_card_out_of_circulation_cannot_be_confiscated(trait):
    with pytest.raises(IllegalTransition):
        card_confiscate(card=CardFactory(**{trait: True}), note="", actor="insp-7")


def test_cancel_a_pending_order_and_not_an_issued_card():
    card = card_cancel(
        card=CardFactory(), reason_codes=[R.ORDER_CANCELLED_TIMEOUT], actor_type=ActorType.JOB
    )
    assert (card.state, card.reason_codes) == (S.CANCELLED, [R.ORDER_CANCELLED_TIMEOUT])
    with pytest.raises(IllegalTransition):
        card_cancel(card=CardFactory(active=True))


def test_reject_a_pending_order_after_document_review():
    card = card_reject(
        card=CardFactory(), reason_codes=[R.DOCUMENTS_REJECTED], actor="saksbehandler"
    )
    assert (card.state, card.reason_codes) == (S.REJECTED, [R.DOCUMENTS_REJECTED])


def test_a_cancelled_order_frees_the_employment_for_a_new_order(employment, today):
    first = order(employment, today).card
    card_cancel(card=first)

    second = order(employment, today).card

    assert second.state == S.PENDING and second != first
