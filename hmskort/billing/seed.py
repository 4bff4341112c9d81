"""The starting price list (the prices in force when it became data): excluding
VAT, NOK, VAT 25 %. Written by migration 0002, and again after `migrate` or
`flush` (post_migrate) when the price list is empty (a test database flushed
between tests, a fresh installation), never over prices staff have set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

VALID_FROM = dt.date(2000, 1, 1)
VAT = Decimal("0.25")
PRICES = {
    "BA": ("HMS-kort bygg og anlegg", Decimal("107.50")),
    "RH": ("HMS-kort renhold", Decimal("147.00")),
    "BP": ("HMS-kort bilpleie", Decimal("107.50")),
    # Goods transport (added as a card type alongside the price list).
    "VT": ("HMS-kort godstransport", Decimal("107.50")),
    "KORTHOLDER": ("Kortholder", Decimal("39.00")),
}
#: Any other card type known when the list is seeded gets the standard card price.
STANDARD_CARD_PRICE = Decimal("107.50")


def seed_prices(apps, using: str = "default") -> int:
    """Seed an empty price list (and the invoice counter); returns prices written."""
    from hmskort.eligibility.industries import INDUSTRIES

    Price = apps.get_model("billing", "Price")
    InvoiceCounter = apps.get_model("billing", "InvoiceCounter")
    InvoiceCounter.objects.using(using).get_or_create(series="faktura", defaults={"last_number": 0})
    if Price.objects.using(using).exists():
        return 0
    wanted = dict(PRICES)
    for code, industry in INDUSTRIES.items():
        wanted.setdefault(code, (f"HMS-kort {industry.name('nb')}", STANDARD_CARD_PRICE))
    Price.objects.using(using).bulk_create(
        [
            Price(
                code=code,
                name=name[:120],
                price_excl_vat=price,
                vat_rate=VAT,
                valid_from=VALID_FROM,
            )
            for code, (name, price) in wanted.items()
        ]
    )
    return len(wanted)


def seed_after_migrate(sender, app_config=None, apps=None, using="default", **kwargs) -> None:
    if app_config is None or app_config.label != "billing":
        return
    if apps is None:  # `flush` sends no migration state: the models as they are
        from django.apps import apps
    try:
        apps.get_model("billing", "Price")
    except LookupError:  # migrated backwards past the price list
        return
    seed_prices(apps, using)
