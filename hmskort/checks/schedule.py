"""The beat schedule of the re-checks; config/settings.py imports it:

    from hmskort.checks.schedule import CELERY_BEAT_SCHEDULE  # noqa: E402

Run exactly one beat process per installation (see docs/operations.md).
Times are Europe/Oslo (CELERY_TIMEZONE).
"""

from __future__ import annotations

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    # Cards past their last valid day become expired right after midnight.
    "checks-cards-expire": {
        "task": "checks.cards_expire",
        "schedule": crontab(hour=0, minute=5),
    },
    # Every issued card against every register, fanned out over the workers.
    "checks-recheck-full": {
        "task": "checks.recheck_full",
        "schedule": crontab(hour=2, minute=0),
    },
    # Cards touched by register changes, from the change feed, through the day.
    "checks-recheck-incremental": {
        "task": "checks.recheck_incremental",
        "schedule": crontab(minute="*/5"),
    },
    # Pending orders: effectuate, reject, or cancel after 20 days.
    "checks-orders-process-pending": {
        "task": "checks.orders_process_pending",
        "schedule": crontab(minute="2-59/15"),
    },
}
