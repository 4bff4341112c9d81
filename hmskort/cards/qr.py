"""The card's QR code: a URL to /qr/<token> where the token is signed (Ed25519).

The token (see `hmskort.core.signing`) carries the card number `cn`, when it was
issued `iat`, when it stops working `exp`, and whether it is a temporary card's
QR `tmp`. Knowing a card number is not enough to make a QR code that opens the
holder's page: that needs the platform's private key.

- A card's own QR code works until the end of the card's last valid day
  (Norwegian time).
- A temporary card (the order receipt) carries a QR code that works
  `TEMPORARY_QR_VALID_DAYS` days from when it was made.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from hmskort.cards.models import Card
from hmskort.cards.numbers import is_valid_card_number
from hmskort.core.signing import TokenInvalid, sign_token, verify_token

#: The JWS `typ` of a card QR token.
QR_TOKEN_TYP = "hmskort-qr"
#: How long a temporary card's QR code works.
TEMPORARY_QR_VALID_DAYS = 60
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


def _end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after `day` ends, in the project's time zone."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def card_qr_token(
    card: Card, *, valid_days: int | None = None, now: dt.datetime | None = None
) -> str:
    """A signed QR token for `card`.

    By default it works until the end of `card.valid_until`; with `valid_days`
    (a temporary card: `TEMPORARY_QR_VALID_DAYS`) it works that many days from
    `now` and is marked temporary. A card without a validity date (not yet
    effectuated) only gets a temporary token.
    """
    now = now or timezone.now()
    if valid_days is not None:
        if valid_days <= 0:
            raise ValueError("card_qr_token: valid_days must be positive")
        expires = now + dt.timedelta(days=valid_days)
    elif card.valid_until is not None:
        expires = _end_of_day(card.valid_until)
    else:
        raise ValueError(
            f"card_qr_token: card {card.card_number} has no validity date; pass valid_days"
        )
    payload = {
        "cn": card.card_number,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "tmp": valid_days is not None,
    }
    return sign_token(payload, typ=QR_TOKEN_TYP, now=now)


def public_base_url() -> str:
    return str(getattr(settings, "HMSKORT_PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL)).rstrip("/")


def card_qr_url(card: Card, **kw) -> str:
    """The absolute URL the card's QR code holds (keywords as for `card_qr_token`)."""
    token = card_qr_token(card, **kw)
    return public_base_url() + reverse("verification:qr", kwargs={"token": token})


def card_from_qr_token(token: str, *, now: dt.datetime | None = None) -> tuple[str, dict]:
    """(card number, verified claims) of a scanned QR token.

    Raises `TokenInvalid` (forged, tampered, damaged, unknown key) or
    `TokenExpired` (e.g. a temporary card's QR after 60 days; its `claims` hold
    the card number). Whether the card exists is the caller's question.
    """
    claims = verify_token(token, typ=QR_TOKEN_TYP, now=now)
    number = claims.get("cn")
    if not isinstance(number, str) or not is_valid_card_number(number):
        raise TokenInvalid("Ugyldig token. (Invalid token.)", extra={"reason": "malformed"})
    return number, claims


# --- live QR codes (the digital card) -------------------------------------------
#
# The digital card shows a QR code that changes every LIVE_WINDOW_SECONDS: a token
# signed like the printed card's, but with its own `typ` and a window of validity
# [nbf, exp]. A copy of it is useless once its window (plus a little grace for
# clock drift and the time it takes to scan) has passed. Tokens for coming
# windows may be issued ahead (the wallet works offline); each is only valid
# inside its own window.

LIVE_QR_TYP = "hmskort-live"
LIVE_WINDOW_SECONDS = 30
# A token is accepted this long after its window ends, and this long before it
# starts (phone and reader clocks drift; scanning takes a moment).
LIVE_GRACE_SECONDS = 15


def live_window_start(at: dt.datetime) -> int:
    """Epoch second at which the window containing `at` starts."""
    epoch = int(at.timestamp())
    return epoch - epoch % LIVE_WINDOW_SECONDS


def card_live_qr_token(
    card: Card, *, window_start: int | None = None, now: dt.datetime | None = None
) -> str:
    """The live QR token of `card` for the window starting at `window_start`
    (epoch seconds; default: the current window)."""
    now = now or timezone.now()
    start = live_window_start(now) if window_start is None else window_start
    if start % LIVE_WINDOW_SECONDS:
        raise ValueError("card_live_qr_token: window_start must be a window boundary")
    payload = {
        "cn": card.card_number,
        "iat": int(now.timestamp()),
        "nbf": start,
        "exp": start + LIVE_WINDOW_SECONDS + LIVE_GRACE_SECONDS,
    }
    return sign_token(payload, typ=LIVE_QR_TYP, now=now)


def card_from_live_qr_token(token: str, *, now: dt.datetime | None = None) -> tuple[str, dict]:
    """(card number, verified claims) of a scanned live QR token.

    Raises `TokenExpired` once its window and grace have passed (a screenshot),
    `TokenInvalid` if forged, tampered, or presented before its window.
    """
    now = now or timezone.now()
    claims = verify_token(token, typ=LIVE_QR_TYP, now=now)
    nbf = claims.get("nbf")
    if not isinstance(nbf, int) or int(now.timestamp()) + LIVE_GRACE_SECONDS < nbf:
        raise TokenInvalid("Ugyldig token. (Invalid token.)", extra={"reason": "not_yet_valid"})
    number = claims.get("cn")
    if not isinstance(number, str) or not is_valid_card_number(number):
        raise TokenInvalid("Ugyldig token. (Invalid token.)", extra={"reason": "malformed"})
    return number, claims
