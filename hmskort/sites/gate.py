"""The gate decision: admit or refuse one check-in/check-out, and record it.

The hot path, two statements per decision and no explicit transaction:

1. the reader's site (cached per process for `READER_CACHE_SECONDS`);
2. the card, with "is its company on this site?", in one indexed query (by
   number, printed QR, live QR, or chip code), read fresh from the card table
   every time: card status never comes from a cache, so a card blocked or
   invalidated a moment ago is refused at once. The rules that need only the
   card and the site (status, card type, company on the site, site period)
   are checked in Python (`_rules`);
3. a card that passes them is decided against its presence on the site and
   recorded in **one statement** (PostgreSQL): an upsert of the card's
   `GatePresence` row (site, card) whose new values say what was decided
   (already inside, anti-passback, admitted; an exit is always admitted and
   flagged when the card was not inside), and the `GateEvent` insert that takes
   the decision from it. `INSERT ... ON CONFLICT DO UPDATE` locks the presence
   row and evaluates against its latest committed version (not the
   statement's snapshot), so two readers deciding the same card at once are
   serialised on that row: the second sees the first's entry and is refused.
   The statement commits on its own (autocommit): one round trip, no
   BEGIN/COMMIT. A refusal from the rules is one INSERT.
4. Idempotency: a retried event id (reader, event id) gets the stored first
   answer and records nothing. The decision statement skips everything when
   the id is already recorded; the same id twice *at once* makes the second
   statement fail on the unique constraint, which undoes its presence update,
   and it then reads the first answer.

Statements are sent with server-side binding on PostgreSQL, so with
`prepare_threshold` in the database OPTIONS (production, docs/operations.md)
they are prepared once per connection. On SQLite (the embedded demo) the same
upsert and insert run as two statements in one (IMMEDIATE) transaction.

Exits (`out`) are never refused for the card's status (nobody is locked in);
an exit without a recorded entry is admitted and flagged `exit_without_entry`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

from hmskort.cards.models import Card
from hmskort.cards.numbers import is_valid_card_number, normalize_card_number
from hmskort.cards.qr import card_from_live_qr_token, card_from_qr_token
from hmskort.cards.status import PublicStatus, public_status
from hmskort.core.errors import NotFound
from hmskort.core.signing import TokenExpired, TokenInvalid
from hmskort.eligibility.industries import card_valid_for
from hmskort.sites.models import (
    ChipCode,
    Direction,
    GateEvent,
    GatePresence,
    GateReader,
    Method,
    SiteCompany,
)
from hmskort.sites.reasons import STATUS_REASON, GateReason

R = GateReason

#: How long a reader's site settings are cached per process; a change of the
#: site (anti-passback minutes, period) or a deactivated reader takes effect within it.
READER_CACHE_SECONDS = 10


class ReaderNotFound(NotFound):
    code = "reader_not_found"


@dataclass(frozen=True)
class ReaderSite:
    reader_id: int
    site_id: int
    site_name: str
    required_industry: str
    anti_passback_minutes: int
    starts_on: dt.date
    ends_on: dt.date


_readers: dict[int, tuple[float, ReaderSite | None]] = {}
_readers_lock = threading.Lock()


def reader_site(client_pk: int) -> ReaderSite:
    """The site of the gate reader behind API client `client_pk` (404 if none)."""
    now = time.monotonic()
    cached = _readers.get(client_pk)
    if cached is None or cached[0] < now:
        reader = (
            GateReader.objects.select_related("site")
            .filter(api_client_id=client_pk, active=True)
            .first()
        )
        found = (
            ReaderSite(
                reader_id=reader.pk,
                site_id=reader.site_id,
                site_name=reader.site.name,
                required_industry=reader.site.required_industry,
                anti_passback_minutes=reader.site.anti_passback_minutes,
                starts_on=reader.site.starts_on,
                ends_on=reader.site.ends_on,
            )
            if reader is not None
            else None
        )
        with _readers_lock:
            _readers[client_pk] = (now + READER_CACHE_SECONDS, found)
        cached = _readers[client_pk]
    if cached[1] is None:
        raise ReaderNotFound(
            "Klienten er ikke en portleser på en byggeplass (the client is not a gate reader "
            "bound to a site)."
        )
    return cached[1]


def reader_cache_clear() -> None:
    with _readers_lock:
        _readers.clear()


@dataclass(frozen=True)
class _CardRow:
    """The card columns a decision (and its check record) needs."""

    id: int
    card_number: str
    card_type: str
    state: str
    reason_codes: tuple[str, ...]
    valid_until: dt.date | None
    employer_orgnr: str
    employer_name: str
    on_site: bool


@dataclass(frozen=True)
class Decision:
    event_id: str
    direction: str
    admitted: bool
    reason: str
    card_number: str
    at: dt.datetime
    replayed: bool = False
    #: The card row the decision was read from (None: unknown card, or a replay).
    card: _CardRow | None = field(default=None, compare=False, repr=False)
    #: The card number whose status was looked up ("" when there was none to look
    #: up: a forged or expired token, an unknown chip, a malformed number; a replay).
    checked_number: str = field(default="", compare=False)


_CARD_COLUMNS = (
    "c.id, c.card_number, c.card_type, c.state, c.reason_codes, c.valid_until, "
    "c.employer_orgnr, c.employer_name, EXISTS (SELECT 1 FROM {sc} sc WHERE sc.site_id = %s "
    "AND sc.orgnr = c.employer_orgnr)"
)


def _card_sql(by_chip: bool) -> str:
    columns = _CARD_COLUMNS.format(sc=SiteCompany._meta.db_table)
    if by_chip:
        return (
            f"SELECT {columns} FROM {ChipCode._meta.db_table} cc "
            f"JOIN {Card._meta.db_table} c ON c.id = cc.card_id WHERE cc.code = %s"
        )
    return f"SELECT {columns} FROM {Card._meta.db_table} c WHERE c.card_number = %s"


_CARD_BY_NUMBER = _card_sql(by_chip=False)
_CARD_BY_CHIP = _card_sql(by_chip=True)

_GE = GateEvent._meta.db_table
_GP = GatePresence._meta.db_table
_EXISTING = (
    f"SELECT direction, admitted, reason, card_number, at FROM {_GE} "
    "WHERE reader_id = %s AND event_id = %s"
)


def _cursor(db):
    """On PostgreSQL a server-side-binding cursor, so psycopg prepares each of
    these statements once per connection (after `prepare_threshold` uses; see
    docs/operations.md) and PostgreSQL skips parsing and planning them. One such
    cursor is kept per database connection (a connection belongs to one thread)
    and wrapped afresh each time, so Django's wrapper still applies (error
    translation, query logging, execute wrappers). Not closed after use."""
    if db.vendor == "postgresql":
        import psycopg

        db.ensure_connection()
        raw = db.connection
        cursor = getattr(raw, "_hmskort_gate_cursor", None)
        if cursor is None or cursor.closed:
            cursor = raw._hmskort_gate_cursor = psycopg.Cursor(raw)
        return db._prepare_cursor(cursor)
    return db.cursor()


def normalize_chip_code(code: str) -> str:
    return "".join(code.split()).replace(":", "").replace("-", "").upper()


def _card_row(db, site_id: int, key: str, *, by_chip: bool = False) -> _CardRow | None:
    cursor = _cursor(db)
    cursor.execute(_CARD_BY_CHIP if by_chip else _CARD_BY_NUMBER, [site_id, key])
    row = cursor.fetchone()
    if row is None:
        return None
    reasons = row[4]
    if isinstance(reasons, str):  # SQLite returns JSON as text
        reasons = json.loads(reasons)
    valid_until = row[5]
    if isinstance(valid_until, str):
        valid_until = dt.date.fromisoformat(valid_until)
    return _CardRow(
        id=row[0],
        card_number=row[1],
        card_type=row[2],
        state=row[3],
        reason_codes=tuple(reasons or ()),
        valid_until=valid_until,
        employer_orgnr=row[6],
        employer_name=row[7],
        on_site=bool(row[8]),
    )


@dataclass(frozen=True)
class Presented:
    """What the reader scanned: exactly one of these is set."""

    card_number: str | None = None
    qr_token: str | None = None
    live_token: str | None = None
    chip_code: str | None = None


def method_of(presented: Presented) -> str:
    if presented.chip_code is not None:
        return Method.CHIP
    if presented.card_number is not None:
        return Method.CARD_NUMBER
    return Method.LIVE_QR if presented.live_token is not None else Method.QR


@dataclass(frozen=True)
class _Identified:
    card: _CardRow | None
    reason: str  # the refusal reason when the card could not be identified ("" if it was)
    checked_number: str  # the number looked up ("" if none was)


def _identify(db, presented: Presented, site_id: int, now: dt.datetime) -> _Identified:
    if presented.chip_code is not None:
        row = _card_row(db, site_id, normalize_chip_code(presented.chip_code), by_chip=True)
        if row is None:  # no card behind the chip: no card number was looked up
            return _Identified(None, R.CARD_UNKNOWN, "")
        return _Identified(row, "", row.card_number)
    if presented.card_number is not None:
        number = normalize_card_number(presented.card_number)
        if not is_valid_card_number(number):
            return _Identified(None, R.CARD_UNKNOWN, "")
    else:
        verify = card_from_live_qr_token if presented.live_token is not None else card_from_qr_token
        try:
            number, _claims = verify(presented.live_token or presented.qr_token or "", now=now)
        except TokenExpired:
            return _Identified(None, R.TOKEN_EXPIRED, "")
        except TokenInvalid:
            return _Identified(None, R.TOKEN_INVALID, "")
    row = _card_row(db, site_id, number)
    return _Identified(row, "" if row else R.CARD_UNKNOWN, number)


def _rules(site: ReaderSite, card: _CardRow, direction: str, today: dt.date) -> str:
    """The refusal reason from the card and site alone ("" if none)."""
    if direction == Direction.OUT:
        return ""
    status, _ = public_status(
        state=card.state,
        reason_codes=card.reason_codes,
        valid_until=card.valid_until,
        today=today,
    )
    if status != PublicStatus.VALID:
        return STATUS_REASON.get(status, R.CARD_INVALID)
    if not card_valid_for(card.card_type, site.required_industry):
        return R.WRONG_CARD_TYPE
    if not card.on_site:
        return R.COMPANY_NOT_ON_SITE
    if not site.starts_on <= today <= site.ends_on:
        return R.SITE_CLOSED
    return ""


# --- presence: decided and recorded in one statement -----------------------------
#
# In the upsert's DO UPDATE, `p.*` is the card's presence row as last committed
# (locked), never an older snapshot. The anti-passback test "now - last entry <
# window" is written "last entry > now - window" (`cutoff`), so it needs no
# interval arithmetic and reads the same on SQLite.

_PASSBACK = "COALESCE(%(window_on)s AND p.last_in_at > %(cutoff)s, FALSE)"
_ENTRY_ADMITTED = f"(NOT p.inside AND NOT {_PASSBACK})"
_ADMITTED_REASONS = (R.OK, R.EXIT_WITHOUT_ENTRY)

# direction -> (values for a card never admitted here, SET for a known card)
_PRESENCE = {
    Direction.IN: (
        f"TRUE, %(at)s, '{R.OK}'",
        f"last_reason = CASE WHEN p.inside THEN '{R.ALREADY_INSIDE}' "
        f"WHEN {_PASSBACK} THEN '{R.PASSBACK_TOO_SOON}' ELSE '{R.OK}' END, "
        f"last_in_at = CASE WHEN {_ENTRY_ADMITTED} THEN %(at)s ELSE p.last_in_at END, "
        f"inside = p.inside OR {_ENTRY_ADMITTED}",
    ),
    Direction.OUT: (
        f"FALSE, NULL, '{R.EXIT_WITHOUT_ENTRY}'",
        f"last_reason = CASE WHEN p.inside THEN '{R.OK}' ELSE '{R.EXIT_WITHOUT_ENTRY}' END, "
        "inside = FALSE",
    ),
}
_EVENT_COLUMNS = (
    "site_id, reader_id, event_id, direction, method, at, admitted, reason, card_id, "
    "card_number, employer_orgnr"
)


def _decide_sql(direction: str) -> str:
    """PostgreSQL: the presence upsert and the event insert in one statement. Nothing
    happens for an event id this reader already recorded (no row returned)."""
    new, update = _PRESENCE[direction]
    admitted = ", ".join(f"'{r}'" for r in _ADMITTED_REASONS)
    return (
        f"WITH decided AS (INSERT INTO {_GP} AS p (site_id, card_id, inside, last_in_at, "
        f"last_reason) SELECT %(site)s, %(card)s, {new} WHERE NOT EXISTS (SELECT 1 FROM {_GE} e "
        "WHERE e.reader_id = %(reader)s AND e.event_id = %(event_id)s) "
        f"ON CONFLICT (site_id, card_id) DO UPDATE SET {update} RETURNING p.last_reason) "
        f"INSERT INTO {_GE} ({_EVENT_COLUMNS}) SELECT %(site)s, %(reader)s, %(event_id)s, "
        f"%(direction)s, %(method)s, %(at)s, decided.last_reason IN ({admitted}), "
        "decided.last_reason, %(card)s, %(card_number)s, %(employer_orgnr)s FROM decided "
        "RETURNING admitted, reason"
    )


def _upsert_sql(direction: str) -> str:
    """Other databases: the presence upsert alone (inside a transaction)."""
    new, update = _PRESENCE[direction]
    return (
        f"INSERT INTO {_GP} AS p (site_id, card_id, inside, last_in_at, last_reason) "
        f"VALUES (%(site)s, %(card)s, {new}) ON CONFLICT (site_id, card_id) DO UPDATE SET "
        f"{update} RETURNING last_reason"
    )


_DECIDE = {d: _decide_sql(d) for d in (Direction.IN, Direction.OUT)}
_UPSERT = {d: _upsert_sql(d) for d in (Direction.IN, Direction.OUT)}
_INSERT = (
    f"INSERT INTO {_GE} ({_EVENT_COLUMNS}) VALUES (%(site)s, %(reader)s, %(event_id)s, "
    "%(direction)s, %(method)s, %(at)s, %(admitted)s, %(reason)s, %(card)s, %(card_number)s, "
    "%(employer_orgnr)s) ON CONFLICT (reader_id, event_id) DO NOTHING RETURNING id"
)


def _params(
    site: ReaderSite, card: _CardRow | None, *, event_id: str, direction: str, method: str, at
) -> dict:
    window = dt.timedelta(minutes=site.anti_passback_minutes)
    return {
        "site": site.site_id,
        "reader": site.reader_id,
        "event_id": event_id,
        "direction": direction,
        "method": method,
        "at": at,
        "card": card.id if card else None,
        "card_number": card.card_number if card else "",
        "employer_orgnr": card.employer_orgnr if card else "",
        "window_on": bool(window),
        "cutoff": at - window,
    }


def _decide_and_record(db, params: dict) -> tuple[bool, str] | None:
    """Decide a card that passed the rules against its presence and record the event:
    (admitted, reason), or None if this reader already recorded this event id."""
    direction = params["direction"]
    if db.vendor != "postgresql":
        with transaction.atomic(using=db.alias):  # SQLite: IMMEDIATE, one writer at a time
            if _existing(db, params["reader"], params["event_id"]) is not None:
                return None
            cursor = _cursor(db)
            cursor.execute(_UPSERT[direction], params)
            reason = cursor.fetchone()[0]
            admitted = reason in _ADMITTED_REASONS
            _insert(db, dict(params, admitted=admitted, reason=reason))
        return admitted, reason
    try:
        if db.in_atomic_block:  # (tests; callers in a transaction) keep it usable
            with transaction.atomic(using=db.alias):
                cursor = _cursor(db)
                cursor.execute(_DECIDE[direction], params)
                row = cursor.fetchone()
        else:  # autocommit: the statement is its own transaction
            cursor = _cursor(db)
            cursor.execute(_DECIDE[direction], params)
            row = cursor.fetchone()
    except IntegrityError:
        # The same event id from this reader at the same moment: the first one
        # committed, and this statement (its presence update too) was undone.
        if _existing(db, params["reader"], params["event_id"]) is None:
            raise
        return None
    return None if row is None else (bool(row[0]), row[1])


def _insert(db, params: dict) -> bool:
    """Append an event decided without presence; False if this reader already
    recorded this event id."""
    cursor = _cursor(db)
    cursor.execute(_INSERT, params)
    return cursor.fetchone() is not None


def _existing(db, reader_id: int, event_id: str) -> Decision | None:
    with db.cursor() as cursor:
        cursor.execute(_EXISTING, [reader_id, event_id])
        row = cursor.fetchone()
    if row is None:
        return None
    at = row[4]
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return Decision(
        event_id=event_id,
        direction=row[0],
        admitted=bool(row[1]),
        reason=row[2],
        card_number=row[3],
        at=at,
        replayed=True,
    )


def gate_decide(
    *,
    site: ReaderSite,
    event_id: str,
    direction: str,
    presented: Presented,
    now: dt.datetime | None = None,
) -> Decision:
    """Decide one gate event and record it (idempotent per reader and event id:
    a retried id gets the first answer, and nothing new is recorded)."""
    db = connections[DEFAULT_DB_ALIAS]
    now = now or timezone.now()
    today = timezone.localdate(now)
    found = _identify(db, presented, site.site_id, now)
    card, reason = found.card, found.reason
    if card is not None and not reason:
        reason = _rules(site, card, direction, today)
    params = _params(
        site, card, event_id=event_id, direction=direction, method=method_of(presented), at=now
    )
    if card is not None and not reason:
        decided = _decide_and_record(db, params)
        if decided is not None:
            admitted, reason = decided
    else:
        admitted = False
        recorded = _insert(db, dict(params, admitted=False, reason=reason))
        decided = (admitted, reason) if recorded else None
    if decided is None:  # a retry (or the same id twice at once): the first answer stands
        previous = _existing(db, site.reader_id, event_id)
        if previous is None:  # pragma: no cover - the row we collided with must exist
            raise RuntimeError(f"gate event {event_id!r} collided but cannot be read")
        return previous
    return Decision(
        event_id=event_id,
        direction=direction,
        admitted=admitted,
        reason=reason,
        card_number=card.card_number if card else "",
        at=now,
        card=card,
        checked_number=found.checked_number,
    )
