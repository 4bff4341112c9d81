"""Verification: the keys that sign QR tokens (and, later, the digital card).

The private keys live in the database so every web and worker process signs
with the same active key; see `hmskort.core.signing` for how they are used.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """One Ed25519 key pair.

    Exactly one key is active (it signs). Rotating retires the active key: it
    stops signing but stays published in the JWKS until `published_until`, the
    moment every token it can have signed has expired (tokens never live longer
    than `HMSKORT_SIGNING_MAX_TOKEN_LIFETIME_DAYS`).
    """

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    published_until = models.DateTimeField(null=True, blank=True)
    # True for the one key that signs; the conditional unique constraint makes a
    # second concurrent "first use" fail instead of creating two active keys.
    is_active = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("signeringsnøkkel")
        verbose_name_plural = _("signeringsnøkler")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_signing_key",
            ),
        ]

    def __str__(self) -> str:
        return self.kid
