"""Card events -> messages, written inside the transaction that changes the card.

The card state machine sends `hmskort.cards.signals.card_state_changing` inside
its atomic block, after the history rows are written (see receivers.py); the
receiver calls `card_events_notify`. A message therefore commits together with
the card change that caused it, and a rolled-back change leaves no message.

What is sent:
- order rejected (pending -> rejected): to the orderer, the reason and what to do;
- order cancelled after 20 days (-> cancelled with ORDER_CANCELLED_TIMEOUT): to the orderer;
- order effectuated (pending -> in production): the receipt to the orderer, with the
  temporary card PDF attached when `hmskort.production.temporary_card` provides it;
- a valid card becomes invalid: to the company's contact person (all of the
  company's cards in this change) and to each orderer (their cards), one e-mail
  per recipient per transaction rather than one per card.
Each also goes into the company's portal. Keys: "card:<history_id>:<kind>" for
orders; "cards-invalid:<orgnr>:<first history id>[:<recipient>]" for invalid cards.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from hmskort.cards.models import Card, CardState
from hmskort.eligibility.reasons import ReasonCode
from hmskort.notifications import renderers, texts
from hmskort.notifications.models import PortalMessage
from hmskort.notifications.services.messages import (
    company_contact_emails,
    portal_messages_post_many,
)
from hmskort.notifications.services.outbox import (
    Attachment,
    EmailDraft,
    email_draft,
    normalize_recipients,
    outbox_enqueue_many,
)

S = CardState
VALID = frozenset({S.IN_PRODUCTION, S.ACTIVE})


class EventKind(StrEnum):
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EFFECTUATED = "effectuated"
    INVALID = "invalid"


@dataclass(frozen=True)
class CardEvent:
    card: Card
    from_state: str
    to_state: str
    reason_codes: tuple[str, ...]
    history_id: int

    @classmethod
    def from_signal(cls, event: Mapping) -> CardEvent:
        return cls(
            card=event["card"],
            from_state=str(event["from_state"] or ""),
            to_state=str(event["to_state"]),
            reason_codes=tuple(str(c) for c in event.get("reason_codes") or ()),
            history_id=int(event["history_id"]),
        )


def event_kind(from_state: str, to_state: str, reason_codes: Sequence[str]) -> EventKind | None:
    """Which message (if any) a state change causes."""
    if from_state == S.PENDING and to_state == S.REJECTED:
        return EventKind.REJECTED
    if to_state == S.CANCELLED and ReasonCode.ORDER_CANCELLED_TIMEOUT in reason_codes:
        return EventKind.CANCELLED  # a cancellation by the orderer is not e-mailed back
    if from_state == S.PENDING and to_state == S.IN_PRODUCTION:
        return EventKind.EFFECTUATED
    if from_state in VALID and to_state == S.INVALID:
        if ReasonCode.EMPLOYMENT_REMOVED_BY_INSPECTOR in reason_codes:
            # The inspector flow tells the employer itself, with the inspector's
            # note (hmskort.verification.services.inspector_employment_remove).
            return None
        return EventKind.INVALID
    return None


def card_line(card: Card, reason_codes: Sequence[str] = ()) -> texts.CardLine:
    return texts.CardLine(
        card_number=card.card_number,
        card_type=card.card_type,
        holder_name=card.holder_name,
        employer_name=card.employer_name,
        employer_orgnr=card.employer_orgnr,
        valid_until=card.valid_until,
        reason_codes=tuple(reason_codes),
    )


def recipient_tag(email: str) -> str:
    """A short, stable stand-in for an address in an idempotency key."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def card_event_notify(
    *,
    card: Card,
    from_state: str,
    to_state: str,
    reason_codes: Sequence[str],
    history_id: int,
) -> int:
    """Write the messages one card state change causes; call it inside the
    transaction that changes the card. Returns the number of e-mails queued
    (0 for changes nobody is told about). The same event twice writes nothing new."""
    return card_events_notify(
        events=[
            CardEvent(
                card=card,
                from_state=str(from_state or ""),
                to_state=str(to_state),
                reason_codes=tuple(str(c) for c in reason_codes),
                history_id=history_id,
            )
        ]
    )


