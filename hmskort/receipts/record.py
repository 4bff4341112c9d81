"""`check_record`: the one call a look-up makes. No database work, no model import
(the verification and API modules import this at start-up)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import threading
import time

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from hmskort.cards.status import public_status
from hmskort.receipts import abuse, recorder

NOT_FOUND = "not_found"
#: Channels whose answer shows the holder's name (the receipt may repeat it).
_SHOWS_NAME = {"qr", "api_qr", "inspector"}
#: Channels where a card number can be typed: counted for abuse and throttled.
_GUARDED = {"public", "api"}
CHANNELS = {"public", "qr", "api", "api_qr", "inspector", "gate", "crew"}

_UTC = dt.UTC
_NO_REASONS = "[]"


_pool = b""
_pool_at = 0
_pool_lock = threading.Lock()


def _random80() -> int:
    """80 random bits from os.urandom, read 4 KB at a time (one system call per 400 ids)."""
    global _pool, _pool_at
    with _pool_lock:
        if _pool_at + 10 > len(_pool):
            _pool, _pool_at = os.urandom(4000), 0
        chunk = _pool[_pool_at : _pool_at + 10]
        _pool_at += 10
    return int.from_bytes(chunk, "big")


def _new_pool_after_fork() -> None:
    """A forked child (a gunicorn worker) must never reuse its parent's unread bytes."""
    global _pool, _pool_at
    _pool, _pool_at = b"", 0


os.register_at_fork(after_in_child=_new_pool_after_fork)


def new_check_id(now: float | None = None) -> str:
    """A check id: a UUID in the version-7 layout, 48 bits of the time in
    milliseconds and 74 random bits (os.urandom). As unguessable as a receipt
    id must be, and time-ordered, so the primary-key index of the check table
    grows at one end instead of taking every insert at a random page."""
    ms = int((time.time() if now is None else now) * 1000)
    rand = _random80()  # 74 of them used
    value = (
        (ms & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76
        | (rand >> 68) << 64  # 12 bits
        | 0b10 << 62
        | (rand & 0x3FFF_FFFF_FFFF_FFFF)  # 62 bits
    )
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# Settings read on every look-up, kept here until a setting changes (tests).
_conf: dict = {}


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    _conf.clear()


def recording_enabled() -> bool:
    """False until `hmskort.receipts` is in INSTALLED_APPS (then look-ups carry no
    check id), or when HMSKORT_CHECK_RECORDING is False (benchmark baseline)."""
    enabled = _conf.get("enabled")
    if enabled is None:
        enabled = _conf["enabled"] = apps.is_installed("hmskort.receipts") and bool(
            getattr(settings, "HMSKORT_CHECK_RECORDING", True)
        )
    return enabled


_second: tuple[int, str, dt.date] | None = None


def _clock(now: float) -> tuple[str, dt.date]:
    """(`now` in ISO 8601, UTC, to the microsecond; today's local date) with the
    date and the ISO text of the whole second worked out once a second."""
    global _second
    second = int(now)
    held = _second
    if held is None or held[0] != second or "zone" not in _conf:
        zone = _conf.get("zone")
        if zone is None:
            zone = _conf["zone"] = timezone.get_default_timezone()
        held = _second = (
            second,
            dt.datetime.fromtimestamp(second, _UTC).isoformat()[:-6],
            dt.datetime.fromtimestamp(second, zone).date(),
        )
    return f"{held[1]}.{int((now - second) * 1_000_000):06d}+00:00", held[2]


def _source_key(*, request=None, api_client=None) -> str:
    if api_client is not None:
        return f"api:{api_client.client_pk}"
    if request is not None:
        from hmskort.verification.ratelimit import client_ip

        digest = hmac.new(
            settings.SECRET_KEY.encode(), client_ip(request).encode(), hashlib.sha256
        ).hexdigest()
        return f"ip:{digest[:24]}"
    return ""


def _answer(card, *, today: dt.date) -> tuple[str, tuple[str, ...]]:
    """The answer the caller showed: a card row/model (state -> public status), or a
    verification page's card whose `status` is the StatusAnswer it rendered."""
    state = getattr(card, "state", None)
    if state is not None:
        return public_status(
            state=state,
            reason_codes=tuple(card.reason_codes or ()),
            valid_until=card.valid_until,
            today=today,
        )
    answer = card.status
    return str(answer.kind), tuple(str(c) for c in answer.reason_codes)


def check_record(
    *,
    channel: str,
    card_number: str,
    card=None,
    holder_name: str = "",
    request=None,
    api_client=None,
    agency: str = "",
    site_name: str = "",
) -> str:
    """Record one check and return its id. No database work on the way: the record
    goes to the spool (see `recorder`).

    `card` is what the answer was built from (None: no card has the number): an
    API `CardStatusRow`, a `Card`, or a verification page's `PublicCard`/`QrCard`.
    `request` (web) or `api_client` (the API principal) say who asked. Raises
    `abuse.LookupThrottled` (429) on the public and API channels when the source
    is blocked for enumeration or the card is over its many-sources limit."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if not recording_enabled():
        return ""
    source_key = _source_key(request=request, api_client=api_client)
    if channel in _GUARDED:
        abuse.guard(card_number=card_number, source_key=source_key)
    now = time.time()
    at, today = _clock(now)
    if card is None:
        status, reasons = NOT_FOUND, ()
    else:
        status, reasons = _answer(card, today=today)
    if channel == "inspector" and not agency and request is not None:
        agency = ", ".join(getattr(request, "inspector_agencies", ()) or ())
    check_id = new_check_id(now)
    values = [
        check_id,
        at,
        channel,
        card_number,
        status,
        json.dumps(list(reasons), separators=(",", ":")) if reasons else _NO_REASONS,
        "",
        "",
        "",
        None,
        "",
        source_key,
        None if api_client is None else str(api_client.client_pk),
        agency,
        site_name,
    ]
    if card is not None:
        values[6] = card.card_type or ""
        values[7] = card.employer_orgnr or ""
        values[8] = card.employer_name or ""
        values[9] = card.valid_until.isoformat() if card.valid_until else None
        if channel in _SHOWS_NAME:
            values[10] = holder_name or getattr(card, "holder_name", "") or ""
    recorder.spool_append_values(values)
    if status == NOT_FOUND and channel in _GUARDED:
        abuse.note_not_found(
            source_key=source_key,
            api_client_id=api_client.client_pk if api_client is not None else None,
        )
    return check_id
