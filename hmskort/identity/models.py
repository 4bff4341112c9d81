"""Who a portal user is (their national identity number) and the delegations
(fullmakter) role holders give to employees."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PersonIdentity(models.Model):
    """The person behind a portal login: the `pid` claim of the ID token
    (fødselsnummer or D-nummer)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_identity"
    )
    pid = models.CharField(_("fødselsnummer"), max_length=11, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personidentitet")
        verbose_name_plural = _("personidentiteter")

    def __str__(self) -> str:
        return f"{self.pid[:6]}*****"


class Delegation(models.Model):
    """A role holder's personal authority for an employee to act for one company,
    from `valid_from` to `valid_to` (both inclusive), until revoked."""

    orgnr = models.CharField(_("organisasjonsnummer"), max_length=9, db_index=True)
    delegate_pid = models.CharField(_("fødselsnummer"), max_length=11, db_index=True)
    delegate_name = models.CharField(_("navn"), max_length=255)
    granted_by_pid = models.CharField(_("gitt av"), max_length=11)
    valid_from = models.DateField(_("fra og med"))
    valid_to = models.DateField(_("til og med"))
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    revoked_by_pid = models.CharField(_("trukket tilbake av"), max_length=11, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fullmakt")
        verbose_name_plural = _("fullmakter")
        ordering = ["orgnr", "valid_to", "delegate_name"]
        indexes = [models.Index(fields=["delegate_pid", "orgnr"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="delegation_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate_pid[:6]}***** -> {self.orgnr} ({self.valid_from}..{self.valid_to})"

    def is_current(self, today) -> bool:
        return self.revoked_at is None and self.valid_from <= today <= self.valid_to
