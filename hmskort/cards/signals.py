"""Events the card state machine emits.

`card_state_changed` is sent once per state change, after the transaction that
made it has committed (`transaction.on_commit`), so a listener never sees a
change that was rolled back. Keyword arguments:

    card_id, card_number, from_state, to_state, reason_codes (list[str]),
    actor_type, actor, at (datetime), history_id

`card_state_changing` is sent inside that transaction, after the history rows
are written: once per `card_transition` / `card_insert`, once per chunk of
`card_transition_bulk`, with plain `send`, so a receiver's exception rolls the
change back. For listeners whose writes must commit with the change (the
outbox). One keyword argument, `events`: a list of dicts, each the
`card_state_changed` keyword arguments above plus "card" (the changed Card).

Listeners (outbox, webhooks, access-control feeds) connect in their own app's
`AppConfig.ready()`. The durable record is `CardStatusHistory` (by increasing
id); the signal is a prompt to act on it, not the record itself.
"""

from __future__ import annotations

from django.dispatch import Signal

card_state_changed = Signal()
card_state_changing = Signal()