def card_events_notify(*, events: Sequence[CardEvent]) -> int:
    """Set-based `card_event_notify` for a chunk of changes (a fixed number of
    queries however many cards changed). Returns the number of e-mails queued."""
    now = timezone.now()
    portal: list[PortalMessage] = []
    drafts: list[EmailDraft] = []
    invalid: dict[str, list[CardEvent]] = defaultdict(list)
    attach_temporary_card: bool | None = None
    for event in sorted(events, key=lambda e: e.history_id):
        kind = event_kind(event.from_state, event.to_state, event.reason_codes)
        if kind is None:
            continue
        if kind is EventKind.INVALID:
            invalid[event.card.employer_orgnr].append(event)
            continue
        card = event.card
        line = card_line(card, event.reason_codes)
        attachments: tuple[Attachment, ...] = ()
        if kind is EventKind.REJECTED:
            subject, body = texts.order_rejected(line)
        elif kind is EventKind.CANCELLED:
            subject, body = texts.order_cancelled(line)
        else:
            if attach_temporary_card is None:
                attach_temporary_card = renderers.temporary_card_renderer() is not None
            subject, body = texts.order_effectuated(
                line, temporary_card_attached=attach_temporary_card
            )
            if attach_temporary_card:
                attachments = (
                    Attachment(
                        filename=f"midlertidig-hms-kort-{card.card_number}.pdf",
                        content_type="application/pdf",
                        renderer=renderers.TEMPORARY_CARD,
                        render_args={"card_id": card.pk},
                    ),
                )
        key = f"card:{event.history_id}:{kind}"
        portal.append(_portal(key, card.employer_orgnr, card.ordered_by, subject, body, now))
        if normalize_recipients(card.orderer_email):
            drafts.append(
                email_draft(
                    key=key,
                    to=card.orderer_email,
                    subject=subject,
                    body=body,
                    attachments=attachments,
                )
            )
    if invalid:
        contacts = company_contact_emails(invalid)
        for orgnr, group in invalid.items():
            _invalid_messages(orgnr, group, contacts.get(orgnr, ""), portal, drafts, now)
    portal_messages_post_many(portal)
    outbox_enqueue_many(drafts)
    return len(drafts)


def _portal(key, orgnr, recipient, subject, body, now) -> PortalMessage:
    return PortalMessage(
        key=key, orgnr=orgnr, recipient=recipient, subject=subject[:255], body=body, created_at=now
    )


def _invalid_messages(
    orgnr: str,
    group: list[CardEvent],
    contact_email: str,
    portal: list[PortalMessage],
    drafts: list[EmailDraft],
    now,
) -> None:
    employer_name = group[-1].card.employer_name
    base = f"cards-invalid:{orgnr}:{group[0].history_id}"
    subject, body = texts.cards_invalid(
        employer_name, orgnr, [card_line(e.card, e.reason_codes) for e in group]
    )
    portal.append(_portal(base, orgnr, "", subject, body, now))
    contact, orderers = recipient_groups(contact_email, [(e.card.orderer_email, e) for e in group])
    if contact:
        # The contact person gets the company's message as posted in the portal.
        drafts.append(email_draft(key=f"{base}:contact", to=contact, subject=subject, body=body))
    for email, events in orderers.items():
        own_subject, own_body = texts.cards_invalid(
            employer_name, orgnr, [card_line(e.card, e.reason_codes) for e in events]
        )
        drafts.append(
            email_draft(
                key=f"{base}:{recipient_tag(email)}",
                to=email,
                subject=own_subject,
                body=own_body,
            )
        )


def recipient_groups(
    contact_email: str, items: Sequence[tuple[str, object]]
) -> tuple[str, dict[str, list]]:
    """(the contact's address or "", orderer address -> that orderer's items).

    The contact person is told about all items; each orderer about their own.
    An orderer who is also the contact is told once, as the contact."""
    contact = (normalize_recipients(contact_email) or ("",))[0]
    orderers: dict[str, list] = {}
    for address, item in items:
        normalized = normalize_recipients(address)
        if not normalized or normalized[0].lower() == contact.lower():
            continue
        orderers.setdefault(normalized[0].lower(), []).append(item)
    return contact, orderers
