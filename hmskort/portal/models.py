"""The employer portal's own data: added employees, delivery addresses, invoice
preferences, the cart, orders and payments, and uploaded photos / ID documents.

Register records and cards are referred to by their public identifiers
(organisation number, fødselsnummer / D-nummer, card id), never by foreign keys
into the registers. A later refactor may move orders and uploads into their own
apps; nothing outside the portal reads these tables.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class AddedEmployee(models.Model):
    """A person the company added by fødselsnummer / D-nummer (name from Folkeregisteret)."""

    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, db_index=True)
    person_id = models.CharField(_("fødselsnummer / D-nummer"), max_length=11)
    name = models.CharField(_("navn"), max_length=255)
    added_by = models.CharField(_("lagt til av"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("ansatt lagt til")
        verbose_name_plural = _("ansatte lagt til")
        constraints = [
            models.UniqueConstraint(fields=["orgnr", "person_id"], name="portal_added_once")
        ]
        ordering = ["name", "person_id"]

    def __str__(self) -> str:
        return f"{self.orgnr} {self.name}"


class DeliveryAddress(models.Model):
    """A predefined address the company's cards can be sent to."""

    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, db_index=True)
    name = models.CharField(_("mottaker"), max_length=255)
    street = models.CharField(_("adresse"), max_length=255)
    postcode = models.CharField(_("postnummer"), max_length=4)
    city = models.CharField(_("poststed"), max_length=100)
    active = models.BooleanField(_("i bruk"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("leveringsadresse")
        verbose_name_plural = _("leveringsadresser")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}, {self.street}, {self.postcode} {self.city}"

    @property
    def one_line(self) -> str:
        return str(self)


class InvoiceChannel(models.TextChoices):
    POST = "post", _("Post")
    EMAIL = "email", _("E-post")
    EHF = "ehf", _("EHF (elektronisk faktura)")


class CompanySettings(models.Model):
    """The company's invoice preferences (how invoices are sent)."""

    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, unique=True)
    invoice_channel = models.CharField(
        _("fakturakanal"),
        max_length=8,
        choices=InvoiceChannel.choices,
        default=InvoiceChannel.EMAIL,
    )
    invoice_email = models.EmailField(_("e-post for faktura"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("virksomhetsinnstillinger")
        verbose_name_plural = _("virksomhetsinnstillinger")

    def __str__(self) -> str:
        return self.orgnr


class CartItem(models.Model):
    """One card in the company's cart (one cart per company, shared by those who act for it)."""

    orgnr = models.CharField(max_length=9, db_index=True)
    person_id = models.CharField(max_length=11)
    holder_name = models.CharField(max_length=255)
    card_type = models.CharField(max_length=4)
    replaces_lost_card = models.BooleanField(default=False)
    # The self-declaration (AML § 14-6 written contract and lawful pay) [003 §7.2.1].
    declaration = models.BooleanField(default=False)
    card_holders = models.PositiveSmallIntegerField(default=0)
    delivery_address = models.ForeignKey(
        DeliveryAddress, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Why the company needs this card type although its NACE codes do not fit
    # it (kept here as typed, so nothing is lost before checkout succeeds).
    nace_justification = models.TextField(blank=True, default="")
    added_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["orgnr", "person_id"], name="portal_cart_once")
        ]
        ordering = ["holder_name", "id"]


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Betalingskort")
    VIPPS = "vipps", _("Vipps")
    INVOICE = "invoice", _("Faktura")
    MONTHLY_INVOICE = "monthly_invoice", _("Månedlig samlefaktura (30 dager)")


ONLINE_METHODS = frozenset({PaymentMethod.CARD, PaymentMethod.VIPPS})


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Venter på betaling")
    PLACED = "placed", _("Bestilt")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Ikke betalt")
    PAID = "paid", _("Betalt")
    INVOICED = "invoiced", _("Fakturert")
    MONTHLY = "monthly", _("På månedlig samlefaktura")


class Order(models.Model):
    """One order: one company, one delivery address, one payment."""

    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, db_index=True)
    company_name = models.CharField(max_length=255)
    reference = models.CharField(_("ordrenummer"), max_length=20, unique=True)
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    payment_status = models.CharField(max_length=10, choices=PaymentStatus.choices)
    invoice_channel = models.CharField(max_length=8, choices=InvoiceChannel.choices, blank=True)
    # The delivery address as it was when ordered (one envelope per order).
    delivery_address = models.ForeignKey(
        DeliveryAddress, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_text = models.TextField(_("leveringsadresse"))
    orderer_pid = models.CharField(max_length=11)
    orderer_email = models.EmailField(_("e-post for ordrebekreftelse"))
    total_excl_vat = models.DecimalField(max_digits=12, decimal_places=2)
    vat = models.DecimalField(max_digits=12, decimal_places=2)
    total_incl_vat = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    invoice_due = models.DateField(null=True, blank=True)
    # The industry declarations the orderer confirmed for this order, by card
    # type (e.g. VT: goods for payment, within the weight limit), with the text
    # as shown: {"VT": {"text": "...", "confirmed_by": pid, "confirmed_at": iso}}.
    # Shown to inspectors with the card.
    industry_declarations = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ordre")
        verbose_name_plural = _("ordrer")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["orgnr", "-created_at"])]

    def __str__(self) -> str:
        return self.reference

    def declaration_for(self, card_type: str) -> dict | None:
        return (self.industry_declarations or {}).get(card_type)


