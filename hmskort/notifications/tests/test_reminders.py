"""Expiry reminders 60 and 30 days ahead: once each, grouped per company and recipient."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hmskort.cards.models import CardState
from hmskort.cards.tests.factories import CardFactory
from hmskort.notifications.models import ExpiryReminder, OutboxMessage, PortalMessage
from hmskort.notifications.services import company_contact_set, reminders_send_expiry

pytestmark = pytest.mark.django_db

S = CardState
TODAY = dt.date(2026, 3, 2)
ORGNR = "912345670"


def card(days_left, **kwargs):
    defaults = {
        "employer_orgnr": ORGNR,
        "employer_name": "RENT OG PENT AS",
        "orderer_email": "bestiller@rent.example",
        "active": True,
        "valid_until": TODAY + dt.timedelta(days=days_left),
    }
    return CardFactory(**{**defaults, **kwargs})


def reminded():
    return set(ExpiryReminder.objects.values_list("key", flat=True))


def test_reminders_at_60_and_30_days_are_each_sent_once_across_reruns():
    company_contact_set(orgnr=ORGNR, email="hms@rent.example")
    at_60, at_45, at_61, at_30, today = card(60), card(45), card(61), card(30), card(0)

    assert reminders_send_expiry(today=TODAY) == 4
    assert reminded() == {
        f"expiry:{at_60.pk}:60",
        f"expiry:{at_45.pk}:60",
        f"expiry:{at_30.pk}:30",
        f"expiry:{today.pk}:30",
    }
    assert reminders_send_expiry(today=TODAY) == 0  # same day again: nothing new
    assert reminders_send_expiry(today=TODAY + dt.timedelta(days=1)) == 1  # at_61 reaches 60
    assert f"expiry:{at_61.pk}:60" in reminded()
    assert reminders_send_expiry(today=TODAY + dt.timedelta(days=1)) == 0

    assert reminders_send_expiry(today=TODAY + dt.timedelta(days=30)) == 2  # at_60, at_45 -> 30
    assert reminders_send_expiry(today=TODAY + dt.timedelta(days=31)) == 1  # at_61 -> 30
    assert reminders_send_expiry(today=TODAY + dt.timedelta(days=40)) == 0
    assert ExpiryReminder.objects.count() == 8  # 4 cards x 2 windows, today's card: 30 only
    assert not ExpiryReminder.objects.filter(card=today, days=60).exists()


def test_a_card_first_seen_inside_30_days_gets_only_the_30_day_reminder():
    late = card(20)
    reminders_send_expiry(today=TODAY)
    assert reminded() == {f"expiry:{late.pk}:30"}


def test_cards_that_are_not_valid_or_already_renewed_are_not_reminded():
    card(50, state=S.BLOCKED, active=False, blocked=True)
    card(50, state=S.INVALID, active=False, invalid=True)
    card(-1)  # expired yesterday (the re-check makes it expired)
    old = card(50)
    card(0, holder_id=old.holder_id, state=S.PENDING, active=False, valid_until=None)  # renewal
    renewed_active = card(40)
    card(730, holder_id=renewed_active.holder_id)  # the new card is already active
    other_employer = card(40, employer_orgnr="998877665")
    card(700, holder_id=other_employer.holder_id)  # a card with another employer: no renewal

    assert reminders_send_expiry(today=TODAY) == 1
    assert reminded() == {f"expiry:{other_employer.pk}:60"}


def test_one_email_per_company_and_recipient_lists_all_its_cards():
    company_contact_set(orgnr=ORGNR, email="hms@rent.example", name="Hanne Hansen")
    mine = [card(50, holder_name=f"Arbeider {n:03d}") for n in range(300)]
    theirs = [card(55, orderer_email="annen@rent.example") for _ in range(2)]
    no_address = card(55, orderer_email="")
    contact_ordered = card(58, orderer_email="HMS@rent.example")
    other_company = card(45, employer_orgnr="998877665", employer_name="ANNET AS")

    reminders_send_expiry(today=TODAY)

    messages = {
        m.to[0].lower(): m for m in OutboxMessage.objects.filter(subject__contains="RENT OG PENT")
    }
    assert sorted(messages) == ["annen@rent.example", "bestiller@rent.example", "hms@rent.example"]
    contact = messages["hms@rent.example"]
    company_cards = [*mine, *theirs, no_address, contact_ordered]
    assert all(c.card_number in contact.body for c in company_cards)
    assert other_company.card_number not in contact.body
    assert "304 kort utløper innen 60 dager" in contact.subject
    assert "304 cards expire within 60 days" in contact.subject
    assert all(c.card_number in messages["bestiller@rent.example"].body for c in mine)
    assert not any(c.card_number in messages["bestiller@rent.example"].body for c in theirs)
    assert all(c.card_number in messages["annen@rent.example"].body for c in theirs)
    # The other company has no contact person and its orderer is the same address:
    # the orderer gets two e-mails, one per company.
    assert OutboxMessage.objects.filter(to=["bestiller@rent.example"]).count() == 2
    assert PortalMessage.objects.filter(orgnr=ORGNR).count() == 1
    assert PortalMessage.objects.filter(orgnr="998877665").count() == 1
    body = contact.body
    assert body.index("gyldig til og med") < body.index("-- English version below --")
    assert "valid until" in body.split("-- English version below --")[1]


def test_the_daily_task_runs_for_today():
    from hmskort.notifications.tasks import reminders_send_expiry_task

    due = CardFactory(active=True, valid_until=timezone.localdate() + dt.timedelta(days=60))
    assert reminders_send_expiry_task.delay().get() == 1
    assert reminded() == {f"expiry:{due.pk}:60"}
