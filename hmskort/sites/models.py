"""Construction sites, the companies working there, gate readers and gate events.

A main contractor (the site owner, a company in the portal) registers a site and
the companies that work on it. Gate readers are API clients bound to one site;
they post check-in/check-out events and get admit/refuse back. Every decision is
a `GateEvent`: append-only, the one source of the crew list (oversiktsliste,
byggherreforskriften § 15) and of working hours. Nobody can edit a time.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hmskort.cards.models import AppendOnlyQuerySet

#: The longest anti-passback interval a site can set (a day).
MAX_ANTI_PASSBACK_MINUTES = 24 * 60


class Site(models.Model):
    owner_orgnr = models.CharField(_("hovedentreprenør (orgnr)"), max_length=9, db_index=True)
    owner_name = models.CharField(_("hovedentreprenør"), max_length=255)
    name = models.CharField(_("navn på byggeplassen"), max_length=200)
    address = models.CharField(_("adresse"), max_length=300)
    builder_name = models.CharField(_("byggherre"), max_length=255)
    builder_orgnr = models.CharField(_("byggherre (orgnr)"), max_length=9, blank=True)
    starts_on = models.DateField(_("fra dato"))
    ends_on = models.DateField(_("til dato"))
    # The industry whose card is required on the site (BA: bygg og anlegg).
    required_industry = models.CharField(_("påkrevd korttype"), max_length=4, default="BA")
    anti_passback_minutes = models.PositiveIntegerField(
        _("sperretid etter inngang (minutter)"),
        default=10,
        validators=[MaxValueValidator(MAX_ANTI_PASSBACK_MINUTES)],
    )
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("byggeplass")
        verbose_name_plural = _("byggeplasser")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="site_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner_name})"


class SiteCompany(models.Model):
    """A company working on the site (the owner is one too)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="companies")
    orgnr = models.CharField(max_length=9)
    name = models.CharField(max_length=255)
    added_by = models.CharField(max_length=150, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("virksomhet på byggeplassen")
        verbose_name_plural = _("virksomheter på byggeplassen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "orgnr"], name="site_company_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.orgnr})"


class GateReader(models.Model):
    """A gate reader: an API client (client credentials) bound to one site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="readers")
    api_client = models.OneToOneField(
        "api.ApiClient", on_delete=models.PROTECT, related_name="gate_reader"
    )
    name = models.CharField(_("navn"), max_length=100)
    active = models.BooleanField(default=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("portleser")
        verbose_name_plural = _("portlesere")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.site.name})"


class ChipCode(models.Model):
    """The chip (RFID) code of a physical card. Cards themselves carry no chip
    field; production or the site owner registers the mapping."""

    code = models.CharField(max_length=64, unique=True)  # normalised: upper-case hex
    card = models.ForeignKey("cards.Card", on_delete=models.PROTECT, related_name="+")
    registered_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("brikkekode")
        verbose_name_plural = _("brikkekoder")

    def __str__(self) -> str:
        return self.code


class Direction(models.TextChoices):
    IN = "in", _("Inn")
    OUT = "out", _("Ut")


class Method(models.TextChoices):
    CARD_NUMBER = "number", _("Kortnummer")
    QR = "qr", _("QR-kode på kortet")
    LIVE_QR = "live_qr", _("QR-kode i digitalt kort")
    CHIP = "chip", _("Brikke")


class GateEvent(models.Model):
    """Append-only: one row per decision at a gate (admitted or refused)."""

    # No single-column indexes on the foreign keys: the composite indexes below
    # cover every look-up, and each index costs the hot INSERT.
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", db_index=False)
    reader = models.ForeignKey(
        GateReader, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The reader's own id of the event: a retry with the same id gets the same answer.
    event_id = models.CharField(max_length=64)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    method = models.CharField(max_length=8, choices=Method.choices)
    at = models.DateTimeField()  # server time of the decision
    admitted = models.BooleanField()
    reason = models.CharField(max_length=32)
    card = models.ForeignKey(
        "cards.Card",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    card_number = models.CharField(max_length=12, blank=True)
    employer_orgnr = models.CharField(max_length=9, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("passering")
        verbose_name_plural = _("passeringer")
        constraints = [
            models.UniqueConstraint(fields=["reader", "event_id"], name="gate_event_idempotent")
        ]
        # The crew list and working hours read by site and time. Presence (inside
        # or not, the last entry) is kept in GatePresence, not searched for here.
        indexes = [models.Index(fields=["site", "at"], name="gate_event_site_at")]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("GateEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("GateEvent is append-only")


class GatePresence(models.Model):
    """Where a card stands on a site, from its admitted gate events: inside or not,
    and when it last entered (anti-passback). One row per (site, card).

    Derived state, never edited by hand: the statement that records a gate event
    decides it against this row and updates the row in the same statement
    (`hmskort.sites.gate`), so the two always agree. Migration 0002 built the rows
    from the events recorded before it; `GateEvent` stays the one record."""

    pk = models.CompositePrimaryKey("site", "card")
    # No foreign-key constraints or extra indexes: every row is written in the same
    # statement as a GateEvent for the same site and card (whose constraints hold),
    # and each would cost the hot statement a lookup.
    site = models.ForeignKey(
        Site, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    card = models.ForeignKey(
        "cards.Card",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    inside = models.BooleanField()
    last_in_at = models.DateTimeField(null=True)  # the last admitted entry
    last_reason = models.CharField(max_length=32)  # the reason of the last decision on it

    class Meta:
        verbose_name = _("tilstedeværelse")
        verbose_name_plural = _("tilstedeværelser")

    def __str__(self) -> str:
        return f"{self.site_id}/{self.card_id}: {'inne' if self.inside else 'ute'}"
