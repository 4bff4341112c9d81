"""Billing's Celery beat entries; merged into CELERY_BEAT_SCHEDULE by config/settings.py:

from hmskort.billing.schedule import BEAT_SCHEDULE as _BILLING_BEAT

Times are Europe/Oslo (CELERY_TIMEZONE).
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # The monthly invoices of the month just ended, on the 1st in the morning.
    "billing-invoices-monthly": {
        "task": "billing.invoices_monthly",
        "schedule": crontab(day_of_month=1, hour=5, minute=30),
    },
    # EHF documents the access point did not take at once.
    "billing-ehf-send-pending": {
        "task": "billing.ehf_send_pending",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    # Credit notes for invoiced cards rejected or cancelled (the listener's safety net).
    "billing-credit-notes-sweep": {
        "task": "billing.credit_notes_sweep",
        "schedule": crontab(hour=3, minute=30),
    },
}
