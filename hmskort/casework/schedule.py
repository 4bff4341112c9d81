"""The beat schedule of the caseworker queue; config/settings.py merges it:

    from hmskort.casework.schedule import BEAT_SCHEDULE as _CASEWORK_BEAT  # noqa: E402

Times are Europe/Oslo (CELERY_TIMEZONE).
"""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Orders pending on the registers for more than HMSKORT_STUCK_ORDER_DAYS days
    # become STUCK_ORDER cases (after the morning's order processing).
    "casework-stuck-orders-sync": {
        "task": "casework.stuck_orders_sync",
        "schedule": crontab(hour="6-18", minute=40),
    },
}
