"""Celery tasks: thin wrappers around `billing.services` (dates travel as ISO strings)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from hmskort.billing import services
from hmskort.billing.services.invoices import previous_month


def _day(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else timezone.localdate()


@shared_task(name="billing.invoices_monthly", acks_late=True)
def invoices_monthly_task(month: str | None = None, today: str | None = None) -> list[int]:
    """The monthly invoices of `month` (default: the month before today); returns
    the invoice numbers. Idempotent: safe to re-run (or to run twice at once)."""
    day = _day(today)
    first = _day(month) if month else previous_month(day)
    return [i.number for i in services.invoices_monthly_run(month=first, today=day)]


@shared_task(name="billing.ehf_send_pending", acks_late=True)
def ehf_send_pending_task() -> int:
    return services.ehf_send_pending()


@shared_task(name="billing.credit_notes_sweep", acks_late=True)
def credit_notes_sweep_task(today: str | None = None) -> list[int]:
    return [i.number for i in services.credit_notes_sweep(today=_day(today))]
