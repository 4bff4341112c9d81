"""Check records, crew reports and abuse signals.

A `CardCheck` is one answer the product gave about one card: who asked (as far
as known, pseudonymously for the public), through which channel, and exactly
what was answered. Rows are written in bulk off the request path (see
`recorder`), so the primary key is the random check id minted at answer time:
a batch replayed after a crash inserts nothing twice.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PUBLIC = "public", _("Offentlig oppslag på kortnummer")
    QR = "qr", _("QR-skanning")
    API = "api", _("API nivå 1")
    API_QR = "api_qr", _("API nivå 1 – QR-kode")
    INSPECTOR = "inspector", _("Tilsynsmyndighet")
    GATE = "gate", _("Adgangskontroll")
    CREW = "crew", _("Mannskapskontroll")


#: The status recorded when no card has the (well-formed) number.
NOT_FOUND = "not_found"


class CrewReport(models.Model):
    """One signed report of a whole crew's cards; its lines are `CardCheck` rows."""

    report_id = models.UUIDField(primary_key=True)
    created_at = models.DateTimeField(db_index=True)
    via_api = models.BooleanField(default=False)
    api_client_id = models.BigIntegerField(null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    requester_org = models.CharField(max_length=255, blank=True)
    line_count = models.PositiveIntegerField()
    counts = models.JSONField(default=dict)  # status -> number of lines
    lines_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("mannskapsrapport")
        verbose_name_plural = _("mannskapsrapporter")

    def __str__(self) -> str:
        return f"{self.report_id} ({self.line_count})"


class CardCheck(models.Model):
    check_id = models.UUIDField(primary_key=True)
    checked_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    card_number = models.CharField(max_length=16)
    # What was answered: a public status ("valid", "expired", ...), a status
    # kind as the web pages show it ("valid", "invalid", "not_issued"), or "not_found".
    status = models.CharField(max_length=16)
    reason_codes = models.JSONField(default=list, blank=True)
    card_type = models.CharField(max_length=8, blank=True)
    employer_orgnr = models.CharField(max_length=9, blank=True)
    employer_name = models.CharField(max_length=255, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    # Only when the check itself showed it (QR scan, inspector); never for a public look-up.
    holder_name = models.CharField(max_length=255, blank=True)
    # Who asked. `source_key` is pseudonymous ("ip:<keyed hash>", "api:<client pk>").
    source_key = models.CharField(max_length=64, blank=True)
    api_client_id = models.BigIntegerField(null=True, blank=True)
    agency = models.CharField(max_length=64, blank=True)
    site_name = models.CharField(max_length=255, blank=True)
    report = models.ForeignKey(
        CrewReport,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,  # the partial index below: single look-ups never pay for it
    )
    line_no = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("kortkontroll")
        verbose_name_plural = _("kortkontroller")
        indexes = [
            models.Index(fields=["card_number", "checked_at"], name="receipts_card_time"),
            # Every look-up adds a row here, so every index is paid for on the hot
            # path's bulk writes: only crew-report lines carry a report.
            models.Index(
                fields=["report"],
                name="receipts_check_report",
                condition=models.Q(report__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_id} {self.card_number} {self.status}"


class AbuseKind(models.TextChoices):
    MANY_SOURCES = "many_sources", _("Samme kort slått opp fra mange kilder")
    ENUMERATION = "enumeration", _("Mange oppslag på kortnumre som ikke finnes")


class AbuseSignal(models.Model):
    """A pattern of look-ups a caseworker should look at."""

    kind = models.CharField(max_length=16, choices=AbuseKind.choices)
    card_number = models.CharField(max_length=16, blank=True)
    source_key = models.CharField(max_length=64, blank=True)
    api_client_id = models.BigIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField()
    window_seconds = models.PositiveIntegerField()
    created_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("misbrukssignal")
        verbose_name_plural = _("misbrukssignaler")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.card_number or self.source_key}"
