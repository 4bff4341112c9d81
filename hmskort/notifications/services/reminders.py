"""Expiry reminders: 60 and 30 days before a valid card expires, each sent once.

Set-based over cards: one query finds every card due a reminder, grouped per
company; per chunk of companies one transaction locks the cards, drops those
reminded meanwhile (a concurrent run), writes the ledger rows
(`ExpiryReminder`, key "expiry:<card_id>:<days>") and the messages: one portal
message per company, one e-mail to the company's contact person listing all of
its cards, and one e-mail per orderer listing theirs. Kill it at any point and
run it again: committed chunks are not reminded twice, the rest is finished.

A card is due the 60-day reminder when it expires in 31-60 days and the 30-day
reminder when it expires in 0-30 days. A card first seen inside 30 days (the
job did not run) gets only the 30-day reminder. Not reminded: cards that are
not valid (invalid, blocked, expired ...), and cards already renewed (a newer
card for the same employment is on order, in production or active).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hmskort.cards.models import Card, CardState
from hmskort.notifications import texts
from hmskort.notifications.models import ExpiryReminder, PortalMessage
from hmskort.notifications.services.card_events import (
    card_line,
    recipient_groups,
    recipient_tag,
)
from hmskort.notifications.services.messages import (
    company_contact_emails,
    portal_messages_post_many,
)
from hmskort.notifications.services.outbox import (
    EmailDraft,
    email_draft,
    outbox_enqueue_many,
)

S = CardState
VALID = (S.IN_PRODUCTION, S.ACTIVE)
#: (days, fewest days left) per reminder window, the earlier window first.
WINDOWS: tuple[tuple[int, int], ...] = ((60, 31), (30, 0))
#: Cards per transaction (whole companies; a larger company gets a chunk of its own).
CHUNK_CARDS = 1000


def expiry_key(card_id: int, days: int) -> str:
    return f"expiry:{card_id}:{days}"


def _due_cards(*, today: dt.date, days: int, fewest: int):
    renewed = Card.objects.filter(
        employer_orgnr=OuterRef("employer_orgnr"),
        holder_id=OuterRef("holder_id"),
        pk__gt=OuterRef("pk"),
        state__in=(S.PENDING, S.IN_PRODUCTION, S.ACTIVE),
    )
    reminded = ExpiryReminder.objects.filter(card=OuterRef("pk"), days=days)
    return (
        Card.objects.filter(
            state__in=VALID,
            valid_until__gte=today + dt.timedelta(days=fewest),
            valid_until__lte=today + dt.timedelta(days=days),
        )
        .exclude(Exists(renewed))
        .exclude(Exists(reminded))
    )


def _company_chunks(ids_by_company: Iterator[tuple[str, int]]) -> Iterator[list[int]]:
    chunk: list[int] = []
    current = None
    for orgnr, card_id in ids_by_company:
        if orgnr != current and len(chunk) >= CHUNK_CARDS:
            yield chunk
            chunk = []
        current = orgnr
        chunk.append(card_id)
    if chunk:
        yield chunk


def reminders_send_expiry(*, today: dt.date) -> int:
    """Send the expiry reminders due on `today`; return how many card reminders
    were recorded (a card in one company e-mail counts once per window)."""
    recorded = 0
    for days, fewest in WINDOWS:
        rows = (
            _due_cards(today=today, days=days, fewest=fewest)
            .order_by("employer_orgnr", "pk")
            .values_list("employer_orgnr", "pk")
        )
        for chunk in _company_chunks(rows.iterator(chunk_size=5000)):
            recorded += _remind_chunk(chunk, today=today, days=days, fewest=fewest)
    return recorded


def _remind_chunk(card_ids: list[int], *, today: dt.date, days: int, fewest: int) -> int:
    with transaction.atomic():
        # Lock, then re-decide from the locked rows (state may have moved on),
        # then drop cards a concurrent run reminded meanwhile (a new statement
        # sees what that run committed while we waited for the locks).
        cards = list(
            _due_cards(today=today, days=days, fewest=fewest)
            .filter(pk__in=card_ids)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        done = set(
            ExpiryReminder.objects.filter(card_id__in=card_ids, days=days).values_list(
                "card_id", flat=True
            )
        )
        cards = [c for c in cards if c.pk not in done]
        if not cards:
            return 0
        now = timezone.now()
        ExpiryReminder.objects.bulk_create(
            [
                ExpiryReminder(key=expiry_key(c.pk, days), card=c, days=days, created_at=now)
                for c in cards
            ],
            batch_size=500,
        )
        by_company: dict[str, list[Card]] = defaultdict(list)
        for card in cards:
            by_company[card.employer_orgnr].append(card)
        contacts = company_contact_emails(by_company)
        portal: list[PortalMessage] = []
        drafts: list[EmailDraft] = []
        for orgnr, company_cards in by_company.items():
            _company_messages(
                orgnr, company_cards, contacts.get(orgnr, ""), days, portal, drafts, now
            )
        portal_messages_post_many(portal)
        outbox_enqueue_many(drafts)
        return len(cards)


def _company_messages(orgnr, cards, contact_email, days, portal, drafts, now) -> None:
    employer_name = cards[-1].employer_name
    # The first card id of this batch: its ledger row is written only once, so
    # the key is unique to this batch and the same on a re-run of the same data.
    base = f"expiry:{orgnr}:{days}:{cards[0].pk}"
    subject, body = texts.cards_expiring(employer_name, orgnr, days, [card_line(c) for c in cards])
    portal.append(
        PortalMessage(key=base, orgnr=orgnr, subject=subject[:255], body=body, created_at=now)
    )
    contact, orderers = recipient_groups(contact_email, [(c.orderer_email, c) for c in cards])
    if contact:
        drafts.append(email_draft(key=f"{base}:contact", to=contact, subject=subject, body=body))
    for email, own in orderers.items():
        own_subject, own_body = texts.cards_expiring(
            employer_name, orgnr, days, [card_line(c) for c in own]
        )
        drafts.append(
            email_draft(
                key=f"{base}:{recipient_tag(email)}", to=email, subject=own_subject, body=own_body
            )
        )
