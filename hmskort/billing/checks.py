"""System check: every card type (`eligibility.industries.INDUSTRIES`) and the
card holder have a price today (a card type without one cannot be ordered).

A database check: `manage.py check --database default` runs it."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def prices_complete(app_configs=None, **kwargs):
    from hmskort.billing.models import CARD_HOLDER
    from hmskort.billing.pricing import prices_on
    from hmskort.eligibility.industries import INDUSTRIES

    try:
        known = prices_on()
    except DatabaseError:  # not migrated yet
        return []
    missing = sorted(code for code in [*INDUSTRIES, CARD_HOLDER] if code not in known)
    return [
        Warning(
            f"No price today for {code} in the price list (billing.Price).",
            hint="Add it in the Django admin under Fakturering › Prisliste.",
            id="billing.W001",
        )
        for code in missing
    ]
