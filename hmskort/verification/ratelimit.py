"""A fixed-window rate limit per client IP, counted in Django's default cache.

Each limit is (requests, window seconds); every limit of a scope must hold. The
counter key names the scope, the client and the window number, so a window
resets by itself when the next one starts. With several processes the default
cache must be shared (Redis or Memcached) for the limit to be global.

Settings:
- `HMSKORT_RATE_LIMITS`: {scope: [(requests, seconds), ...]} overriding `DEFAULT_LIMITS`.
- `HMSKORT_TRUSTED_PROXY_COUNT`: how many reverse proxies in front of us append
  to X-Forwarded-For (0: use REMOTE_ADDR only, the safe default).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_LIMITS: dict[str, tuple[tuple[int, int], ...]] = {
    # Public card-number look-ups: enough for a site manager checking a crew,
    # far too few to enumerate card numbers.
    "status": ((30, 60), (300, 3600)),
    "supplier": ((30, 60), (300, 3600)),
}


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    retry_after: int  # seconds until the exhausted window ends (0 when allowed)


def limits_for(scope: str) -> tuple[tuple[int, int], ...]:
    configured = getattr(settings, "HMSKORT_RATE_LIMITS", {}) or {}
    return tuple(tuple(limit) for limit in configured.get(scope, DEFAULT_LIMITS.get(scope, ())))


def client_ip(request: HttpRequest) -> str:
    trusted = int(getattr(settings, "HMSKORT_TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted > 0:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limit_hit(
    *, scope: str, client: str, now: float | None = None, limits=None
) -> RateLimitResult:
    """Count one request of `client` in `scope`; whether it is within every limit
    (`limits`, else the scope's configured ones)."""
    now = time.time() if now is None else now
    retry_after = 0
    for requests, seconds in limits_for(scope) if limits is None else limits:
        window = int(now // seconds)
        key = f"ratelimit:{scope}:{seconds}:{client}:{window}"
        cache.add(key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=seconds + 1)
            count = 1
        if count > requests:
            retry_after = max(retry_after, int((window + 1) * seconds - now) + 1)
    return RateLimitResult(allowed=retry_after == 0, retry_after=retry_after)


def rate_limit_peek(
    *, scope: str, client: str, now: float | None = None, limits=None
) -> RateLimitResult:
    """Whether `client` is already over a limit of `scope`, without counting."""
    now = time.time() if now is None else now
    retry_after = 0
    for requests, seconds in limits_for(scope) if limits is None else limits:
        window = int(now // seconds)
        count = cache.get(f"ratelimit:{scope}:{seconds}:{client}:{window}") or 0
        if count >= requests:
            retry_after = max(retry_after, int((window + 1) * seconds - now) + 1)
    return RateLimitResult(allowed=retry_after == 0, retry_after=retry_after)
