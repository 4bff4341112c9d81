"""Messages in the portal, company contacts, and `message_notify` (portal + e-mail).

What is e-mailed to a company also appears in its portal: both rows are written
in the caller's transaction, under the same idempotency key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from hmskort.core.errors import NotFound
from hmskort.notifications.models import CompanyContact, OutboxMessage, PortalMessage
from hmskort.notifications.services.outbox import (
    Attachment,
    normalize_recipients,
    outbox_enqueue_email,
)


@dataclass(frozen=True)
class NotifyResult:
    portal_message: PortalMessage | None  # None: the key was used before
    email: OutboxMessage | None  # None: no recipient, or the key was used before


def portal_message_post(
    *, key: str, orgnr: str, subject: str, body: str, recipient: str = ""
) -> PortalMessage | None:
    """Post a message to the company's portal; None if `key` was used before."""
    message = PortalMessage(
        key=key,
        orgnr=orgnr,
        recipient=recipient,
        subject=subject[:255],
        body=body,
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        if PortalMessage.objects.filter(key=key).exists():
            return None
        raise
    return message


def portal_messages_post_many(messages: Sequence[PortalMessage]) -> None:
    """Set-based `portal_message_post` (duplicates by key ignored)."""
    PortalMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)


def portal_message_mark_read(
    *, message_id: int, orgnr: str, at: dt.datetime | None = None
) -> PortalMessage:
    """Mark a company's message read (the first reading counts)."""
    with transaction.atomic():
        message = (
            PortalMessage.objects.select_for_update().filter(pk=message_id, orgnr=orgnr).first()
        )
        if message is None:
            raise NotFound("Meldingen finnes ikke (message not found).", code="message_not_found")
        if message.read_at is None:
            message.read_at = at or timezone.now()
            message.save(update_fields=["read_at"])
        return message


def message_notify(
    *,
    key: str,
    orgnr: str,
    to_emails: str | Iterable[str],
    subject: str,
    body: str,
    attachments: Iterable[Attachment | tuple] = (),
    recipient: str = "",
) -> NotifyResult:
    """Post `subject`/`body` to the company's portal and e-mail it to `to_emails`.

    Call it inside the transaction that causes the message. With no e-mail
    address the message is still posted in the portal. `key` makes it
    idempotent: the same key again writes nothing.
    """
    with transaction.atomic():
        portal = portal_message_post(
            key=key, orgnr=orgnr, subject=subject, body=body, recipient=recipient
        )
        email = None
        recipients = normalize_recipients(to_emails)
        if recipients:
            email = outbox_enqueue_email(
                key=key, to=recipients, subject=subject, body=body, attachments=attachments
            )
    return NotifyResult(portal_message=portal, email=email)


def company_contact_set(*, orgnr: str, email: str, name: str = "") -> CompanyContact:
    """Create or change the company's contact person for HMS-kort."""
    with transaction.atomic():
        contact, _ = CompanyContact.objects.select_for_update().get_or_create(
            orgnr=orgnr, defaults={"email": email, "name": name}
        )
        contact.email = email
        contact.name = name
        contact.full_clean()
        contact.save()
    return contact


def company_contact_emails(orgnrs: Iterable[str]) -> dict[str, str]:
    """orgnr -> the contact person's e-mail, for those companies that have one (one query)."""
    wanted = sorted(set(orgnrs))
    if not wanted:
        return {}
    return dict(
        CompanyContact.objects.filter(orgnr__in=wanted)
        .exclude(email="")
        .values_list("orgnr", "email")
    )
