"""Bookkeeping of the register re-checks: runs, their chunk ledger, and the feed cursor.

Cards themselves change only through the card state machine
(`hmskort.cards.services.transitions.card_transition_bulk`); these tables
record what a run did and how far it got, so a killed run can be resumed
without doing any chunk twice.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecheckKind(models.TextChoices):
    FULL = "full", _("Full kontroll (alle kort)")
    INCREMENTAL = "incremental", _("Løpende kontroll (registerendringer)")
    PENDING = "pending", _("Ventende bestillinger")
    EXPIRY = "expiry", _("Utløp")


class RecheckRun(models.Model):
    """One run of a re-check job. `finished` is null while it runs (or after it was killed)."""

    kind = models.CharField(max_length=12, choices=RecheckKind.choices)
    today = models.DateField(help_text=_("Business day the rules were evaluated for"))
    started = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    cards_checked = models.PositiveIntegerField(default=0)
    cards_changed = models.PositiveIntegerField(default=0)
    # Incremental runs: the change-feed sequence numbers read (exclusive, inclusive].
    sequence_from = models.BigIntegerField(null=True, blank=True)
    sequence_to = models.BigIntegerField(null=True, blank=True)
    changes_read = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("kontrollkjøring")
        verbose_name_plural = _("kontrollkjøringer")
        indexes = [models.Index(fields=["kind", "today"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.today} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.finished is not None


class RecheckChunk(models.Model):
    """The chunk ledger of a full run: one row per card-id range (inclusive bounds).

    A chunk's card changes and its `finished` mark commit in one transaction,
    so after a crash a chunk is either entirely done or not done at all.
    """

    run = models.ForeignKey(RecheckRun, on_delete=models.CASCADE, related_name="chunks")
    id_from = models.BigIntegerField()
    id_to = models.BigIntegerField()
    finished = models.DateTimeField(null=True, blank=True)
    cards_checked = models.PositiveIntegerField(default=0)
    cards_changed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("kontrolldel")
        verbose_name_plural = _("kontrolldeler")
        constraints = [
            models.UniqueConstraint(fields=["run", "id_from"], name="one_chunk_per_range_start")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} cards {self.id_from}-{self.id_to}"


class FeedCursor(models.Model):
    """How far a consumer has read the registers' change feed (RegisterChange.sequence).

    Every change up to `sequence` has been processed, except the open `gaps`:
    sequence numbers below it that were not visible when it was read. On
    PostgreSQL a sequence number is taken when a change is written and becomes
    visible when its transaction commits, so a lower number can appear after a
    higher one was read; the consumer reads the gaps again until they fill or
    time out (a rolled-back transaction leaves a gap that never fills).
    """

    name = models.CharField(max_length=40, primary_key=True)
    sequence = models.BigIntegerField(default=0)
    # [[low, high, first seen (ISO 8601)], ...]: inclusive ranges of sequence numbers.
    gaps = models.JSONField(default=list, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("endringsmarkør")
        verbose_name_plural = _("endringsmarkører")

    def __str__(self) -> str:
        return f"{self.name} @ {self.sequence}"
