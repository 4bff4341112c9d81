"""Cards, their status history, and the states a card moves through.

A card belongs to one employment: one employer (organisation number) and one
person (fødselsnummer or D-nummer). Register records are referred to by their
public identifiers, not by foreign keys, because the registers sit behind
ports and may be remote.

Every state change goes through `hmskort.cards.services.transitions`; nothing
else writes `Card.state` or `CardStatusHistory`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CardState(models.TextChoices):
    PENDING = "pending", _("Bestilt – venter")
    REJECTED = "rejected", _("Avslått")
    CANCELLED = "cancelled", _("Kansellert")
    IN_PRODUCTION = "in_production", _("Gyldig – i produksjon")
    ACTIVE = "active", _("Gyldig")
    INVALID = "invalid", _("Ugyldig")
    EXPIRED = "expired", _("Utløpt")
    BLOCKED = "blocked", _("Sperret")
    RETURNED = "returned", _("Levert tilbake og makulert")
    CONFISCATED = "confiscated", _("Inndratt")


class BlockReason(models.TextChoices):
    LOST = "lost", _("Tapt")
    STOLEN = "stolen", _("Stjålet")


class Card(models.Model):
    card_number = models.CharField(max_length=12, unique=True)
    card_type = models.CharField(max_length=4, db_index=True)  # industry code: BA, RH, BP, ...
    employer_orgnr = models.CharField(max_length=9, db_index=True)
    holder_id = models.CharField(max_length=11, db_index=True)  # fødselsnummer / D-nummer
    # What the card carries, as it was when issued (names come from the registers).
    holder_name = models.CharField(max_length=255)
    employer_name = models.CharField(max_length=255)

    state = models.CharField(max_length=16, choices=CardState.choices, default=CardState.PENDING)
    # The reason codes behind the current state (pending / invalid / rejected ...),
    # from the eligibility reason catalogue.
    reason_codes = models.JSONField(default=list, blank=True)
    state_changed_at = models.DateTimeField()

    issue_date = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, db_index=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    block_reason = models.CharField(max_length=8, choices=BlockReason.choices, blank=True)
    # A card ordered to renew (last month of validity) or replace a blocked card.
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    ordered_by = models.CharField(max_length=150, blank=True)
    # Where messages about this card go (order receipt, rejection, expiry reminders).
    orderer_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("HMS-kort")
        verbose_name_plural = _("HMS-kort")
        indexes = [
            models.Index(fields=["employer_orgnr", "holder_id"]),
            models.Index(fields=["state"]),
            # Per-company counts by state and type (supplier check, risk list, statistics).
            models.Index(fields=["employer_orgnr", "state", "card_type"]),
        ]
        constraints = [
            # At most one open order per employment: two concurrent orders for the
            # same employer and person cannot both succeed.
            models.UniqueConstraint(
                fields=["employer_orgnr", "holder_id"],
                condition=models.Q(state="pending"),
                name="one_pending_card_per_employment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_type} {self.card_number}"


class ActorType(models.TextChoices):
    USER = "user", _("Bruker")
    STAFF = "staff", _("Saksbehandler")
    INSPECTOR = "inspector", _("Tilsynsmyndighet")
    JOB = "job", _("Automatisk jobb")
    API = "api", _("API-klient")
    SYSTEM = "system", _("System")


class AppendOnlyQuerySet(models.QuerySet):
    """Rows can be added (also in bulk), never changed or removed."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} is append-only")

    def delete(self):
        raise ValueError(f"{self.model.__name__} is append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ValueError(f"{self.model.__name__} is append-only")


class CardStatusHistory(models.Model):
    """Append-only: one row per state change. The inspector's timeline, the
    audit trail, and (by increasing id) the event feed for access control."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(db_index=True)
    from_state = models.CharField(max_length=16, choices=CardState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=CardState.choices)
    reason_codes = models.JSONField(default=list, blank=True)
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor = models.CharField(max_length=150, blank=True)  # username, job run id, client id
    note = models.TextField(blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("statushistorikk")
        verbose_name_plural = _("statushistorikk")
        ordering = ["card", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("CardStatusHistory is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("CardStatusHistory is append-only")
