"""The caseworker queue: everything a person at the scheme's office must decide.

One table for every kind of case (photo/ID review, orders stuck on a register
exception, NACE justifications, corrections asked for by a card holder...), so
a caseworker works one queue. Each kind's owner app opens cases through
`hmskort.casework.services.case_open` and hears the decision through the
`case_decided` signal.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    DOCUMENT_REVIEW = "document_review", _("Kontroll av bilde og ID")
    STUCK_ORDER = "stuck_order", _("Bestilling som står fast")
    NACE_JUSTIFICATION = "nace_justification", _("Begrunnelse for bransje utenfor næringskode")
    CORRECTION = "correction", _("Krav om retting av personopplysninger")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Åpen")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avvist")
    CLOSED = "closed", _("Lukket")  # no longer needed (e.g. the order was cancelled)


class Case(models.Model):
    kind = models.CharField(_("type"), max_length=30, choices=CaseKind.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    # What the case is about; a kind uses what it needs.
    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True, db_index=True)
    subject_id = models.CharField(_("fødselsnummer / D-nummer"), max_length=11, blank=True)
    card_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)  # e.g. portal.uploadset
    object_id = models.CharField(max_length=60, blank=True)
    title = models.CharField(_("tittel"), max_length=255)
    details = models.JSONField(default=dict, blank=True)
    opened_by = models.CharField(max_length=150, blank=True)
    opened_at = models.DateTimeField(_("opprettet"), auto_now_add=True, db_index=True)
    # Decision
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("begrunnelse (kode)"), max_length=40, blank=True)
    decision_note = models.TextField(_("merknad"), blank=True)

    class Meta:
        verbose_name = _("sak")
        verbose_name_plural = _("saker")
        permissions = [("work_cases", _("Kan behandle saker i saksbehandlerkøen"))]
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["status", "kind", "opened_at"])]
        constraints = [
            # At most one open case per kind and object: re-opening is idempotent.
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id"],
                condition=models.Q(status="open"),
                name="casework_one_open_case_per_object",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
