"""Production batches: the hand-off of effectuated cards to the card producer.

A batch is a set of cards that were in production and not yet in a (live)
batch when `services.production_batch_create` ran. Its files (the batch JSON
and one print-ready card face per card, see README.md) live under
`settings.PRIVATE_MEDIA_ROOT / "production" / <batch id>/`.

A card is in at most one live batch (partial unique constraint on
`BatchItem.card`). An item is *withdrawn* when the producer finds the card no
longer in production (blocked, invalid ... before it was shipped); a withdrawn
card that is later re-activated to "in production" goes into a new batch.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hmskort.cards.models import Card

#: "Sent within 4 business days" [000, 001].
SHIPPING_BUSINESS_DAYS = 4


class BatchState(models.TextChoices):
    OPEN = "open", _("Klar for produsent")
    SENT = "sent", _("Mottatt av produsent")
    SHIPPED = "shipped", _("Sendt")


class ProductionBatch(models.Model):
    created_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=8, choices=BatchState.choices, default=BatchState.OPEN)
    card_count = models.PositiveIntegerField(default=0)
    # The last day the cards must be shipped: SHIPPING_BUSINESS_DAYS business days
    # after the batch was made (weekends and Norwegian public holidays skipped).
    due_date = models.DateField(db_index=True)
    # Path of the batch JSON, relative to PRIVATE_MEDIA_ROOT.
    file_path = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    shipped_count = models.PositiveIntegerField(default=0)
    withdrawn_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("produksjonsparti")
        verbose_name_plural = _("produksjonspartier")
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "due_date"])]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.card_count})"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Not shipped by its due date (or shipped after it)."""
        if self.shipped_at is not None:
            return timezone.localdate(self.shipped_at) > self.due_date
        return (today or timezone.localdate()) > self.due_date


class BatchItem(models.Model):
    batch = models.ForeignKey(ProductionBatch, on_delete=models.PROTECT, related_name="items")
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="production_items")
    # Path of the card face PDF, relative to PRIVATE_MEDIA_ROOT.
    face_path = models.CharField(max_length=255, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    # Set by the producer when the card was no longer in production.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_state = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("kort i produksjonsparti")
        verbose_name_plural = _("kort i produksjonsparti")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["card"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="production_card_in_one_live_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.card_id}"
