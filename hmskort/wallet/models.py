"""The worker's own requests and messages.

- `CorrectionRequest`: the right to rectification (personopplysningsloven): the
  worker says what is wrong; a caseworker case (CaseKind.CORRECTION) carries the
  decision, and the request mirrors its outcome for the worker's "My data" page.
- `WorkerNotice`: a message to one person (the company portal's messages are
  per company; a worker has no company portal). Idempotent by `key`.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class CorrectionTopic(models.TextChoices):
    NAME = "name", _("Navn eller personopplysninger")
    EMPLOYMENT = "employment", _("Arbeidsforhold eller arbeidsgiver")
    CARD = "card", _("Et HMS-kort eller kortets status")
    PHOTO = "photo", _("Bilde eller ID-dokument")
    LOOKUPS = "lookups", _("Oppslag eller logg")
    OTHER = "other", _("Annet")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Til behandling")
    APPROVED = "approved", _("Rettet")
    REJECTED = "rejected", _("Avslått")
    CLOSED = "closed", _("Avsluttet")


class CorrectionRequest(models.Model):
    # Idempotency: the form carries a fresh key; sending it twice makes one request.
    request_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pid = models.CharField(_("fødselsnummer / D-nummer"), max_length=11, db_index=True)
    topic = models.CharField(_("hva gjelder det"), max_length=20, choices=CorrectionTopic.choices)
    what_is_wrong = models.CharField(_("hva er feil"), max_length=500)
    correction = models.TextField(_("hva som er riktig"), max_length=4000)
    email = models.EmailField(_("e-post for svar"), blank=True)
    language = models.CharField(max_length=8, blank=True)  # the page's language when sent
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("krav om retting")
        verbose_name_plural = _("krav om retting")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.get_status_display()})"


class WorkerNotice(models.Model):
    key = models.CharField(max_length=255, unique=True)
    pid = models.CharField(max_length=11, db_index=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("melding til kortholder")
        verbose_name_plural = _("meldinger til kortholder")
        ordering = ["-created_at", "-id"]
