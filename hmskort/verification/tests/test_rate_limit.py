"""Public look-ups are rate-limited per client so nobody can enumerate card numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hmskort.cards.tests.factories import CardFactory
from hmskort.verification import ratelimit
from hmskort.verification.ratelimit import rate_limit_hit

pytestmark = pytest.mark.django_db

URL = reverse("verification:status")


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, moved by the test (the windows are wall-clock based)."""
    now = {"t": 1_700_000_080.0}  # 40 s into a minute
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    return now


def test_the_default_limit_is_30_a_minute_then_429_with_retry_after(client, clock):
    card = CardFactory(active=True)
    for _ in range(30):
        assert client.get(URL, {"kortnummer": card.card_number}).status_code == 200
    response = client.get(URL, {"kortnummer": card.card_number})
    assert response.status_code == 429
    assert response["Retry-After"] == "21"  # the minute ends in 20 s (+1)
    html = response.content.decode()
    assert "For mange oppslag" in html and card.employer_name not in html

    # The next minute the client may look again.
    clock["t"] += 20
    assert client.get(URL, {"kortnummer": card.card_number}).status_code == 200


def test_the_hourly_limit_holds_across_minutes(client, clock, settings):
    settings.HMSKORT_RATE_LIMITS = {"status": [(5, 60), (8, 3600)]}
    card = CardFactory(active=True)
    statuses = []
    for minute in range(3):
        clock["t"] = 1_699_999_200.0 + minute * 60  # the start of an hour
        statuses += [
            client.get(URL, {"kortnummer": card.card_number}).status_code for _ in range(5)
        ]
    assert statuses.count(200) == 8 and statuses[-1] == 429
    clock["t"] = 1_699_999_200.0 + 3600
    assert client.get(URL, {"kortnummer": card.card_number}).status_code == 200


def test_clients_are_counted_separately(client, clock, settings):
    settings.HMSKORT_RATE_LIMITS = {"status": [(2, 60)]}
    card = CardFactory(active=True)
    for _ in range(2):
        client.get(URL, {"kortnummer": card.card_number}, REMOTE_ADDR="10.0.0.1")
    assert (
        client.get(URL, {"kortnummer": card.card_number}, REMOTE_ADDR="10.0.0.1").status_code == 429
    )
    assert (
        client.get(URL, {"kortnummer": card.card_number}, REMOTE_ADDR="10.0.0.2").status_code == 200
    )


def test_a_spoofed_forwarded_header_is_ignored_unless_a_proxy_is_trusted(client, clock, settings):
    settings.HMSKORT_RATE_LIMITS = {"status": [(1, 60)]}
    card = CardFactory(active=True)
    get = lambda ip: client.get(  # noqa: E731
        URL, {"kortnummer": card.card_number}, HTTP_X_FORWARDED_FOR=ip, REMOTE_ADDR="10.0.0.9"
    )
    assert get("1.1.1.1").status_code == 200
    assert get("2.2.2.2").status_code == 429  # same REMOTE_ADDR: the header changes nothing
    settings.HMSKORT_TRUSTED_PROXY_COUNT = 1
    assert get("3.3.3.3").status_code == 200  # behind one trusted proxy: the client is 3.3.3.3
    assert get("3.3.3.3").status_code == 429


def test_the_limited_htmx_answer_is_a_fragment_with_429(client, clock, settings):
    settings.HMSKORT_RATE_LIMITS = {"status": [(1, 60)]}
    card = CardFactory(active=True)
    client.get(URL, {"kortnummer": card.card_number})
    response = client.get(URL, {"kortnummer": card.card_number}, HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    assert "<html" not in response.content.decode()


def test_malformed_numbers_are_not_counted(client, clock, settings):
    settings.HMSKORT_RATE_LIMITS = {"status": [(1, 60)]}
    for _ in range(5):
        assert client.get(URL, {"kortnummer": "123"}).status_code == 200
    card = CardFactory(active=True)
    assert client.get(URL, {"kortnummer": card.card_number}).status_code == 200


def test_the_supplier_check_is_limited_too(client, clock, settings):
    settings.HMSKORT_RATE_LIMITS = {"supplier": [(1, 60)]}
    url = reverse("verification:supplier")
    assert client.get(url, {"orgnr": "974760673"}).status_code == 200
    assert client.get(url, {"orgnr": "974760673"}).status_code == 429


def test_rate_limit_hit_windows():
    limits = {"scope": [(2, 10)]}
    from django.test import override_settings

    with override_settings(HMSKORT_RATE_LIMITS=limits):
        assert rate_limit_hit(scope="scope", client="a", now=100.0).allowed
        assert rate_limit_hit(scope="scope", client="a", now=101.0).allowed
        blocked = rate_limit_hit(scope="scope", client="a", now=105.5)
        assert not blocked.allowed and blocked.retry_after == 5
        assert rate_limit_hit(scope="scope", client="a", now=110.0).allowed
