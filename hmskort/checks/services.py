"""The register re-checks: full (nightly), incremental (change feed), pending orders, expiry.

All of them are set-based: per chunk of cards they read the cards in one
query, the register facts in bulk (`registers.facts.facts_for_pairs`, a fixed
number of queries per chunk; on PostgreSQL one query per register), evaluate
the pure rules in memory, and write only the cards that change, through the
card state machine's bulk transition (`card_transition_bulk`: one history row
and one event per change, no-ops skipped). They are idempotent: run again for
the same day, they find nothing left to change.

A worker process keeps the companies' facts between the chunks of one full
run (`_companies_for_run`): many cards share a company.

The full run keeps a chunk ledger (`RecheckChunk`): a chunk's card changes and
its "finished" mark commit in one transaction, and re-running the same day
resumes the unfinished run, skipping the chunks already done. Chunks run as
Celery tasks when a broker is configured, in-process otherwise.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from hmskort.cards.models import ActorType, CardState
from hmskort.cards.selectors import order_facts_for_pairs
from hmskort.cards.services.lifecycle import RECHECKED_STATES, pending_decision, recheck_change
from hmskort.cards.services.transitions import CardChange, card_transition_bulk
from hmskort.checks.models import FeedCursor, RecheckChunk, RecheckKind, RecheckRun
from hmskort.checks.selectors import (
    CardRow,
    card_id_ranges,
    card_ids_in_states,
    card_rows_for_changes,
    card_rows_in_range,
)
from hmskort.eligibility.reasons import ReasonCode, blocks_auto_cancel
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Purpose
from hmskort.registers.adapters import LocalChangeFeed
from hmskort.registers.facts import CompanyCache, facts_for_pairs
from hmskort.registers.selectors import latest_sequence

logger = logging.getLogger(__name__)

S = CardState

#: A pending order older than this many days (from its creation) is cancelled,
#: unless it waits for something the orderer cannot speed up (see
#: `reasons.blocks_auto_cancel`, e.g. an RH company awaiting approval).
PENDING_TIMEOUT_DAYS = 20
#: The change-feed consumer name of the incremental re-check.
RECHECK_CURSOR = "recheck"
#: Cards per chunk of the full run (a Celery task each). Big enough that the
#: per-chunk overhead (ledger, locks, one query per register) stays small.
DEFAULT_CHUNK_SIZE = 5000

_PENDING = (S.PENDING,)
_ISSUED = tuple(RECHECKED_STATES)


@dataclass(frozen=True)
class Tally:
    checked: int = 0
    changed: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.checked + other.checked, self.changed + other.changed)


# --- deciding, in memory -------------------------------------------------------------------


def _issued_changes(
    rows: Sequence[CardRow], *, today: dt.date, companies: CompanyCache | None = None
) -> list[CardChange]:
    """What the re-check does to issued cards (RECHECK purpose; expiry included)."""
    live = [r for r in rows if r.valid_until is None or r.valid_until >= today]
    facts = facts_for_pairs({r.pair for r in live}, companies=companies) if live else {}
    changes = []
    recheck = Purpose.RECHECK
    for row in rows:
        verdict = None
        if row.valid_until is None or row.valid_until >= today:
            verdict = evaluate(
                facts[row.pair], card_type=row.card_type, today=today, purpose=recheck
            )
        change = recheck_change(card=row, verdict=verdict, today=today)  # type: ignore[arg-type]
        if change is not None:
            changes.append(change)
    return changes


def pending_is_overdue(row: CardRow, *, today: dt.date) -> bool:
    """Pending for more than PENDING_TIMEOUT_DAYS days (day 20 waits, day 21 is cancelled)."""
    created = timezone.localdate(row.created_at)
    return (today - created).days > PENDING_TIMEOUT_DAYS


def _pending_changes(
    rows: Sequence[CardRow], *, today: dt.date, cancel_overdue: bool
) -> list[CardChange]:
    """What order processing does to pending cards (ORDER purpose, same rules as ordering).

    PASS -> in production; FAIL -> rejected with the failing reasons; still
    pending -> the current reasons, or cancelled (ORDER_CANCELLED_TIMEOUT) when
    overdue and nothing blocks auto-cancel.
    """
    if not rows:
        return []
    # Other cards of the same employment count at ORDER; a pending card never counts
    # itself (and there is at most one pending card per employment).
    facts = order_facts_for_pairs({r.pair for r in rows}, exclude_card_ids=[r.pk for r in rows])
    changes = []
    for row in rows:
        verdict = evaluate(
            facts[row.pair],
            card_type=row.card_type,
            today=today,
            purpose=Purpose.ORDER,
            replaces_lost_card=row.replaces_state == S.BLOCKED,
        )
        to_state, codes = pending_decision(verdict)
        if to_state != S.PENDING:
            changes.append(CardChange(row.pk, to_state, tuple(codes)))
        elif (
            cancel_overdue
            and pending_is_overdue(row, today=today)
            and not blocks_auto_cancel(codes)
        ):
            changes.append(
                CardChange(row.pk, S.CANCELLED, (str(ReasonCode.ORDER_CANCELLED_TIMEOUT),))
            )
        elif sorted(codes) != sorted(row.reason_codes or []):
            changes.append(CardChange(row.pk, S.PENDING, tuple(codes)))
    return changes


def _apply(changes: list[CardChange], *, today: dt.date, actor: str) -> int:
    if not changes:
        return 0
    return card_transition_bulk(
        changes=changes, actor_type=ActorType.JOB, actor=actor, today=today, skip_illegal=True
    )


def _check_rows(
    rows: Sequence[CardRow],
    *,
    today: dt.date,
    actor: str,
    cancel_overdue: bool,
    companies: CompanyCache | None = None,
) -> Tally:
    issued = [r for r in rows if r.state in RECHECKED_STATES]
    pending = [r for r in rows if r.state == S.PENDING]
    with _gc_paused():
        changes = _issued_changes(issued, today=today, companies=companies)
        changes += _pending_changes(pending, today=today, cancel_overdue=cancel_overdue)
    return Tally(len(rows), _apply(changes, today=today, actor=actor))


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while a chunk builds its facts and verdicts.

    They are tens of thousands of small objects freed by reference counting;
    the collector, triggered by their allocation, would traverse the whole
    heap again and again for nothing (measured: ~40% of the facts' time).
    Whatever cyclic garbage a chunk leaves is collected afterwards as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _actor(run: RecheckRun | int) -> str:
    return f"recheck:{run if isinstance(run, int) else run.pk}"


#: Advisory lock that orders the full run's chunks (shared: they run in parallel)
#: against the incremental run and order processing (exclusive). A chunk decides
#: from facts it read before writing; without the lock an incremental batch could
#: write a newer decision in between and the chunk would overwrite it with an older
#: one. (SQLite runs every write transaction alone: nothing to do there.)
RECHECK_LOCK_KEY = 0x484D5343  # "HMSC"


def _lock_cards_for_check(*, shared: bool) -> None:
    if connection.vendor != "postgresql":
        return
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {fn}(%s)", [RECHECK_LOCK_KEY])


# --- full re-check ----------------------------------------------------------------------------


def _run_inline() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True))


@transaction.atomic
def _full_run_for(*, today: dt.date, chunk_size: int) -> RecheckRun:
    """The unfinished full run for `today` (resumed), or a new one with its chunk ledger."""
    run = (
        RecheckRun.objects.select_for_update()
        .filter(kind=RecheckKind.FULL, today=today, finished__isnull=True)
        .order_by("-id")
        .first()
    )
    if run is not None:
        return run
    ranges = card_id_ranges(states=_ISSUED, chunk_size=chunk_size)
    run = RecheckRun.objects.create(
        kind=RecheckKind.FULL,
        today=today,
        started=timezone.now(),
        chunks_total=len(ranges),
        sequence_from=latest_sequence(),
    )
    RecheckChunk.objects.bulk_create(RecheckChunk(run=run, id_from=a, id_to=b) for a, b in ranges)
    return run


def recheck_full(
    *, today: dt.date, chunk_size: int = DEFAULT_CHUNK_SIZE, inline: bool | None = None
) -> RecheckRun:
    """Re-check every issued card (in production, active, invalid) against the registers.

    Cards past their validity expire (CARD_EXPIRED). Runs the unfinished chunks of
    today's run (a new run if there is none): as a Celery group when a broker is
    configured (returns at once; the last chunk to finish closes the run), else
    in-process (returns the finished run). `inline` overrides the choice.
    """
    run = _full_run_for(today=today, chunk_size=chunk_size)
    todo = list(
        run.chunks.filter(finished__isnull=True).order_by("id_from").values_list("id_from", "id_to")
    )
    if inline if inline is not None else _run_inline():
        for id_from, id_to in todo:
            recheck_chunk(run_id=run.pk, id_from=id_from, id_to=id_to, today=today)
    elif todo:
        from celery import group

        from hmskort.checks.tasks import recheck_chunk_task

        group(
            recheck_chunk_task.s(run.pk, id_from, id_to, today.isoformat())
            for id_from, id_to in todo
        ).apply_async()
    _finish_if_done(run.pk)
    run.refresh_from_db()
    return run


def recheck_chunk(*, run_id: int, id_from: int, id_to: int, today: dt.date) -> Tally:
    """Re-check the issued cards with id_from <= id <= id_to; once per run (ledger)."""
    with transaction.atomic():
        chunk = (
            RecheckChunk.objects.select_for_update().filter(run_id=run_id, id_from=id_from).first()
        )
        if chunk is None:
            raise ValueError(f"run {run_id} has no chunk starting at card id {id_from}")
        if chunk.finished is not None:
            return Tally()
        _lock_cards_for_check(shared=True)
        companies = _companies_for_run(run_id)
        rows = card_rows_in_range(id_from=id_from, id_to=id_to, states=_ISSUED)
        tally = _check_rows(
            rows, today=today, actor=_actor(run_id), cancel_overdue=False, companies=companies
        )
        chunk.finished = timezone.now()
        chunk.cards_checked, chunk.cards_changed = tally.checked, tally.changed
        chunk.save(update_fields=["finished", "cards_checked", "cards_changed"])
    _finish_if_done(run_id)
    return tally


@dataclass
class _RunCompanies:
    run_id: int
    stamp: tuple
    cache: CompanyCache


#: This worker process's company facts for the full run it is working on.
_run_companies: _RunCompanies | None = None


def _cursor_stamp() -> tuple:
    row = FeedCursor.objects.filter(name=RECHECK_CURSOR).values_list("sequence", "gaps").first()
    return (row[0], repr(row[1])) if row else (0, "")


def _companies_for_run(run_id: int) -> CompanyCache:
    """The company facts this process read for earlier chunks of run `run_id`.

    Call it holding the shared re-check lock. A company read for an earlier
    chunk may have changed since; that is harmless while the change is still
    ahead of the incremental re-check's cursor (the incremental run decides
    those cards afterwards, and its decision stands), but once the incremental
    run has processed it, a chunk deciding from the older facts would undo
    that newer decision. So the cache is dropped whenever the cursor has moved
    since the last chunk (at most every few minutes; a full run is re-read at
    most that often). A new run starts a new cache.
    """
    global _run_companies
    stamp = _cursor_stamp()
    held = _run_companies
    if held is None or held.run_id != run_id or held.stamp != stamp:
        held = _run_companies = _RunCompanies(run_id, stamp, CompanyCache())
    return held.cache


def _finish_if_done(run_id: int) -> bool:
    """Close the run when no chunk is left (runs after each chunk's commit, so the
    last chunk to commit always sees every other one finished)."""
    unfinished = RecheckChunk.objects.filter(run_id=OuterRef("pk"), finished__isnull=True)
    with transaction.atomic():
        run = (
            RecheckRun.objects.select_for_update()
            .filter(pk=run_id, finished__isnull=True)
            .exclude(Exists(unfinished))
            .first()
        )
        if run is None:
            return False
        sums = run.chunks.aggregate(checked=Sum("cards_checked"), changed=Sum("cards_changed"))
        run.chunks_done = run.chunks.count()
        run.cards_checked = sums["checked"] or 0
        run.cards_changed = sums["changed"] or 0
        run.finished = timezone.now()
        run.save()
    return True


# --- incremental re-check ---------------------------------------------------------------------


#: How long the incremental re-check keeps waiting for a gap in the change feed
#: (a sequence number below its cursor that was not visible when it read past
#: it): longer than any register write transaction runs. A gap left by a
#: rolled-back transaction never fills and is forgotten after this long.
FEED_GAP_TIMEOUT = dt.timedelta(minutes=30)
#: At most this many open gap ranges are kept (the oldest are dropped first).
FEED_MAX_GAPS = 1000

#: A gap: inclusive range of sequence numbers and when it was first seen (ISO 8601).
Gap = tuple[int, int, str]


def feed_cursor_get(*, name: str = RECHECK_CURSOR) -> int:
    return FeedCursor.objects.filter(name=name).values_list("sequence", flat=True).first() or 0


def feed_cursor_set(*, sequence: int | None = None, name: str = RECHECK_CURSOR) -> FeedCursor:
    """Move the cursor (default: to the end of the feed, e.g. right after a full run),
    forgetting its open gaps."""
    if sequence is None:
        sequence = latest_sequence()
    cursor, _ = FeedCursor.objects.update_or_create(
        name=name, defaults={"sequence": sequence, "gaps": []}
    )
    return cursor


def feed_gaps_open(gaps: Sequence[Gap], *, now: dt.datetime) -> list[Gap]:
    """The gaps still worth waiting for (seen less than FEED_GAP_TIMEOUT ago)."""
    oldest = now - FEED_GAP_TIMEOUT
    return [
        (low, high, seen) for low, high, seen in gaps if dt.datetime.fromisoformat(seen) >= oldest
    ]


def feed_advance(
    sequence: int, gaps: Sequence[Gap], read: Sequence[int], *, now: dt.datetime
) -> tuple[int, list[Gap]]:
    """The cursor after processing the changes `read` (sorted sequence numbers,
    each above `sequence` or inside one of `gaps`).

    Gaps lose the numbers read; numbers above `sequence` skipped by `read`
    (written by a transaction not yet committed, or rolled back) become new
    gaps, seen `now`. Returns (new sequence, open gaps).
    """
    seen_now = now.isoformat()
    below = sorted(n for n in read if n <= sequence)
    result: list[Gap] = []
    for low, high, seen in gaps:
        start = low
        for n in below:
            if low <= n <= high:
                if n > start:
                    result.append((start, n - 1, seen))
                start = n + 1
        if start <= high:
            result.append((start, high, seen))
    expected = sequence + 1
    for n in read:
        if n < expected:
            continue
        if n > expected:
            result.append((expected, n - 1, seen_now))
        expected = n + 1
    if len(result) > FEED_MAX_GAPS:
        logger.warning("change feed: %d open gaps, dropping the oldest", len(result))
        result = sorted(result, key=lambda g: g[2])[-FEED_MAX_GAPS:]
    return max(sequence, expected - 1), sorted(result)


def recheck_incremental(*, today: dt.date, batch_size: int = 5000) -> RecheckRun:
    """Re-check only the cards touched by register changes since the stored cursor.

    Issued cards get the RECHECK rules (an ended employment makes the card
    invalid, re-registered within validity re-activates it); pending orders the
    ORDER rules (effectuated or rejected as the registers change; timeouts are
    left to `orders_process_pending`). Per batch of changes, the card writes and
    the cursor advance commit in one transaction.

    Changes that commit late with a lower sequence number than one already read
    are not skipped: the cursor keeps such gaps (`FeedCursor.gaps`) and every
    run reads them again until they fill or FEED_GAP_TIMEOUT passes. Deciding
    a card again is idempotent, so reading a change twice costs nothing.
    """
    FeedCursor.objects.get_or_create(name=RECHECK_CURSOR)
    run = RecheckRun.objects.create(
        kind=RecheckKind.INCREMENTAL,
        today=today,
        started=timezone.now(),
        sequence_from=feed_cursor_get(),
    )
    total = Tally()
    feed = LocalChangeFeed()
    while True:
        with transaction.atomic():
            cursor = FeedCursor.objects.select_for_update().get(name=RECHECK_CURSOR)
            _lock_cards_for_check(shared=False)
            now = timezone.now()
            gaps = feed_gaps_open([tuple(g) for g in cursor.gaps or []], now=now)
            changes = feed.changes_since(
                cursor.sequence, also=[(low, high) for low, high, _ in gaps], limit=batch_size
            )
            if not changes:
                if len(gaps) != len(cursor.gaps or []):
                    cursor.gaps = [list(g) for g in gaps]
                    cursor.save(update_fields=["gaps", "updated"])
                break
            rows = card_rows_for_changes(changes)
            total += _check_rows(rows, today=today, actor=_actor(run), cancel_overdue=False)
            sequence, gaps = feed_advance(
                cursor.sequence, gaps, [c.sequence for c in changes], now=now
            )
            cursor.sequence, cursor.gaps = sequence, [list(g) for g in gaps]
            cursor.save(update_fields=["sequence", "gaps", "updated"])
            run.changes_read += len(changes)
            run.chunks_done += 1
    run.chunks_total = run.chunks_done
    run.sequence_to = feed_cursor_get()
    run.cards_checked, run.cards_changed = total.checked, total.changed
    run.finished = timezone.now()
    run.save()
    return run


# --- pending orders and expiry ----------------------------------------------------------------


def _batched_run(
    *,
    kind: RecheckKind,
    today: dt.date,
    states: Sequence[str],
    batch: int,
    work,
    valid_before: dt.date | None = None,
) -> RecheckRun:
    run = RecheckRun.objects.create(kind=kind, today=today, started=timezone.now())
    total = Tally()
    for ids in card_ids_in_states(states=states, batch=batch, valid_before=valid_before):
        with transaction.atomic():
            total += work(ids, run)
        run.chunks_done += 1
    run.chunks_total = run.chunks_done
    run.cards_checked, run.cards_changed = total.checked, total.changed
    run.finished = timezone.now()
    run.save()
    return run


def orders_process_pending(*, today: dt.date, batch: int = DEFAULT_CHUNK_SIZE) -> RecheckRun:
    """Decide every pending order again, in bulk: PASS -> in production (issued
    today), FAIL -> rejected with its reasons, pending for more than
    PENDING_TIMEOUT_DAYS days -> cancelled (ORDER_CANCELLED_TIMEOUT) unless an
    RH company awaits approval.

    An order goes to production only with its photo and ID document approved
    (`Facts.documents` from `order_facts_for_pairs`, read in bulk per chunk);
    until then it stays pending with DOCUMENTS_MISSING / _UNDER_REVIEW /
    _REJECTED, and the 20-day auto-cancel still applies."""

    def work(ids: list[int], run: RecheckRun) -> Tally:
        _lock_cards_for_check(shared=False)
        rows = card_rows_in_range(id_from=ids[0], id_to=ids[-1], states=_PENDING)
        return _check_rows(rows, today=today, actor=_actor(run), cancel_overdue=True)

    return _batched_run(
        kind=RecheckKind.PENDING, today=today, states=_PENDING, batch=batch, work=work
    )


def cards_expire(*, today: dt.date, batch: int = 5000) -> RecheckRun:
    """Issued cards past their validity (valid_until < today) -> expired (CARD_EXPIRED),
    on the first day after their last valid day."""

    def work(ids: list[int], run: RecheckRun) -> Tally:
        rows = card_rows_in_range(id_from=ids[0], id_to=ids[-1], states=_ISSUED)
        rows = [r for r in rows if r.valid_until is not None and r.valid_until < today]
        changes = [CardChange(r.pk, S.EXPIRED, (str(ReasonCode.CARD_EXPIRED),)) for r in rows]
        return Tally(len(rows), _apply(changes, today=today, actor=_actor(run)))

    return _batched_run(
        kind=RecheckKind.EXPIRY,
        today=today,
        states=_ISSUED,
        batch=batch,
        work=work,
        valid_before=today,
    )
