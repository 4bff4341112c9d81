"""D-number warnings: the company and the card holder are told 14 days before
the holder's D-nummer is due to turn inactive, once.

Folkeregisteret sets a D-nummer to status "inaktiv" five years after it was
issued (`Person.identifikator_tildelt`), unless the person's identity is
checked again. A card then stays valid for 30 days and becomes invalid with
DNUMBER_INACTIVE (the rules, `eligibility.rules`). The warning gives the holder
time to meet for an identity check first.

Due: a valid card (in production or active) whose holder has an active
D-number (status "midlertidig") due to turn inactive in 0-14 days. Each card
is warned once per due date: the portal message keys (`dnumber_key`) are
unique, so a second run the same or a later day writes nothing (and a number
re-checked and due again five years later is warned again). A run the job
missed is caught up as long as the due date is still ahead.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from hmskort.cards.models import Card, CardState
from hmskort.eligibility.dates import add_months
from hmskort.notifications.services.messages import company_contact_emails, message_notify
from hmskort.registers import models as rm
from hmskort.registers.identifiers import mask_identifier

#: Days before the D-number turns inactive that the warning goes out.
WARNING_DAYS = 14
#: A D-number turns inactive this many months after it was issued.
DNUMBER_LIFETIME_MONTHS = 60

VALID = (CardState.IN_PRODUCTION, CardState.ACTIVE)


def dnumber_inactive_on(issued: dt.date) -> dt.date:
    """The day Folkeregisteret sets a D-number issued on `issued` inactive."""
    return add_months(issued, DNUMBER_LIFETIME_MONTHS)


def dnumber_key(card_id: int, due: dt.date, audience: str) -> str:
    return f"dnumber-inactive:{card_id}:{due.isoformat()}:{audience}"


def _texts(card: Card, due: dt.date) -> tuple[str, str]:
    subject = (
        f"D-nummeret til {card.holder_name} blir inaktivt {due:%d.%m.%Y} "
        f"(D number becomes inactive)"
    )
    body = (
        f"D-nummeret til {card.holder_name} ({mask_identifier(card.holder_id)}), som har "
        f"HMS-kort {card.card_number} fra {card.employer_name} ({card.employer_orgnr}), "
        f"blir satt som inaktivt i Folkeregisteret {due:%d.%m.%Y}, fem år etter at det ble "
        "tildelt. Kortet er gyldig i 30 dager etter det, og blir deretter ugyldig til "
        "nummeret er aktivert igjen. Personen må møte til ID-kontroll hos Skatteetaten for å "
        "beholde et aktivt D-nummer.\n\n"
        f"The D number of {card.holder_name}, who holds HMS card {card.card_number}, will be "
        f"set inactive in Folkeregisteret on {due:%d.%m.%Y}, five years after it was issued. "
        "The card stays valid for 30 days after that and then becomes invalid until the "
        "number is reactivated. The person must attend an identity check at the Tax "
        "Administration to keep the D number active."
    )
    return subject, body


def reminders_send_dnumber(*, today: dt.date) -> int:
    """Warn about the D-numbers due to turn inactive in 0-14 days; return how
    many cards were warned now (0 on a re-run)."""
    # Issue dates whose fifth anniversary is within [today, today + 14]
    # (a day of slack each side for month-end clamping; the exact test is below).
    earliest = add_months(today, -DNUMBER_LIFETIME_MONTHS) - dt.timedelta(days=3)
    latest = add_months(today + dt.timedelta(days=WARNING_DAYS), -DNUMBER_LIFETIME_MONTHS)
    people = dict(
        rm.Person.objects.filter(
            identifikatortype=rm.Identifikatortype.DNR,
            status=rm.Personstatus.MIDLERTIDIG,
            identifikator_tildelt__gte=earliest,
            identifikator_tildelt__lte=latest + dt.timedelta(days=3),
        ).values_list("identifikator", "identifikator_tildelt")
    )
    due_by_person = {
        pid: due
        for pid, issued in people.items()
        if 0 <= ((due := dnumber_inactive_on(issued)) - today).days <= WARNING_DAYS
    }
    if not due_by_person:
        return 0
    cards = list(
        Card.objects.filter(holder_id__in=list(due_by_person), state__in=VALID).order_by("pk")
    )
    contacts = company_contact_emails({c.employer_orgnr for c in cards})
    warned = 0
    for card in cards:
        due = due_by_person[card.holder_id]
        subject, body = _texts(card, due)
        with transaction.atomic():
            company = message_notify(
                key=dnumber_key(card.pk, due, "company"),
                orgnr=card.employer_orgnr,
                to_emails=[e for e in (contacts.get(card.employer_orgnr), card.orderer_email) if e],
                subject=subject,
                body=body,
            )
            message_notify(
                key=dnumber_key(card.pk, due, "holder"),
                orgnr=card.employer_orgnr,
                to_emails=(),
                subject=subject,
                body=body,
                recipient=card.holder_id,
            )
        warned += company.portal_message is not None
    return warned


@shared_task(name="notifications.reminders_send_dnumber", ignore_result=True)
def reminders_send_dnumber_task(today: str | None = None) -> int:
    """Celery task (daily, see the beat entry in the README / report)."""
    day = timezone.localdate() if today is None else dt.date.fromisoformat(today)
    return reminders_send_dnumber(today=day)
