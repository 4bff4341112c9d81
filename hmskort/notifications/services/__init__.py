"""Services of the notifications app (the only place that writes its tables).

outbox_enqueue_email, outbox_enqueue_many, outbox_deliver, outbox_retry_now  (outbox.py)
message_notify, portal_message_post, portal_message_mark_read, company_contact_set (messages.py)
card_event_notify, card_events_notify                                         (card_events.py)
reminders_send_expiry                                                         (reminders.py)
"""

from hmskort.notifications.services.card_events import (
    CardEvent,
    card_event_notify,
    card_events_notify,
)
from hmskort.notifications.services.messages import (
    NotifyResult,
    company_contact_set,
    message_notify,
    portal_message_mark_read,
    portal_message_post,
)
from hmskort.notifications.services.outbox import (
    Attachment,
    outbox_deliver,
    outbox_enqueue_email,
    outbox_enqueue_many,
    outbox_retry_now,
)
from hmskort.notifications.services.reminders import reminders_send_expiry

__all__ = [
    "Attachment",
    "CardEvent",
    "NotifyResult",
    "card_event_notify",
    "card_events_notify",
    "company_contact_set",
    "message_notify",
    "outbox_deliver",
    "outbox_enqueue_email",
    "outbox_enqueue_many",
    "outbox_retry_now",
    "portal_message_mark_read",
    "portal_message_post",
    "reminders_send_expiry",
]
