"""Billing listens to card state changes: an invoiced card that is rejected or
cancelled gets a credit note (after the change commits; the nightly sweep
catches anything this misses)."""

from __future__ import annotations

import logging

from django.utils import timezone

logger = logging.getLogger(__name__)


def on_card_state_changed(sender, *, card_id: int, to_state: str, **event) -> None:
    from hmskort.billing.services.invoices import CREDITED_STATES, credit_note_for_card

    if to_state not in CREDITED_STATES:
        return
    at = event.get("at")
    today = timezone.localdate(at) if at else timezone.localdate()
    credit_note_for_card(card_id=card_id, today=today)


def connect() -> None:
    from hmskort.cards.signals import card_state_changed

    card_state_changed.connect(on_card_state_changed, dispatch_uid="billing-credit-notes")
