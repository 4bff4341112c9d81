"""Celery tasks: thin wrappers around `checks.services` (dates travel as ISO strings)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from hmskort.checks import services


def _day(today: str | None) -> dt.date:
    return dt.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="checks.recheck_chunk", acks_late=True)
def recheck_chunk_task(run_id: int, id_from: int, id_to: int, today: str) -> dict:
    tally = services.recheck_chunk(run_id=run_id, id_from=id_from, id_to=id_to, today=_day(today))
    return {"checked": tally.checked, "changed": tally.changed}


@shared_task(name="checks.recheck_full")
def recheck_full_task(today: str | None = None) -> int:
    """The nightly full re-check: plans the run and fans its chunks out; returns the run id."""
    return services.recheck_full(today=_day(today)).pk


@shared_task(name="checks.recheck_incremental")
def recheck_incremental_task(today: str | None = None) -> int:
    return services.recheck_incremental(today=_day(today)).pk


@shared_task(name="checks.orders_process_pending")
def orders_process_pending_task(today: str | None = None) -> int:
    return services.orders_process_pending(today=_day(today)).pk


@shared_task(name="checks.cards_expire")
def cards_expire_task(today: str | None = None) -> int:
    return services.cards_expire(today=_day(today)).pk
