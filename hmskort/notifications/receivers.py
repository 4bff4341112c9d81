"""Connects the notifications to the card state machine's in-transaction hook.

Contract (hmskort/cards/signals.py, `card_state_changing`): sent with plain
`send` inside the atomic block that changes cards, after the history rows are
written, once per single transition and once per bulk chunk:

    card_state_changing.send(sender=Card, events=[{"card": <Card>, **event}, ...])

where each event holds the same keys as `card_state_changed` (card_id,
card_number, from_state, to_state, reason_codes, actor_type, actor, at,
history_id). A receiver's exception propagates and rolls the change back:
a card change and the messages it causes commit together or not at all.
"""

from __future__ import annotations

import logging

from hmskort.notifications.services.card_events import CardEvent, card_events_notify

logger = logging.getLogger(__name__)


def on_card_state_changing(sender, events, **kwargs) -> None:
    card_events_notify(events=[CardEvent.from_signal(event) for event in events])


def connect() -> bool:
    """Connect the receiver; False if the cards app does not send the hook yet."""
    from hmskort.cards import signals

    signal = getattr(signals, "card_state_changing", None)
    if signal is None:
        logger.warning(
            "hmskort.cards.signals.card_state_changing is missing: card events send no messages"
        )
        return False
    signal.connect(on_card_state_changing, dispatch_uid="notifications.card_state_changing")
    return True
