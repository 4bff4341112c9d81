"""Billing: the price list, invoices and credit notes, and how they were sent.

Orders and companies are referred to by their ids / organisation numbers; an
invoice keeps a snapshot of seller and buyer as they were when it was issued
(an invoice never changes after it is issued; a credit note corrects it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hmskort.portal.models import InvoiceChannel

#: The product code of the add-on card holder (card types use their industry code).
CARD_HOLDER = "KORTHOLDER"


class Price(models.Model):
    """One price: a card type (industry code: BA, RH, BP, ...) or a product code,
    excluding VAT, with its VAT rate and the days it applies (valid_to inclusive;
    empty: until further notice). Periods of one code never overlap."""

    code = models.CharField(
        _("kode"),
        max_length=20,
        help_text=_("Korttype (bransjekode, f.eks. BA) eller produktkode (KORTHOLDER)."),
    )
    name = models.CharField(_("navn"), max_length=120)
    price_excl_vat = models.DecimalField(
        _("pris eks. mva"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    vat_rate = models.DecimalField(
        _("mva-sats"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Som desimaltall: 0.25 er 25 %."),
    )
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til og med"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pris")
        verbose_name_plural = _("prisliste")
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="billing_price_once"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="billing_price_period",
            ),
            models.CheckConstraint(condition=Q(vat_rate__lt=1), name="billing_vat_rate_fraction"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.price_excl_vat} ({self.valid_from})"

    def clean(self) -> None:
        self.code = (self.code or "").strip().upper()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Til-datoen kan ikke være før fra-datoen.")})
        if not self.valid_from:
            return
        end = self.valid_to or dt.date.max
        overlapping = Price.objects.filter(code=self.code).exclude(pk=self.pk)
        overlapping = overlapping.filter(valid_from__lte=end).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
        )
        if overlapping.exists():
            raise ValidationError(
                _("Det finnes allerede en pris for %(code)s i denne perioden.")
                % {"code": self.code}
            )

    @property
    def vat_percent(self) -> Decimal:
        return (self.vat_rate * 100).normalize()


class InvoiceCounter(models.Model):
    """The last number used in a series; locked (SELECT ... FOR UPDATE) by the
    transaction that issues the next number, so numbers are gapless."""

    series = models.CharField(max_length=20, primary_key=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.series}: {self.last_number}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Faktura")
    CREDIT_NOTE = "credit_note", _("Kreditnota")


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Utstedt")
    SENT = "sent", _("Sendt")
    PAID = "paid", _("Betalt")
    CREDITED = "credited", _("Kreditert")


class Invoice(models.Model):
    """An invoice or a credit note. `key` makes issuing idempotent: one invoice
    per order ("order:<id>"), per company and month ("monthly:<orgnr>:<yyyy-mm>"),
    one credit note per card ("credit:card:<id>")."""

    kind = models.CharField(_("type"), max_length=12, choices=InvoiceKind.choices)
    number = models.PositiveBigIntegerField(_("fakturanummer"), unique=True)
    key = models.CharField(max_length=80, unique=True)
    kid = models.CharField(_("KID"), max_length=25, unique=True)
    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, db_index=True)
    buyer = models.JSONField(_("kjøper"))  # name, orgnr, address lines, vat_registered
    seller = models.JSONField(_("selger"))
    issue_date = models.DateField(_("fakturadato"))
    due_date = models.DateField(_("forfallsdato"))
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="NOK")
    total_excl_vat = models.DecimalField(_("sum eks. mva"), max_digits=12, decimal_places=2)
    vat = models.DecimalField(_("mva"), max_digits=12, decimal_places=2)
    total_incl_vat = models.DecimalField(_("sum inkl. mva"), max_digits=12, decimal_places=2)
    channel = models.CharField(_("fakturakanal"), max_length=8, choices=InvoiceChannel.choices)
    email = models.EmailField(_("e-post for faktura"), blank=True)
    buyer_reference = models.CharField(_("deres referanse"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    credited_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("kreditert faktura"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("faktura")
        verbose_name_plural = _("fakturaer")
        ordering = ["-number"]
        indexes = [models.Index(fields=["orgnr", "-number"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=20)  # card type or product code
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)  # excl. VAT
    vat_rate = models.DecimalField(max_digits=4, decimal_places=3)
    amount = models.DecimalField(max_digits=12, decimal_places=2)  # quantity * unit_price
    order_id = models.BigIntegerField(null=True, blank=True)  # portal.Order
    order_reference = models.CharField(max_length=20, blank=True)
    order_line_id = models.BigIntegerField(null=True, blank=True)  # portal.OrderLine
    card_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="billing_line_position")
        ]


class InvoicedOrder(models.Model):
    """An order is on exactly one invoice (the database says so)."""

    order_id = models.BigIntegerField(unique=True)  # portal.Order
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="orders")


class DispatchStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    QUEUED = "queued", _("I utskriftskø")
    SENT = "sent", _("Sendt")
    PRINTED = "printed", _("Skrevet ut og sendt")
    FAILED = "failed", _("Feilet")


class InvoiceDispatch(models.Model):
    """How an invoice went (or goes) to the buyer: one row per invoice.

    E-mail: the message is in the notifications outbox (delivered with retries).
    Post: a letter in the print queue until staff mark it printed.
    EHF: the UBL document as sent to the Peppol access point, and its answer."""

    invoice = models.OneToOneField(Invoice, on_delete=models.CASCADE, related_name="dispatch")
    channel = models.CharField(max_length=8, choices=InvoiceChannel.choices)
    status = models.CharField(max_length=10, choices=DispatchStatus.choices)
    recipient = models.CharField(max_length=255, blank=True)  # e-mail, or 0192:orgnr
    document = models.TextField(blank=True)  # the EHF (UBL) XML
    message_id = models.CharField(max_length=100, blank=True)  # the access point's id
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("utsending")
        verbose_name_plural = _("utsendinger")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["channel", "status"])]

    def __str__(self) -> str:
        return f"{self.invoice} – {self.get_channel_display()} – {self.get_status_display()}"


class PostLetter(InvoiceDispatch):
    """The print queue (a view of the post dispatches) for the Django admin."""

    class Meta:
        proxy = True
        verbose_name = _("brev i utskriftskø")
        verbose_name_plural = _("utskriftskø (post)")


class SimulatedPeppolMessage(models.Model):
    """What the simulated Peppol access point received (stands in for the network)."""

    message_id = models.CharField(max_length=100, unique=True)
    sender = models.CharField(max_length=40)
    receiver = models.CharField(max_length=40)
    document_type = models.CharField(max_length=255)
    document = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Peppol-melding (simulert)")
        verbose_name_plural = _("Peppol-meldinger (simulert)")
        ordering = ["-received_at"]
