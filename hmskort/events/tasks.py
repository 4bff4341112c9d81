"""Celery tasks: thin wrappers around the services (beat entries in schedule.py)."""

from __future__ import annotations

from celery import shared_task

from hmskort.events.services import events_dispatch_all, webhooks_deliver


@shared_task(name="events.dispatch", ignore_result=True)
def events_dispatch_task() -> int:
    """Give committed card events their feed position and fan them out to subscribers."""
    return events_dispatch_all()


@shared_task(name="events.webhooks_deliver", ignore_result=True)
def webhooks_deliver_task(batch: int = 200) -> int:
    """Send the due webhook deliveries; loops while full batches go out."""
    total = 0
    while True:
        sent = webhooks_deliver(batch=batch)
        total += sent
        if sent < batch:
            return total
