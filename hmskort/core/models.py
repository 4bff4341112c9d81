"""Cross-cutting records: the audit log of access to personal data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who looked at or changed personal data, when, and why.

    Append-only. Written for every staff (admin, inspector) and API access to
    fødselsnummer, birth date or photo, and for grants such as delegations.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_type = models.CharField(max_length=20)  # staff, inspector, api, user, job
    actor = models.CharField(max_length=150)  # username, client id
    action = models.CharField(max_length=40)  # view, list, search, change, grant, revoke ...
    object_type = models.CharField(max_length=60)  # e.g. registers.person, cards.card
    object_id = models.CharField(max_length=60, blank=True)
    # The person whose data was accessed (fødselsnummer/D-nummer), for the holder's own log.
    subject_id = models.CharField(max_length=11, blank=True, db_index=True)
    purpose = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("revisjonslogg")
        verbose_name_plural = _("revisjonslogg")
        ordering = ["-at"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("AuditEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("AuditEvent is append-only")
