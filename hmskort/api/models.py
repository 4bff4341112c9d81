"""API clients, their applications for access, orders placed over the API, and
idempotency records.

A client is an OAuth2 application (django-oauth-toolkit) plus an `ApiClient`
row saying which level it has and, for level 2, the one company it acts for.
Clients exist only after a caseworker approves an `ApiClientApplication`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from hmskort.api.oauth_settings import SCOPE_LEVEL1, SCOPE_LEVEL2


class ApiLevel(models.TextChoices):
    LEVEL1 = "level1", _("Nivå 1 – statusoppslag")
    LEVEL2 = "level2", _("Nivå 2 – bestilling for egen virksomhet")


SCOPE_BY_LEVEL: dict[str, str] = {ApiLevel.LEVEL1: SCOPE_LEVEL1, ApiLevel.LEVEL2: SCOPE_LEVEL2}


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Venter på behandling")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avslått")


class ApiClient(models.Model):
    """An approved API client: its OAuth application, level and (level 2) company."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="hmskort_client"
    )
    level = models.CharField(max_length=8, choices=ApiLevel.choices)
    # Level 2: the one company the client acts for. Empty for level 1.
    orgnr = models.CharField(max_length=9, blank=True, db_index=True)
    organisation_name = models.CharField(max_length=255)
    approved_by = models.CharField(max_length=150)
    approved_at = models.DateTimeField()
    # A caseworker can withdraw access; tokens stop working within the token cache window.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API-klient")
        verbose_name_plural = _("API-klienter")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(level="level2") | ~models.Q(orgnr=""),
                name="api_level2_client_has_orgnr",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.get_level_display()})"

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def scope(self) -> str:
        return SCOPE_BY_LEVEL[self.level]


class ApiClientApplication(models.Model):
    """A company's application for API access, decided by a caseworker."""

    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9)
    organisation_name = models.CharField(_("virksomhet"), max_length=255)
    contact_name = models.CharField(_("kontaktperson"), max_length=255)
    contact_email = models.EmailField(_("e-post"))
    contact_phone = models.CharField(_("telefon"), max_length=32, blank=True)
    purpose = models.TextField(_("formål"))
    level = models.CharField(_("nivå"), max_length=8, choices=ApiLevel.choices)
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    client = models.OneToOneField(
        ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="source"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("søknad om API-tilgang")
        verbose_name_plural = _("søknader om API-tilgang")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.orgnr}) – {self.get_level_display()}"


class ApiCardOrder(models.Model):
    """A card ordered over API level 2, with the orderer's per-card
    self-declaration (AML § 14-6 written contract, lawful pay) [003 §7.2.1],
    the industry's order declaration where it has one (VT: goods for payment
    within the weight limit) and the written justification for a card type
    outside the company's NACE codes (its case is in the caseworker queue),
    as the portal's orders have them."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="orders")
    orgnr = models.CharField(max_length=9, db_index=True)
    card = models.OneToOneField("cards.Card", on_delete=models.PROTECT, related_name="api_order")
    employment_contract_declared = models.BooleanField()
    lawful_pay_declared = models.BooleanField()
    # {"card_type", "text" (nb, as shown), "text_en", "confirmed_by" (the client),
    # "confirmed_at" (ISO time)}; {} when the card type's industry has none.
    industry_declaration = models.JSONField(default=dict, blank=True)
    # Why the company needs this card type although its NACE codes do not fit it.
    nace_justification = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API-bestilling")
        verbose_name_plural = _("API-bestillinger")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(employment_contract_declared=True, lawful_pay_declared=True),
                name="api_order_declared",
            )
        ]

    def __str__(self) -> str:
        return f"API order {self.pk} ({self.orgnr})"

    @property
    def reference(self) -> str:
        """How the order is named to caseworkers and inspectors."""
        return f"API-{self.pk}"


class IdempotencyRecord(models.Model):
    """The stored answer to a POST with an Idempotency-Key, per client.

    A retry with the same key and body gets this answer again (nothing is done
    twice); the same key with another body is refused with 409.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotensnøkkel")
        verbose_name_plural = _("idempotensnøkler")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_key_unique")
        ]