class OrderLineStatus(models.TextChoices):
    WAITING = "waiting", _("Venter på betaling")
    ORDERED = "ordered", _("Kort bestilt")
    REFUSED = "refused", _("Ikke bestilt")


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    person_id = models.CharField(max_length=11)
    holder_name = models.CharField(max_length=255)
    card_type = models.CharField(max_length=4)
    replaces_lost_card = models.BooleanField(default=False)
    declaration = models.BooleanField(default=False)
    card_holders = models.PositiveSmallIntegerField(default=0)
    card_price = models.DecimalField(max_digits=10, decimal_places=2)
    card_holder_price = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=OrderLineStatus.choices)
    reason_codes = models.JSONField(default=list, blank=True)
    # Written justification for a card type outside the company's NACE codes
    # (goes to the caseworker queue; "" when the card type fits).
    nace_justification = models.TextField(blank=True, default="")
    card = models.OneToOneField(
        "cards.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="order_line"
    )

    class Meta:
        ordering = ["holder_name", "id"]


class PaymentAttempt(models.Model):
    """One attempt to pay an order through the (simulated) payment provider."""

    class Status(models.TextChoices):
        INITIATED = "initiated", _("Startet")
        APPROVED = "approved", _("Godkjent")
        DECLINED = "declined", _("Avvist")
        ABANDONED = "abandoned", _("Avbrutt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # What the provider says (set on its own pages) and whether we applied it.
    provider_status = models.CharField(max_length=10, choices=Status.choices, default="initiated")
    applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Pass")
    NATIONAL_ID = "national_id", _("Nasjonalt ID-kort")
    DRIVING_LICENCE = "driving_licence", _("Norsk førerkort (utstedt etter 1998)")
    RESIDENCE_CARD = "residence_card", _("Oppholdskort")
    TRAVEL_DOCUMENT = "travel_document", _("Annet reisedokument")


class UploadStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("Venter på kontroll")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avvist")


class RejectionReason(models.TextChoices):
    PHOTO_HEAD_COVERING = "photo_head_covering", _("Bildet: hodeplagg, eller øyne/ører skjult")
    PHOTO_NOT_FRONTAL = "photo_not_frontal", _("Bildet: ikke rett forfra eller ikke mot kamera")
    PHOTO_EXPRESSION = "photo_expression", _("Bildet: ikke nøytralt uttrykk eller åpen munn")
    PHOTO_GLASSES = "photo_glasses", _("Bildet: briller")
    PHOTO_BACKGROUND = "photo_background", _("Bildet: bakgrunn eller lys ujevn")
    PHOTO_QUALITY = "photo_quality", _("Bildet: uskarpt eller for lite")
    ID_NOT_VALID = "id_not_valid", _("ID: ikke gyldig ID (f.eks. bankkort)")
    ID_EXPIRY_UNREADABLE = "id_expiry_unreadable", _("ID: utløpsdato kan ikke leses")
    ID_MISMATCH = "id_mismatch", _("ID: stemmer ikke med personen")


class UploadSet(models.Model):
    """A photo and an ID document for one person in one company, and their review."""

    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, db_index=True)
    person_id = models.CharField(_("fødselsnummer / D-nummer"), max_length=11)
    holder_name = models.CharField(_("navn"), max_length=255, blank=True)
    # Paths relative to settings.PRIVATE_MEDIA_ROOT (never under a web root).
    photo_path = models.CharField(max_length=255)
    photo_content_type = models.CharField(max_length=40)
    id_document_path = models.CharField(max_length=255)
    id_document_content_type = models.CharField(max_length=40)
    document_type = models.CharField(_("dokumenttype"), max_length=20, choices=DocumentType.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=UploadStatus.choices,
        default=UploadStatus.PENDING_REVIEW,
    )
    reason = models.CharField(
        _("begrunnelse"), max_length=30, choices=RejectionReason.choices, blank=True
    )
    # What the automatic photo / ID checks found at upload (hmskort.photocheck):
    # {"photo": [finding codes], "id": [finding codes], "manual_review": [why], ...}.
    auto_findings = models.JSONField(default=dict, blank=True)
    uploaded_by = models.CharField(max_length=150, blank=True)  # pid, or "selvopplasting"
    # Who hears about the review (the orderer who asked for it).
    notify_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(_("lastet opp"), auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("bilde og ID")
        verbose_name_plural = _("bilder og ID")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["orgnr", "person_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.orgnr} {self.holder_name} ({self.get_status_display()})"


class UploadLink(models.Model):
    """A self-upload link sent to an employee; only the token's hash is stored."""

    orgnr = models.CharField(max_length=9, db_index=True)
    person_id = models.CharField(max_length=11)
    holder_name = models.CharField(max_length=255, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.CharField(max_length=150)
    notify_email = models.EmailField(blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
