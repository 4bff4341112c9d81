"""The level-1 status cache (hmskort/api/statuscache.py): a card changed in the
database is answered as changed, at once, by a process that had it in memory.

These tests commit (transaction=True) on the real PostgreSQL: the change
notifications that keep the cache true are sent only on commit.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.db import connection

from hmskort.api import statuscache
from hmskort.api.fastlane import FastLane
from hmskort.api.models import ApiLevel
from hmskort.api.statuscache import StatusCache
from hmskort.api.tests.conftest import _user
from hmskort.api.tests.test_fastlane import Spy, call, environ
from hmskort.cards.models import ActorType, Card, CardState
from hmskort.cards.services.transitions import card_transition
from hmskort.cards.tests.factories import CardFactory

pg = pytest.mark.postgres


def wait_until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def cached(settings):
    settings.HMSKORT_API_STATUS_CACHE = True
    statuscache.stop()
    yield statuscache.cache
    statuscache.stop()


@pytest.fixture
def lane(cached, transactional_db):
    app = FastLane(Spy())
    user = _user(ApiLevel.LEVEL1, name="Porten AS")

    def status(number: str) -> dict:
        code, _headers, body = call(app, environ(f"/api/v1/cards/{number}", token=user.token))
        assert code in (200, 404), body
        return json.loads(body)

    def held(number: str) -> bool:
        """Look the card up until this process holds it (a read that overlapped any
        change notification, e.g. the card's own insert, is deliberately not kept)."""
        return wait_until(lambda: status(number) and number in statuscache.cache._rows, 5)

    status.held = held
    # The first look-up starts this process's listener; wait until it listens.
    status(CardFactory(active=True).card_number)
    assert wait_until(lambda: cached.live), "the LISTEN connection did not come up"
    return status


@pg
def test_repeated_look_ups_are_answered_from_memory(lane, cached):
    card = CardFactory(active=True)
    assert lane.held(card.card_number)
    first = lane(card.card_number)
    hits = cached.hits
    second = lane(card.card_number)
    assert cached.hits == hits + 1
    assert first["status"] == second["status"] == "valid"
    assert first["check_id"] != second["check_id"]  # every look-up is still its own check


@pg
def test_a_blocked_card_is_answered_as_blocked_right_after_the_commit(lane, cached):
    card = CardFactory(active=True)
    assert lane.held(card.card_number)
    assert lane(card.card_number)["status"] == "valid"
    card_transition(
        card=card, to_state=CardState.BLOCKED, reason_codes=["LOST"], actor_type=ActorType.USER
    )
    assert wait_until(lambda: card.card_number not in cached._rows, seconds=5)
    assert lane(card.card_number)["status"] != "valid"


@pg
def test_a_bulk_update_evicts_every_card_it_touched(lane, cached):
    """The nightly re-check writes many cards in one statement: more than one
    notification's worth (500 numbers each) must all be evicted."""
    cards = CardFactory.create_batch(1200, active=True)
    assert all(lane.held(c.card_number) for c in cards)
    Card.objects.filter(pk__in=[c.pk for c in cards]).update(state=CardState.INVALID)
    assert wait_until(lambda: not any(c.card_number in cached._rows for c in cards), seconds=10)
    assert lane(cards[-1].card_number)["status"] == "invalid"


@pg
def test_a_lost_listen_connection_empties_the_cache_and_comes_back(lane, cached):
    """Notifications sent while the connection is down are lost: nothing held
    before may be trusted afterwards."""
    card = CardFactory(active=True)
    assert lane.held(card.card_number)
    outages = cached.outages
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND (query = 'SELECT 1' OR query LIKE 'LISTEN %%')"
        )
    assert wait_until(lambda: cached.outages > outages, seconds=10)
    assert card.card_number not in cached._rows
    assert wait_until(lambda: cached.live, seconds=15)
    Card.objects.filter(pk=card.pk).update(state=CardState.BLOCKED)
    assert lane(card.card_number)["status"] != "valid"


def test_a_row_read_while_a_change_arrives_is_not_kept():
    """A read that raced a committed change may not put the old row back."""
    cache: StatusCache[str] = StatusCache()
    cache.set_live(True)

    def load_racing_a_change(number: str) -> str:
        cache.evict([number])  # the notification arrives while the query runs
        return "old row"

    assert cache.fetch("1234567890", load_racing_a_change) == "old row"
    assert "1234567890" not in cache._rows
    assert cache.fetch("1234567890", lambda n: "new row") == "new row"
    assert cache.fetch("1234567890", lambda n: "never read") == "new row"


def test_nothing_is_kept_while_not_listening_nor_unknown_numbers():
    cache: StatusCache[str] = StatusCache()
    assert cache.fetch("1", lambda n: "row") == "row"
    assert len(cache) == 0
    cache.set_live(True)
    assert cache.fetch("2", lambda n: None) is None
    assert len(cache) == 0


def test_rows_expire_and_the_size_is_bounded(monkeypatch):
    cache: StatusCache[str] = StatusCache(seconds=60, size=3)
    cache.set_live(True)
    clock = [1000.0]
    monkeypatch.setattr(statuscache.time, "monotonic", lambda: clock[0])
    cache.fetch("a", lambda n: "a1")
    clock[0] += 29
    assert cache.fetch("a", lambda n: "a2") == "a1"  # kept at least half the lifetime
    clock[0] += 32
    assert cache.fetch("a", lambda n: "a2") == "a2"  # and never past it
    for key in "bcd":
        cache.fetch(key, lambda n: n)
    assert len(cache) <= 3


def test_concurrent_readers_and_evictions_never_leave_a_stale_row():
    """Many threads read while another keeps changing the 'database'."""
    cache: StatusCache[int] = StatusCache()
    cache.set_live(True)
    database = {"n": 0}
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            database["n"] += 1  # commit ...
            cache.evict(["card"])  # ... then the notification

    def reader():
        for _ in range(20_000):
            cache.fetch("card", lambda n: database["n"])

    threads = [threading.Thread(target=reader) for _ in range(4)]
    w = threading.Thread(target=writer)
    w.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    w.join()
    held = cache._rows.get("card")
    assert held is None or held[0] == database["n"]
