"""Reads for identity."""

from __future__ import annotations

import datetime as dt

from hmskort.identity.models import Delegation


def delegations_for_company(orgnr: str, *, today: dt.date) -> list[Delegation]:
    """The company's delegations that are current or start later (not revoked, not ended)."""
    return list(
        Delegation.objects.filter(
            orgnr=orgnr, revoked_at__isnull=True, valid_to__gte=today
        ).order_by("valid_from", "delegate_name", "pk")
    )
