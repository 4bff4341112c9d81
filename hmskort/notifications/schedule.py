"""The notifications' Celery beat entries; merged into the app's beat_schedule by config.

from hmskort.notifications.schedule import BEAT_SCHEDULE as NOTIFICATIONS_BEAT
app.conf.beat_schedule = {**NOTIFICATIONS_BEAT, ...}
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Deliver the outbox every minute (each run drains what is due; retries back off).
    "notifications-outbox-deliver": {
        "task": "notifications.outbox_deliver",
        "schedule": 60.0,
        "options": {"expires": 55},  # a run that waited a minute is superseded by the next
    },
    # Expiry reminders once a day, after the nightly re-check (Europe/Oslo time).
    "notifications-expiry-reminders": {
        "task": "notifications.reminders_send_expiry",
        "schedule": crontab(hour=6, minute=15),
    },
    # D-number holders: a warning 14 days before the D-number's card would lapse.
    "notifications-reminders-send-dnumber": {
        "task": "notifications.reminders_send_dnumber",
        "schedule": crontab(hour=7, minute=10),
    },
}
