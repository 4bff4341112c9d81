"""The page a live QR code opens: like the printed card's QR page, and a copy
older than its window is refused with a clear message."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hmskort.cards.models import CardState
from hmskort.cards.qr import (
    LIVE_WINDOW_SECONDS,
    card_live_qr_token,
    card_qr_token,
    live_window_start,
)
from hmskort.cards.services.transitions import card_transition
from hmskort.receipts.models import CardCheck
from hmskort.receipts.services import checks_flush


def test_a_current_live_code_shows_status_company_and_holder_and_is_recorded(client, worker):
    card = worker.cards[0]
    response = client.get(f"/qr/live/{card_live_qr_token(card)}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="valid"' in html
    assert card.holder_name in html and card.employer_name in html
    assert "Kvittering for denne kontrollen" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store, private"
    checks_flush()
    assert CardCheck.objects.filter(card_number=card.card_number, channel="qr").count() == 1


def test_a_screenshot_older_than_its_window_is_refused_clearly(client, worker):
    card = worker.cards[0]
    old = timezone.now() - dt.timedelta(minutes=2)
    token = card_live_qr_token(card, window_start=live_window_start(old), now=old)
    response = client.get(f"/qr/live/{token}")
    assert response.status_code == 410
    html = response.content.decode()
    assert "QR-koden er utløpt – den kan være en kopi" in html
    assert "skjermbilde" in html
    assert card.holder_name not in html
    checks_flush()
    assert not CardCheck.objects.filter(card_number=card.card_number).exists()


def test_a_code_for_a_window_far_ahead_is_refused(client, worker):
    start = live_window_start(timezone.now()) + 10 * LIVE_WINDOW_SECONDS
    response = client.get(f"/qr/live/{card_live_qr_token(worker.cards[0], window_start=start)}")
    assert response.status_code == 400
    assert "ikke gyldig" in response.content.decode()


def test_a_printed_cards_token_is_not_a_live_code(client, worker):
    response = client.get(f"/qr/live/{card_qr_token(worker.cards[0])}")
    assert response.status_code == 400


def test_a_card_invalidated_after_the_code_was_made_shows_invalid(client, worker):
    card = worker.cards[0]
    token = card_live_qr_token(card)
    card_transition(card=card, to_state=CardState.BLOCKED, reason_codes=[], actor_type="user")
    response = client.get(f"/qr/live/{token}")
    html = response.content.decode()
    assert 'data-status="blocked"' in html
    assert "Sperret" in html
