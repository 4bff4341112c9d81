"""Billing settings, with defaults for the demo (override in config/settings.py).

HMSKORT_INVOICE_SELLER = {...}          # the scheme operator that issues the invoices
HMSKORT_INVOICE_DAYS = 14               # due date of a single invoice
HMSKORT_MONTHLY_INVOICE_DAYS = 30       # due date of the monthly invoice
HMSKORT_PEPPOL_ACCESS_POINT = "hmskort.billing.peppol.SimulatedAccessPoint"
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

DEFAULT_SELLER = {
    # A synthetic organisation (valid check digits) standing in for the operator.
    "name": "HMS-kortordningen (demo)",
    "legal_name": "HMS-kortordningen AS (demo)",
    "orgnr": "921000006",
    "vat_registered": True,
    "street": "Postboks 4720 Torgarden",
    "postcode": "7468",
    "city": "TRONDHEIM",
    "country": "NO",
    "bank_account": "15031234007",
    "email": "faktura@hmskort.example",
    "phone": "73 00 00 00",
}


@dataclass(frozen=True)
class Seller:
    name: str
    legal_name: str
    orgnr: str
    vat_registered: bool
    street: str
    postcode: str
    city: str
    country: str
    bank_account: str
    email: str
    phone: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def seller() -> Seller:
    return Seller(**{**DEFAULT_SELLER, **getattr(settings, "HMSKORT_INVOICE_SELLER", {})})


def invoice_days() -> int:
    return int(getattr(settings, "HMSKORT_INVOICE_DAYS", 14))


def monthly_invoice_days() -> int:
    return int(getattr(settings, "HMSKORT_MONTHLY_INVOICE_DAYS", 30))


def access_point_path() -> str:
    return getattr(
        settings, "HMSKORT_PEPPOL_ACCESS_POINT", "hmskort.billing.peppol.SimulatedAccessPoint"
    )
