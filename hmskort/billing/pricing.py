"""Reading the price list (`billing.models.Price`): what a card type or product
costs on a given day, excluding VAT, and its VAT rate.

A code with no price that day raises `PriceMissing` (never a silent 0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from hmskort.billing.models import CARD_HOLDER, Price
from hmskort.core.errors import ApplicationError

CENT = Decimal("0.01")
#: The standard VAT rate (merverdiavgiftsloven § 5-1); what the seeded prices carry.
STANDARD_VAT_RATE = Decimal("0.25")


class PriceMissing(ApplicationError):
    code = "price_missing"
    http_status = 409


@dataclass(frozen=True)
class PriceInfo:
    code: str
    name: str
    price_excl_vat: Decimal
    vat_rate: Decimal


def _day(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def prices_on(on: dt.date | None = None) -> dict[str, PriceInfo]:
    """Every price in force on the day (one query)."""
    day = _day(on)
    rows = Price.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    return {
        p.code: PriceInfo(
            code=p.code, name=p.name, price_excl_vat=p.price_excl_vat, vat_rate=p.vat_rate
        )
        for p in rows
    }


def price_get(code: str, on: dt.date | None = None) -> PriceInfo:
    code = (code or "").strip().upper()
    info = prices_on(on).get(code)
    if info is None:
        raise PriceMissing(
            gettext(
                "Prislisten har ingen pris for «%(code)s» (%(day)s). "
                "Kontakt HMS-kort, så legger vi den inn."
            )
            % {"code": code, "day": f"{_day(on):%d.%m.%Y}"},
            code="price_missing",
            extra={"code": code},
        )
    return info


def card_holder_price_get(on: dt.date | None = None) -> PriceInfo:
    return price_get(CARD_HOLDER, on)


def common_vat_rate(on: dt.date | None = None) -> Decimal:
    """The VAT rate all of the day's prices share (the standard rate if they differ
    or there are none: totals are then computed per line, see `billing.services`)."""
    rates = {p.vat_rate for p in prices_on(on).values()}
    return rates.pop() if len(rates) == 1 else STANDARD_VAT_RATE


def vat_of(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(CENT, ROUND_HALF_UP)
