"""Card status rows held in each web process's memory, kept true by PostgreSQL.

The level-1 look-up (`GET /api/v1/cards/{n}`) is one indexed query; on a busy
server the query itself is cheap, but waiting for it (a database round trip,
then the interpreter lock again) is what stretches the tail of the latency.
Most look-ups are of the same cards again and again (the crew at a gate every
morning), so each process keeps the rows it has read.

Correctness comes from the database, not from a timer:

- Every insert, update and delete on the card table announces the card numbers
  it touched on the channel `hmskort_card_changed` (statement triggers, see
  hmskort/cards/migrations/0004_card_changed_notify.py). PostgreSQL delivers
  the notification when, and only when, the writing transaction commits.
- Each process holds one LISTEN connection (a daemon thread). A notification
  evicts the numbers it names. A row read while a notification was arriving is
  not kept (a generation counter, checked and stored under one lock), so a
  read that raced a commit can never put the old row back.
- The cache is used only while the LISTEN connection is up. When it is lost,
  the cache is emptied and bypassed until LISTEN is back (notifications sent
  meanwhile are gone, so nothing read before can be trusted). A heartbeat
  query every few seconds notices a silently dead connection.
- As a last safety net every row is dropped at most `HMSKORT_API_STATUS_CACHE_SECONDS`
  (60 s) after it was read (at a random point in the second half of that
  time, so the rows a fresh process loaded together are not all read again
  together), and the dict never holds more than
  `HMSKORT_API_STATUS_CACHE_SIZE` rows (it is emptied when full).

A card blocked, confiscated or invalidated by the nightly re-check is therefore
answered as such by every process within the time PostgreSQL takes to deliver
a notification (milliseconds). Unknown numbers are never kept: a card ordered
a second ago must be found.

The same LISTEN connection hears `hmskort.api.auth.AUTH_CHANNEL` (a token,
OAuth application or API client changed) and tells the token caches to
validate again (`auth_changed`, also on every (re)connect).

Only PostgreSQL can announce changes; on SQLite the cache never starts. It is
started by the fast lane (hmskort/api/fastlane.py) in each server process and
is off in the test suite except where it is the subject
(`HMSKORT_API_STATUS_CACHE`).
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from django.conf import settings
from django.db import connections

from hmskort.api.auth import AUTH_CHANNEL, auth_changed

logger = logging.getLogger(__name__)

CHANNEL = "hmskort_card_changed"
DEFAULT_SECONDS = 60.0
DEFAULT_SIZE = 200_000
HEARTBEAT_SECONDS = 5.0
RECONNECT_SECONDS = (0.5, 1, 2, 5, 10)

T = TypeVar("T")


class StatusCache(Generic[T]):
    """A dict of rows by card number, trusted only while `live`."""

    def __init__(self, *, seconds: float = DEFAULT_SECONDS, size: int = DEFAULT_SIZE):
        self.seconds = seconds
        self.size = size
        self._rows: dict[str, tuple[T, float]] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._live = False
        self.hits = 0
        self.misses = 0
        self.outages = 0  # times the LISTEN connection was lost

    @property
    def live(self) -> bool:
        return self._live

    def __len__(self) -> int:
        return len(self._rows)

    def fetch(self, number: str, load: Callable[[str], T | None]) -> T | None:
        """The row for `number`: from memory when live and fresh, else `load(number)`
        (kept for later when it was found and nothing changed meanwhile)."""
        if not self._live:
            return load(number)
        entry = self._rows.get(number)
        now = time.monotonic()
        if entry is not None and entry[1] > now:
            self.hits += 1
            return entry[0]
        self.misses += 1
        generation = self._generation
        row = load(number)
        if row is not None:
            with self._lock:
                if self._live and generation == self._generation:
                    if len(self._rows) >= self.size:
                        self._rows.clear()
                    # Spread over the second half of the lifetime: rows loaded together
                    # (a fresh process) must not all expire, and be read again, together.
                    self._rows[number] = (row, now + self.seconds * (0.5 + 0.5 * random.random()))
        return row

    def evict(self, numbers: Iterable[str]) -> None:
        """Forget these numbers (a committed change named them)."""
        with self._lock:
            self._generation += 1
            for number in numbers:
                self._rows.pop(number, None)

    def set_live(self, live: bool) -> None:
        """Start or stop trusting memory; either way, everything held is dropped."""
        with self._lock:
            self._generation += 1
            self._rows.clear()
            if self._live and not live:
                self.outages += 1
            self._live = live


def parse_payload(payload: str) -> list[str]:
    """The card numbers of one notification (comma-separated)."""
    return [n for n in payload.split(",") if n]


class Listener:
    """The LISTEN connection of one process, on a daemon thread."""

    def __init__(self, cache: StatusCache, alias: str = "default"):
        self.cache = cache
        self.alias = alias
        self.pid = os.getpid()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="status-cache-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _connect(self):
        import psycopg

        params = connections[self.alias].get_connection_params()
        for key in ("cursor_factory", "context", "prepare_threshold"):
            params.pop(key, None)
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute(f"LISTEN {CHANNEL}")
        conn.execute(f"LISTEN {AUTH_CHANNEL}")  # tokens and API clients (hmskort.api.auth)
        return conn

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                conn = self._connect()
            except Exception:
                wait = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                logger.warning("status cache: cannot LISTEN; retrying in %s s", wait)
                attempt += 1
                self._stop.wait(wait)
                continue
            attempt = 0
            try:
                # Listening from here on: what was held before may have missed a change.
                self.cache.set_live(True)
                auth_changed()
                while not self._stop.is_set():
                    for notify in conn.notifies(timeout=HEARTBEAT_SECONDS, stop_after=1):
                        if notify.channel == AUTH_CHANNEL:
                            auth_changed()
                        else:
                            self.cache.evict(parse_payload(notify.payload))
                    conn.execute("SELECT 1")  # a dead connection raises here
            except Exception:
                logger.warning("status cache: LISTEN connection lost; bypassing the cache")
            finally:
                self.cache.set_live(False)
                try:
                    conn.close()
                except Exception:  # pragma: no cover - closing a broken connection
                    pass


#: The process's cache of level-1 status rows (hmskort.api.selectors.card_status_row).
cache: StatusCache = StatusCache()
_listener: Listener | None = None
_start_lock = threading.Lock()


def enabled() -> bool:
    return bool(getattr(settings, "HMSKORT_API_STATUS_CACHE", True))


def ensure_started() -> bool:
    """Start this process's listener once (after a fork: again). True when started."""
    global _listener
    if not enabled() or connections["default"].vendor != "postgresql":
        return False
    pid = os.getpid()
    if _listener is not None and _listener.pid == pid:
        return True
    with _start_lock:
        if _listener is None or _listener.pid != pid:
            if _listener is not None:  # inherited from the parent over a fork
                cache.set_live(False)
            cache.seconds = float(
                getattr(settings, "HMSKORT_API_STATUS_CACHE_SECONDS", DEFAULT_SECONDS)
            )
            cache.size = int(getattr(settings, "HMSKORT_API_STATUS_CACHE_SIZE", DEFAULT_SIZE))
            _listener = Listener(cache)
            _listener.start()
    return True


def stop() -> None:
    """Stop this process's listener and bypass the cache (tests)."""
    global _listener
    with _start_lock:
        if _listener is not None and _listener.pid == os.getpid():
            _listener.stop()
        _listener = None
        cache.set_live(False)
