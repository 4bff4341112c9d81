"""D-numbers turning inactive: 30 days of grace through the nightly re-check,
valid again when reactivated (change feed), and the 14-day warning sent once."""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.cards.models import CardState
from hmskort.cards.tests.factories import card_for_employment
from hmskort.checks.services import recheck_full, recheck_incremental
from hmskort.eligibility.dates import add_months
from hmskort.notifications.models import OutboxMessage, PortalMessage
from hmskort.notifications.services.dnumber import (
    dnumber_inactive_on,
    reminders_send_dnumber,
)
from hmskort.registers import models as rm
from hmskort.registers import services
from hmskort.registers.tests.factories import ArbeidsforholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

INACTIVE_ON = dt.date(2026, 3, 2)


@pytest.fixture
def dnr_card():
    worker = PersonFactory(dnr=True)
    employment = ArbeidsforholdFactory(arbeidstaker=worker, startdato=dt.date(2024, 1, 1))
    return card_for_employment(employment, active=True)


def _run_full(today: dt.date):
    return recheck_full(today=today, inline=True)


@pytest.mark.parametrize("grace_day, state", [(29, CardState.ACTIVE), (31, CardState.INVALID)])
def test_inactive_dnumber_grace_through_the_nightly_recheck(dnr_card, grace_day, state):
    services.person_set_status(
        identifikator=dnr_card.holder_id, status=rm.Personstatus.INAKTIV, status_dato=INACTIVE_ON
    )
    today = INACTIVE_ON + dt.timedelta(days=grace_day)
    if dnr_card.valid_until and dnr_card.valid_until < today:  # pragma: no cover
        pytest.skip("factory card too short for the scenario")
    _run_full(today)
    dnr_card.refresh_from_db()
    assert dnr_card.state == state
    if state == CardState.INVALID:
        assert dnr_card.reason_codes == ["DNUMBER_INACTIVE"]


def test_reactivated_dnumber_makes_the_card_valid_again(dnr_card):
    today = INACTIVE_ON + dt.timedelta(days=31)
    services.person_set_status(
        identifikator=dnr_card.holder_id, status=rm.Personstatus.INAKTIV, status_dato=INACTIVE_ON
    )
    _run_full(today)
    dnr_card.refresh_from_db()
    assert dnr_card.state == CardState.INVALID
    recheck_incremental(today=today)  # the feed so far
    services.person_set_status(
        identifikator=dnr_card.holder_id, status=rm.Personstatus.MIDLERTIDIG, status_dato=today
    )
    recheck_incremental(today=today)  # the reactivation arrives through the change feed
    dnr_card.refresh_from_db()
    assert dnr_card.state == CardState.ACTIVE and not dnr_card.reason_codes


def test_the_fifth_anniversary_is_the_inactivation_day():
    assert dnumber_inactive_on(dt.date(2021, 2, 28)) == dt.date(2026, 2, 28)
    assert dnumber_inactive_on(dt.date(2020, 2, 29)) == dt.date(2025, 2, 28)


def test_company_and_holder_are_warned_14_days_before_exactly_once(dnr_card):
    today = dt.date.today()
    due = today + dt.timedelta(days=14)
    rm.Person.objects.filter(pk=dnr_card.holder_id).update(
        identifikator_tildelt=add_months(due, -60)
    )
    # not yet: 15 days before
    assert reminders_send_dnumber(today=today - dt.timedelta(days=1)) == 0
    assert reminders_send_dnumber(today=today) == 1
    messages = PortalMessage.objects.filter(orgnr=dnr_card.employer_orgnr)
    assert messages.count() == 2  # the company and the holder
    assert {m.recipient for m in messages} == {"", dnr_card.holder_id}
    assert "blir inaktivt" in messages.first().subject
    emails = OutboxMessage.objects.count()
    # again the same day and the days after: nothing new
    assert reminders_send_dnumber(today=today) == 0
    assert reminders_send_dnumber(today=today + dt.timedelta(days=5)) == 0
    assert PortalMessage.objects.filter(orgnr=dnr_card.employer_orgnr).count() == 2
    assert OutboxMessage.objects.count() == emails


def test_no_warning_for_an_fnr_an_inactive_dnumber_or_an_invalid_card(dnr_card):
    today = dt.date.today()
    issued = add_months(today + dt.timedelta(days=10), -60)
    rm.Person.objects.filter(pk=dnr_card.holder_id).update(
        identifikator_tildelt=issued, status=rm.Personstatus.INAKTIV
    )
    assert reminders_send_dnumber(today=today) == 0
    rm.Person.objects.filter(pk=dnr_card.holder_id).update(status=rm.Personstatus.MIDLERTIDIG)
    type(dnr_card).objects.filter(pk=dnr_card.pk).update(state=CardState.INVALID)
    assert reminders_send_dnumber(today=today) == 0
