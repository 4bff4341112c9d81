"""The events' Celery beat entries; config/settings.py merges them:

    from hmskort.events.schedule import BEAT_SCHEDULE as _EVENTS_BEAT

Both are safety nets: dispatch and delivery are also asked for right after the
commit that wrote an event (or a delivery). The delivery run picks up retries
whose backoff has passed.
"""

BEAT_SCHEDULE = {
    "events-dispatch": {
        "task": "events.dispatch",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "events-webhooks-deliver": {
        "task": "events.webhooks_deliver",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
}
