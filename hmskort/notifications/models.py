"""The outbox, messages in the portal, company contacts and the reminder ledger.

Principle 4 (ARCHITECTURE.md): an e-mail is an `OutboxMessage` row written in
the same transaction as the change that caused it, and delivered afterwards by
`services.outbox_deliver` (a worker, with retries and backoff). Each message
has an idempotency key, unique in the table, so the same event can never
produce a second message.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxKind(models.TextChoices):
    EMAIL = "email", _("E-post")
    WEBHOOK = "webhook", _("Webhook")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Feilet")


class OutboxMessage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=8, choices=OutboxKind.choices, default=OutboxKind.EMAIL)
    # e.g. "card:<history_id>:rejected", "expiry:<orgnr>:60:<first card id>:<recipient hash>"
    key = models.CharField(_("idempotensnøkkel"), max_length=255, unique=True)
    to = models.JSONField(_("mottakere"), default=list)
    subject = models.CharField(_("emne"), max_length=255)
    body = models.TextField(_("tekst"))
    html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("forsøk"), default=0)
    next_attempt_at = models.DateTimeField(_("neste forsøk"), default=timezone.now)
    last_error = models.TextField(_("siste feil"), blank=True)
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)

    class Meta:
        verbose_name = _("utgående melding")
        verbose_name_plural = _("utgående meldinger")
        ordering = ["-created_at"]
        indexes = [
            # The deliverer's query: due pending messages, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"


class OutboxAttachment(models.Model):
    """A file sent with a message: stored bytes, a file path, or a named renderer
    (`renderers.RENDERERS`) run at delivery time, so expensive documents (the
    temporary card PDF) are not rendered inside the transaction that changes cards."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    content = models.BinaryField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    renderer = models.CharField(max_length=64, blank=True)
    render_args = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("vedlegg")
        verbose_name_plural = _("vedlegg")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class PortalMessage(models.Model):
    """A message shown in the company's portal: what was e-mailed appears here too."""

    key = models.CharField(_("idempotensnøkkel"), max_length=255, unique=True)
    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, db_index=True)
    # Whom in the company it is for (the orderer's user identifier); blank: the company.
    recipient = models.CharField(_("mottaker"), max_length=150, blank=True)
    subject = models.CharField(_("emne"), max_length=255)
    body = models.TextField(_("tekst"))
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now)
    read_at = models.DateTimeField(_("lest"), null=True, blank=True)

    class Meta:
        verbose_name = _("melding i portalen")
        verbose_name_plural = _("meldinger i portalen")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["orgnr", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.orgnr}: {self.subject}"


class CompanyContact(models.Model):
    """The company's contact person for HMS-kort (edited in the portal later)."""

    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, unique=True)
    email = models.EmailField(_("e-post"))
    name = models.CharField(_("navn"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("kontaktperson")
        verbose_name_plural = _("kontaktpersoner")

    def __str__(self) -> str:
        return f"{self.orgnr} {self.name} <{self.email}>"


class ExpiryReminder(models.Model):
    """Ledger: the expiry reminder `days` (60 / 30) before `card` expires was sent.

    Written in the same transaction as the reminder's outbox messages; its
    unique key ("expiry:<card_id>:<days>") makes every reminder go out once."""

    key = models.CharField(max_length=64, unique=True)
    card = models.ForeignKey("cards.Card", on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("utløpspåminnelse")
        verbose_name_plural = _("utløpspåminnelser")
        constraints = [
            models.UniqueConstraint(fields=["card", "days"], name="one_expiry_reminder_per_window")
        ]

    def __str__(self) -> str:
        return self.key
