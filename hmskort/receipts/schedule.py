"""Beat schedule; config/settings.py merges it into CELERY_BEAT_SCHEDULE."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Safety net behind each process's flusher thread: spools of processes that died.
    "receipts-flush": {"task": "receipts.flush", "schedule": 5.0},
    # Check records older than HMSKORT_CHECK_RETENTION_DAYS.
    "receipts-prune": {"task": "receipts.prune", "schedule": crontab(hour=3, minute=30)},
}
