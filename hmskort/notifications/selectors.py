"""Reads for the notifications app (the portal's message list, the outbox state)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from hmskort.notifications.models import (
    CompanyContact,
    OutboxMessage,
    OutboxStatus,
    PortalMessage,
)


def portal_messages_for_company(
    orgnr: str, *, recipient: str | None = None, unread_only: bool = False
) -> QuerySet[PortalMessage]:
    """The company's messages, newest first; with `recipient`, those for the
    company as a whole plus those for that person."""
    messages = PortalMessage.objects.filter(orgnr=orgnr)
    if recipient is not None:
        messages = messages.filter(recipient__in=["", recipient])
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return messages.order_by("-created_at", "-id")


def company_contact_get(orgnr: str) -> CompanyContact | None:
    return CompanyContact.objects.filter(orgnr=orgnr).first()


def outbox_counts() -> dict[str, int]:
    """Messages per status (for monitoring: failed > 0 needs a look)."""
    counts = {status: 0 for status in OutboxStatus.values}
    for row in OutboxMessage.objects.values("status").order_by().annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
