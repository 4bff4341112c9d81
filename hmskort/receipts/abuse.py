"""Abuse signals: enumeration from one source, one card looked up from many sources.

Both are flagged as `AbuseSignal` rows for caseworkers and rate-limited:

- Enumeration: more than N look-ups of non-existent (well-formed) card numbers
  from one source within a window (`HMSKORT_ABUSE_NOT_FOUND_PER_SOURCE`,
  (N, seconds)). Counted on the not-found path only, so a found card costs
  nothing extra. The source is then refused (429) for `HMSKORT_ABUSE_BLOCK_SECONDS`.
- Many sources: one card looked up by at least N distinct sources within a
  window (`HMSKORT_ABUSE_SOURCES_PER_CARD`). Detected when the spool is drained
  (off the request path, one aggregate query per drained batch); the card's
  public and API look-ups are then limited to `HMSKORT_ABUSE_HOT_CARD_LIMIT`
  (requests, seconds) in total for the block period.

Blocks are the caseworkers' own `AbuseSignal` rows: a source is refused while
an unresolved enumeration signal about it is younger than the block period,
a card is limited while an unresolved many-sources signal is. Resolving a
signal lifts its block. Each web process holds the active blocks in memory
and re-reads them at most every `HMSKORT_ABUSE_STATE_SECONDS` (1 s; at once
after this process flags something), so a look-up costs two dict reads and no
round trip to the cache or the database. Counters (not-found look-ups per
source, look-ups of a hot card) live in Django's default cache (Redis in
production, so they hold across processes); they are touched only on the
not-found path and for hot cards. Inspectors, QR scans and crew reports are
never refused.

`cards_with_new_sources` keeps, in the drainer, the (card, source) pairs it has
seen within the window: a card's count of distinct sources can only grow when
a pair it has not seen arrives, so only those cards are counted again in the
database.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from hmskort.core.errors import Throttled

DEFAULT_SOURCES_PER_CARD = (10, 600)
DEFAULT_NOT_FOUND_PER_SOURCE = (20, 600)
DEFAULT_BLOCK_SECONDS = 3600
DEFAULT_HOT_CARD_LIMIT = (10, 60)
DEFAULT_STATE_SECONDS = 1.0


class LookupThrottled(Throttled):
    code = "lookup_throttled"
    default_message = "For mange oppslag; prøv igjen senere. (Too many look-ups; try again later.)"


def _setting(name: str, default):
    return getattr(settings, name, default)


class _Blocks:
    """The active blocks as this process last read them."""

    __slots__ = ("hot", "interval", "read_at", "sources")

    def __init__(self, sources: dict[str, float], hot: dict[str, float], read_at: float):
        self.sources, self.hot, self.read_at = sources, hot, read_at
        self.interval = float(_setting("HMSKORT_ABUSE_STATE_SECONDS", DEFAULT_STATE_SECONDS))


_blocks: _Blocks | None = None
_blocks_lock = threading.Lock()


def _read_blocks() -> _Blocks:
    from hmskort.receipts.models import AbuseKind, AbuseSignal

    block = int(_setting("HMSKORT_ABUSE_BLOCK_SECONDS", DEFAULT_BLOCK_SECONDS))
    read_at = time.monotonic()
    since = timezone.now() - dt.timedelta(seconds=block)
    sources: dict[str, float] = {}
    hot: dict[str, float] = {}
    rows = AbuseSignal.objects.filter(created_at__gte=since, resolved_at__isnull=True).values_list(
        "kind", "source_key", "card_number", "created_at"
    )
    for kind, source_key, card_number, created_at in rows:
        until = created_at.timestamp() + block
        if kind == AbuseKind.ENUMERATION and source_key:
            sources[source_key] = max(until, sources.get(source_key, 0.0))
        elif kind == AbuseKind.MANY_SOURCES and card_number:
            hot[card_number] = max(until, hot.get(card_number, 0.0))
    return _Blocks(sources, hot, read_at)


def _active_blocks() -> _Blocks:
    blocks = _blocks
    if blocks is None or time.monotonic() - blocks.read_at >= blocks.interval:
        blocks = _read_blocks()
        _set_blocks(blocks)
    return blocks


def _set_blocks(blocks: _Blocks | None) -> None:
    global _blocks
    with _blocks_lock:
        if blocks is None or _blocks is None or blocks.read_at >= _blocks.read_at:
            _blocks = blocks


def blocks_forget() -> None:
    """Read the blocks again on the next look-up (after a signal changed here; tests)."""
    _set_blocks(None)


def window_count(key: str, seconds: int, now: float) -> int:
    """Fixed-window counter (the technique of hmskort.verification.ratelimit)."""
    window_key = f"{key}:{int(now // seconds)}"
    cache.add(window_key, 0, timeout=seconds + 1)
    try:
        return cache.incr(window_key)
    except ValueError:
        cache.set(window_key, 1, timeout=seconds + 1)
        return 1


def guard(*, card_number: str, source_key: str, now: float | None = None) -> None:
    """Raise LookupThrottled if the source is blocked or the card is over its limit."""
    if not source_key:
        return
    blocks = _active_blocks()
    source_until = blocks.sources.get(source_key)
    card_until = blocks.hot.get(card_number)
    if source_until is None and card_until is None:
        return
    now = time.time() if now is None else now
    if source_until is not None and source_until > now:
        raise LookupThrottled(retry_after=int(source_until - now))
    if card_until is not None and card_until > now:
        requests, seconds = _setting("HMSKORT_ABUSE_HOT_CARD_LIMIT", DEFAULT_HOT_CARD_LIMIT)
        if window_count(f"receipts:hotcount:{card_number}", int(seconds), now) > int(requests):
            raise LookupThrottled(retry_after=int(seconds - now % seconds))


def _signal(**fields):
    from hmskort.receipts.models import AbuseSignal

    return AbuseSignal.objects.create(created_at=timezone.now(), **fields)


def note_not_found(*, source_key: str, api_client_id: int | None, now: float | None = None) -> bool:
    """Count a look-up of a non-existent number; flag and block on the threshold.
    True when this look-up crossed it."""
    if not source_key:
        return False
    now = time.time() if now is None else now
    limit, seconds = _setting("HMSKORT_ABUSE_NOT_FOUND_PER_SOURCE", DEFAULT_NOT_FOUND_PER_SOURCE)
    count = window_count(f"receipts:nf:{source_key}", int(seconds), now)
    if count <= int(limit):
        return False
    from hmskort.receipts.models import AbuseKind, AbuseSignal

    block = int(_setting("HMSKORT_ABUSE_BLOCK_SECONDS", DEFAULT_BLOCK_SECONDS))
    since = timezone.now() - dt.timedelta(seconds=block)
    blocked = AbuseSignal.objects.filter(
        kind=AbuseKind.ENUMERATION,
        source_key=source_key,
        created_at__gte=since,
        resolved_at__isnull=True,
    ).exists()
    if not blocked:  # another process may have flagged it a moment ago
        _signal(
            kind=AbuseKind.ENUMERATION,
            source_key=source_key,
            api_client_id=api_client_id,
            count=count,
            window_seconds=int(seconds),
        )
    blocks_forget()
    return True


def detect_many_sources(card_numbers, *, now: dt.datetime | None = None) -> list[str]:
    """Flag the cards among `card_numbers` looked up by too many distinct sources
    within the window (one aggregate query); return the newly flagged numbers."""
    from hmskort.receipts.models import NOT_FOUND, AbuseSignal, CardCheck

    numbers = sorted({n for n in card_numbers if n})
    if not numbers:
        return []
    now = now or timezone.now()
    limit, seconds = _setting("HMSKORT_ABUSE_SOURCES_PER_CARD", DEFAULT_SOURCES_PER_CARD)
    since = now - dt.timedelta(seconds=int(seconds))
    flagged = []
    block = int(_setting("HMSKORT_ABUSE_BLOCK_SECONDS", DEFAULT_BLOCK_SECONDS))
    for start in range(0, len(numbers), 500):
        rows = (
            CardCheck.objects.filter(
                card_number__in=numbers[start : start + 500], checked_at__gte=since
            )
            .exclude(source_key="")
            .exclude(status=NOT_FOUND)
            .values("card_number")
            .annotate(sources=Count("source_key", distinct=True))
            .filter(sources__gte=int(limit))
        )
        for row in rows:
            number = row["card_number"]
            recent = AbuseSignal.objects.filter(
                kind="many_sources",
                card_number=number,
                created_at__gte=now - dt.timedelta(seconds=block),
                resolved_at__isnull=True,
            ).exists()
            if not recent:
                _signal(
                    kind="many_sources",
                    card_number=number,
                    count=row["sources"],
                    window_seconds=int(seconds),
                )
                flagged.append(number)
    if flagged:
        blocks_forget()
    return flagged


_pairs: dict[tuple[bytes, bytes], float] = {}
_pairs_lock = threading.Lock()
MAX_PAIRS = 1_000_000


def cards_with_new_sources(pairs, *, now: float | None = None) -> list[str]:
    """The card numbers among (card number, source) `pairs` (bytes, as in the
    spool) with a pair this process has not seen within the many-sources window:
    the only cards whose count of distinct sources can have grown."""
    _limit, seconds = _setting("HMSKORT_ABUSE_SOURCES_PER_CARD", DEFAULT_SOURCES_PER_CARD)
    now = time.monotonic() if now is None else now
    # A few seconds' margin: pairs are timed when drained, the query by checked_at.
    horizon = now - int(seconds) + 5
    numbers = set()
    with _pairs_lock:
        if len(_pairs) > MAX_PAIRS:
            for pair in [p for p, seen in _pairs.items() if seen < horizon]:
                del _pairs[pair]
            if len(_pairs) > MAX_PAIRS // 2:
                _pairs.clear()  # forgetting only costs queries, never a missed flag
        for pair in pairs:
            seen = _pairs.get(pair)
            if seen is None or seen < horizon:
                numbers.add(pair[0].decode("utf-8", "replace"))
            _pairs[pair] = now  # the last time seen: a source still in the window adds nothing
    return sorted(numbers)


def pairs_forget() -> None:
    with _pairs_lock:
        _pairs.clear()
