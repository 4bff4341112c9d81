"""The price list as the cart and checkout see it: card prices per card type and
the card holder add-on, excluding VAT, in NOK, and the VAT rate.

The prices are data (`hmskort.billing.models.Price`, edited by staff in the
Django admin under "Fakturering › Prisliste", seeded by a migration); this
module reads today's prices from there. A card type without a price raises
`hmskort.billing.pricing.PriceMissing` (a clear error, never a price of 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hmskort.billing import pricing
from hmskort.billing.pricing import PriceMissing  # noqa: F401  (re-exported for callers)

_CENT = Decimal("0.01")


def card_price(card_type: str) -> Decimal:
    """Today's price of a card of `card_type`, excluding VAT."""
    return pricing.price_get(card_type).price_excl_vat


def card_holder_price() -> Decimal:
    return pricing.card_holder_price_get().price_excl_vat


def vat_rate() -> Decimal:
    """Today's VAT rate of the cards and add-ons (all carry the standard rate)."""
    return pricing.common_vat_rate()


@dataclass(frozen=True)
class Totals:
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal


def totals(amounts_excl_vat: list[Decimal]) -> Totals:
    net = sum(amounts_excl_vat, Decimal("0")).quantize(_CENT, ROUND_HALF_UP)
    vat = (net * vat_rate()).quantize(_CENT, ROUND_HALF_UP)
    return Totals(excl_vat=net, vat=vat, incl_vat=net + vat)


def with_vat(amount: Decimal) -> Decimal:
    return (amount * (1 + vat_rate())).quantize(_CENT, ROUND_HALF_UP)
