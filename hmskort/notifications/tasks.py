"""Celery tasks: thin wrappers around the services (the beat schedule is in schedule.py)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from hmskort.notifications.services import outbox_deliver, reminders_send_expiry
from hmskort.notifications.services.dnumber import reminders_send_dnumber_task  # noqa: F401 (registers the task)


@shared_task(name="notifications.outbox_deliver", ignore_result=True)
def outbox_deliver_task(batch: int = 500) -> int:
    """Send what is due; loops while full batches go out, so a backlog drains in one run."""
    total = 0
    while True:
        sent = outbox_deliver(batch=batch)
        total += sent
        if sent < batch:
            return total


@shared_task(name="notifications.reminders_send_expiry", ignore_result=True)
def reminders_send_expiry_task(today: str | None = None) -> int:
    day = timezone.localdate() if today is None else dt.date.fromisoformat(today)
    return reminders_send_expiry(today=day)
