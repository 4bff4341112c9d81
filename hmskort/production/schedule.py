"""The production hand-off's Celery beat entries (merged in config/settings.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Effectuated cards go to the card producer in hourly batches on weekdays.
    "production-batch-create": {
        "task": "production.batch_create",
        "schedule": crontab(minute=10, hour="6-20", day_of_week="mon-fri"),
    },
    # The simulated producer reports what it shipped (a real producer calls back).
    "production-producer-process": {
        "task": "production.producer_process",
        "schedule": crontab(minute=30, hour=21),
    },
}
