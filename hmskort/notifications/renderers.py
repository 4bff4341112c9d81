"""Attachments rendered at delivery time, by name.

An `OutboxAttachment` may name a renderer instead of holding bytes, so that an
expensive document is not produced inside the transaction that changes cards
(the bulk effectuation of thousands of orders) and a rendering bug delays an
e-mail (retried with backoff) instead of rolling back the card change. Only the
renderers registered here can run; the name is never imported as a path.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

TEMPORARY_CARD = "temporary_card_pdf"


def temporary_card_renderer() -> Callable | None:
    """`hmskort.production.temporary_card.temporary_card_pdf(card) -> bytes` if it exists."""
    try:
        module = importlib.import_module("hmskort.production.temporary_card")
    except ImportError:
        return None
    function = getattr(module, "temporary_card_pdf", None)
    return function if callable(function) else None


def _render_temporary_card(*, card_id: int) -> bytes:
    from hmskort.cards.models import Card

    function = temporary_card_renderer()
    if function is None:
        raise RuntimeError("hmskort.production.temporary_card.temporary_card_pdf is not available")
    return function(Card.objects.get(pk=card_id))


RENDERERS: dict[str, Callable[..., bytes]] = {TEMPORARY_CARD: _render_temporary_card}


def render(name: str, args: dict) -> bytes:
    try:
        renderer = RENDERERS[name]
    except KeyError:
        raise RuntimeError(f"unknown attachment renderer {name!r}") from None
    return renderer(**args)
