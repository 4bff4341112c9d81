"""Card events for subscribers: the transactional outbox, the feed, webhooks.

`CardEvent` is written in the same transaction as the card's state change (one
row per `CardStatusHistory` row, bulk-inserted). The dispatcher (a Celery task)
then gives each committed event its feed position `seq` (gap-free and in
commit order: an event that commits late gets a later `seq`, so a client paging
with `after=` never skips one) and fans it out to the subscribers that cover the
card's company as `WebhookDelivery` rows, delivered with retries and backoff.
The event's payload never changes; only `seq`/`dispatched_at` are set, once.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

EVENT_TYPE_CARD_STATE = "card.state_changed"


class CardEvent(models.Model):
    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    # One event per history row: writing it twice is impossible.
    history_id = models.BigIntegerField(unique=True)
    card = models.ForeignKey("cards.Card", on_delete=models.PROTECT, related_name="+")
    card_number = models.CharField(max_length=12)
    card_type = models.CharField(max_length=4)
    employer_orgnr = models.CharField(max_length=9)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    # The public status after the change (`hmskort.cards.status.public_status`) and its reasons.
    status = models.CharField(max_length=16)
    reason_codes = models.JSONField(default=list)
    at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once by the dispatcher: the feed position, and when it was fanned out.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("korthendelse")
        verbose_name_plural = _("korthendelser")
        indexes = [
            models.Index(fields=["employer_orgnr", "seq"], name="card_event_feed"),
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="card_event_undispatched"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_number}: {self.from_state} -> {self.to_state}"

    def payload(self) -> dict:
        """The event as subscribers see it (webhook body and feed item): no personal data."""
        return {
            "id": str(self.event_id),
            "seq": self.seq,
            "type": EVENT_TYPE_CARD_STATE,
            "card_number": self.card_number,
            "card_type": self.card_type,
            "employer_orgnr": self.employer_orgnr,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "status": self.status,
            "valid": self.status == "valid",
            "reason_codes": list(self.reason_codes),
            "at": self.at.isoformat(),
        }


class Subscriber(models.Model):
    """A webhook subscriber (an access-control vendor, a site system).

    Scope: the cards of the companies in `orgnrs`, plus those of every company
    on the `sites` (as the site's company list stands when the event is
    dispatched). `api_client`, when set, also lets that API client read the same
    events from the feed (`GET /api/v1/events`).
    """

    name = models.CharField(_("navn"), max_length=200)
    url = models.URLField(_("mottaksadresse (URL)"), max_length=500)
    # The shared HMAC secret; shown once when created.
    secret = models.CharField(max_length=128)
    active = models.BooleanField(_("aktiv"), default=True)
    orgnrs = models.JSONField(_("virksomheter (orgnr)"), default=list, blank=True)
    sites = models.ManyToManyField("sites.Site", blank=True, related_name="subscribers")
    api_client = models.ForeignKey(
        "api.ApiClient",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_subscriptions",
    )
    owner_orgnr = models.CharField(max_length=9, blank=True)  # who registered it (portal)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook-abonnent")
        verbose_name_plural = _("webhook-abonnenter")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    DELIVERED = "delivered", _("Levert")
    FAILED = "failed", _("Gitt opp")


class WebhookDelivery(models.Model):
    event = models.ForeignKey(CardEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook-levering")
        verbose_name_plural = _("webhook-leveringer")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            )
        ]
