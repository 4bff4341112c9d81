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

Counters and blocks live in Django's default cache (Redis in production, so
they hold across processes). Inspectors, QR scans and crew reports are never
refused.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from hmskort.core.errors import ApplicationError

DEFAULT_SOURCES_PER_CARD = (10, 600)
DEFAULT_NOT_FOUND_PER_SOURCE = (20, 600)
DEFAULT_BLOCK_SECONDS = 3600
DEFAULT_HOT_CARD_LIMIT = (10, 60)


class LookupThrottled(ApplicationError):
    code = "lookup_throttled"
    http_status = 429

    def __init__(self, *, retry_after: int):
        self.retry_after = max(int(retry_after), 1)
        super().__init__(
            "For mange oppslag; prøv igjen senere. (Too many look-ups; try again later.)",
            extra={"retry_after": self.retry_after},
        )


def _setting(name: str, default):
    return getattr(settings, name, default)


def _block_key(source_key: str) -> str:
    return f"receipts:block:{source_key}"


def _hot_key(card_number: str) -> str:
    return f"receipts:hot:{card_number}"


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
    now = time.time() if now is None else now
    block_key, hot_key = _block_key(source_key), _hot_key(card_number)
    found = cache.get_many([block_key, hot_key])
    if block_key in found:
        raise LookupThrottled(retry_after=int(found[block_key] - now))
    if hot_key in found:
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
    block = int(_setting("HMSKORT_ABUSE_BLOCK_SECONDS", DEFAULT_BLOCK_SECONDS))
    cache.set(_block_key(source_key), now + block, timeout=block)
    # One signal per source and window.
    if cache.add(f"receipts:nf-flagged:{source_key}:{int(now // seconds)}", 1, int(seconds) + 1):
        _signal(
            kind="enumeration",
            source_key=source_key,
            api_client_id=api_client_id,
            count=count,
            window_seconds=int(seconds),
        )
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
            cache.set(_hot_key(number), 1, timeout=block)
            recent = AbuseSignal.objects.filter(
                kind="many_sources", card_number=number, created_at__gte=since
            ).exists()
            if not recent:
                _signal(
                    kind="many_sources",
                    card_number=number,
                    count=row["sources"],
                    window_seconds=int(seconds),
                )
                flagged.append(number)
    return flagged
