"""The price list (configuration, not law): card prices per card type and add-ons.

Prices are excluding VAT, in NOK. A deployment overrides them with the setting
HMSKORT_PRICES = {"cards": {...}, "card_holder": "...", "vat_rate": "..."};
everything reads them through the functions here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CARD_PRICES: dict[str, Decimal] = {
    "BA": Decimal("107.50"),
    "RH": Decimal("147.00"),
    "BP": Decimal("107.50"),
}
CARD_HOLDER_PRICE = Decimal("39.00")
VAT_RATE = Decimal("0.25")

_CENT = Decimal("0.01")


def _override() -> dict:
    return getattr(settings, "HMSKORT_PRICES", None) or {}


def card_price(card_type: str) -> Decimal:
    prices = {
        **CARD_PRICES,
        **{k: Decimal(str(v)) for k, v in _override().get("cards", {}).items()},
    }
    return prices[card_type]


def card_holder_price() -> Decimal:
    return Decimal(str(_override().get("card_holder", CARD_HOLDER_PRICE)))


def vat_rate() -> Decimal:
    return Decimal(str(_override().get("vat_rate", VAT_RATE)))


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
