"""Connected in EventsConfig.ready(): card state changes -> the events outbox."""

from __future__ import annotations

from hmskort.events.services import card_events_record


def on_card_state_changing(sender, events, **kwargs) -> None:
    # Inside the card's transaction: an exception here rolls the change back,
    # so an event can never be lost while its change commits.
    card_events_record(events)
