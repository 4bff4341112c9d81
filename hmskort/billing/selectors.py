"""Reads for billing."""

from __future__ import annotations

from django.db.models import QuerySet

from hmskort.billing.models import Invoice


def invoices_for_company(orgnr: str) -> QuerySet[Invoice]:
    return Invoice.objects.filter(orgnr=orgnr).select_related("dispatch").order_by("-number")


def invoice_get(orgnr: str, number: int) -> Invoice | None:
    """The company's invoice or credit note with `number` (None for another company's)."""
    return (
        Invoice.objects.filter(orgnr=orgnr, number=number)
        .select_related("dispatch", "credited_invoice")
        .prefetch_related("lines")
        .first()
    )
