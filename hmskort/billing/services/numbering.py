"""Gapless invoice numbers and KID numbers.

`invoice_number_next` takes the series' counter row with SELECT ... FOR UPDATE
and increments it inside the caller's transaction: concurrent issuers wait for
each other, and a transaction that rolls back gives its number back (the next
issuer gets the same number), so the numbers have no gaps and no duplicates.
"""

from __future__ import annotations

from django.db import transaction
from stdnum import luhn

from hmskort.billing.models import InvoiceCounter

SERIES = "faktura"
KID_DIGITS = 10  # 9 digits of the invoice number and a check digit


def invoice_number_next(series: str = SERIES) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice_number_next must run inside the issuing transaction")
    counter, _ = InvoiceCounter.objects.select_for_update().get_or_create(series=series)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def kid_for(number: int) -> str:
    """The KID (customer identification) of invoice `number`: the number padded
    to 9 digits and a mod-10 (Luhn) check digit, as Norwegian banks accept."""
    base = f"{number:0{KID_DIGITS - 1}d}"
    return base + luhn.calc_check_digit(base)


def kid_is_valid(kid: str) -> bool:
    return kid.isdigit() and 2 <= len(kid) <= 25 and luhn.is_valid(kid)
