"""Live QR tokens of the digital card: valid only inside their own short window."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from hmskort.cards.qr import (
    LIVE_GRACE_SECONDS,
    LIVE_WINDOW_SECONDS,
    card_from_live_qr_token,
    card_from_qr_token,
    card_live_qr_token,
    live_window_start,
)
from hmskort.cards.tests.factories import CardFactory
from hmskort.core.signing import TokenExpired, TokenInvalid

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2026, 11, 23, 6, 45, 10, tzinfo=OSLO)


def later(seconds: int) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


def test_a_live_token_works_in_its_window_and_is_refused_a_minute_later():
    card = CardFactory(active=True)
    token = card_live_qr_token(card, now=NOW)
    assert card_from_live_qr_token(token, now=NOW)[0] == card.card_number
    window_end = live_window_start(NOW) + LIVE_WINDOW_SECONDS
    last_ok = dt.datetime.fromtimestamp(window_end + LIVE_GRACE_SECONDS - 1, tz=OSLO)
    assert card_from_live_qr_token(token, now=last_ok)[0] == card.card_number
    with pytest.raises(TokenExpired):
        card_from_live_qr_token(token, now=later(60))


def test_a_token_issued_ahead_is_refused_before_its_window():
    card = CardFactory(active=True)
    start = live_window_start(NOW) + 10 * LIVE_WINDOW_SECONDS  # five minutes ahead
    token = card_live_qr_token(card, window_start=start, now=NOW)
    with pytest.raises(TokenInvalid):
        card_from_live_qr_token(token, now=NOW)
    at_start = dt.datetime.fromtimestamp(start, tz=OSLO)
    assert card_from_live_qr_token(token, now=at_start)[0] == card.card_number


def test_live_and_printed_tokens_are_not_interchangeable():
    card = CardFactory(active=True)
    live = card_live_qr_token(card, now=NOW)
    with pytest.raises(TokenInvalid):
        card_from_qr_token(live, now=NOW)


def test_window_start_must_be_a_boundary():
    with pytest.raises(ValueError):
        card_live_qr_token(CardFactory(active=True), window_start=live_window_start(NOW) + 1)
