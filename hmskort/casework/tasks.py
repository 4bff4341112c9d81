"""Celery tasks of the caseworker queue: thin wrappers around `casework.services`."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from hmskort.casework import services


@shared_task(name="casework.stuck_orders_sync")
def stuck_orders_sync_task(today: str | None = None) -> dict:
    """Open cases for orders stuck on the registers; close those no longer stuck."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    opened, closed = services.stuck_orders_sync(today=day)
    return {"opened": opened, "closed": closed}
