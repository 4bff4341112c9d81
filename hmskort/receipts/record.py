"""`check_record`: the one call a look-up makes. No database work, no model import
(the verification and API modules import this at start-up)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from hmskort.cards.status import public_status
from hmskort.receipts import abuse, recorder

NOT_FOUND = "not_found"
#: Channels whose answer shows the holder's name (the receipt may repeat it).
_SHOWS_NAME = {"qr", "api_qr", "inspector"}
#: Channels where a card number can be typed: counted for abuse and throttled.
_GUARDED = {"public", "api"}
CHANNELS = {"public", "qr", "api", "api_qr", "inspector", "gate", "crew"}

_installed: bool | None = None


def recording_enabled() -> bool:
    """False until `hmskort.receipts` is in INSTALLED_APPS (then look-ups carry no
    check id), or when HMSKORT_CHECK_RECORDING is False (benchmark baseline)."""
    global _installed
    if _installed is None:
        _installed = apps.is_installed("hmskort.receipts")
    return _installed and getattr(settings, "HMSKORT_CHECK_RECORDING", True)


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
    if card is None:
        status, reasons = NOT_FOUND, ()
    else:
        status, reasons = _answer(card, today=timezone.localdate())
    if channel == "inspector" and not agency and request is not None:
        agency = ", ".join(getattr(request, "inspector_agencies", ()) or ())
    check_id = str(uuid.uuid4())
    record = {"id": check_id, "at": timezone.now().isoformat(), "ch": channel}
    record.update(cn=card_number, st=status, rs=list(reasons))
    if card is not None:
        record.update(
            ct=card.card_type,
            eo=card.employer_orgnr,
            en=card.employer_name,
            vu=card.valid_until.isoformat() if card.valid_until else None,
        )
        if channel in _SHOWS_NAME:
            record["hn"] = holder_name or getattr(card, "holder_name", "") or ""
    if source_key:
        record["src"] = source_key
    if api_client is not None:
        record["api"] = api_client.client_pk
    if agency:
        record["ag"] = agency
    if site_name:
        record["site"] = site_name
    recorder.spool_append(record)
    if status == NOT_FOUND and channel in _GUARDED:
        abuse.note_not_found(
            source_key=source_key,
            api_client_id=api_client.client_pk if api_client is not None else None,
        )
    return check_id
