"""Reads for the re-checks: cards as light rows (no model instances), in bulk.

The hot path of the nightly run reads hundreds of thousands of cards; plain
SQL tuples turned into slotted rows cost a fraction of ORM instances (and
leave out what the decision does not read: no timestamps for issued cards).
`CardRow` has the attributes `cards.services.lifecycle.recheck_change` reads
(`pk`, `state`, `reason_codes`, `valid_until`, `shipped_at`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.utils.dateparse import parse_datetime

from hmskort.cards.models import Card, CardState
from hmskort.cards.services.lifecycle import RECHECKED_STATES
from hmskort.registers.adapters import key_chunks
from hmskort.registers.ports import ChangeRecord

#: What the re-checks look at: issued cards that can still change, and open orders.
CHECKED_STATES: frozenset[str] = frozenset(RECHECKED_STATES | {CardState.PENDING})


@dataclass(slots=True)
class CardRow:
    pk: int
    employer_orgnr: str
    holder_id: str
    card_type: str
    state: str
    reason_codes: tuple[str, ...]
    valid_until: dt.date | None
    shipped: bool
    created_at: dt.datetime | None  # read for pending orders only (their timeout)
    replaces_state: str | None  # state of the card this order replaces (lost-card rule)

    @property
    def pair(self) -> tuple[str, str]:
        return (self.employer_orgnr, self.holder_id)

    @property
    def shipped_at(self) -> bool | None:
        """Not None once shipped (all `reactivation_state` asks; the time is not read)."""
        return True if self.shipped else None


_SELECT = (
    "SELECT c.id, c.employer_orgnr, c.holder_id, c.card_type, c.state, c.reason_codes, "
    "c.valid_until, c.shipped_at IS NOT NULL, "
    "CASE WHEN c.state = %s THEN c.created_at END, r.state "
    "FROM {card} c LEFT JOIN {card} r ON r.id = c.replaces_id"
)

#: Decoded reason-code lists by their JSON text: cards share a handful of them.
_codes_memo: dict[str, tuple[str, ...]] = {}


def _codes(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, str):  # a driver that decodes JSON itself
        return tuple(value)
    codes = _codes_memo.get(value)
    if codes is None:
        codes = tuple(json.loads(value))
        if len(_codes_memo) < 10_000:
            _codes_memo[value] = codes
    return codes


def _aware(value) -> dt.datetime | None:
    """A timestamp from a raw cursor: PostgreSQL gives it aware; SQLite gives the
    stored UTC text (or a naive datetime) that the ORM would have converted."""
    if value is None or isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _in(column: str, values: list) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _rows(where: str, params: list, states: Collection[str]) -> list[CardRow]:
    state_sql, state_params = _in("c.state", sorted(str(s) for s in states))
    sql = _SELECT.format(card=connection.ops.quote_name(Card._meta.db_table))
    sql += f" WHERE {where} AND {state_sql} ORDER BY c.id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(CardState.PENDING), *params, *state_params])
        return [
            CardRow(
                pk,
                org,
                holder,
                ctype,
                state,
                _codes(codes),
                until,
                bool(shipped),
                _aware(made),
                rep,
            )
            for pk, org, holder, ctype, state, codes, until, shipped, made, rep in cursor.fetchall()
        ]


def card_rows_in_range(
    *, id_from: int, id_to: int, states: Collection[str] = CHECKED_STATES
) -> list[CardRow]:
    """Cards with id_from <= id <= id_to in `states`, by id (one query)."""
    return _rows("c.id BETWEEN %s AND %s", [id_from, id_to], states)


def card_id_ranges(*, states: Collection[str], chunk_size: int) -> list[tuple[int, int]]:
    """Contiguous, inclusive id ranges holding about `chunk_size` cards in `states` each.

    The ranges cover every id from 1 to the highest id in `states`, so a card
    that enters one of the states later still falls in some range. One query
    that returns only the range ends (every `chunk_size`-th id, and the last).
    """
    state_sql, state_params = _in("state", sorted(str(s) for s in states))
    table = connection.ops.quote_name(Card._meta.db_table)
    sql = (
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n, COUNT(*) OVER () AS total "
        f"FROM {table} WHERE {state_sql}) AS numbered WHERE n %% %s = 0 OR n = total ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*state_params, chunk_size])
        ends = [end for (end,) in cursor.fetchall()]
    if not ends:
        return []
    starts = [1] + [end + 1 for end in ends[:-1]]
    return list(zip(starts, ends, strict=True))


def card_ids_in_states(
    *, states: Collection[str], batch: int = 5000, valid_before: dt.date | None = None
) -> Iterator[list[int]]:
    """Ids of cards in `states` (and valid_until < `valid_before` if given), in
    batches by id (keyset pagination)."""
    qs = Card.objects.filter(state__in=list(states))
    if valid_before is not None:
        qs = qs.filter(valid_until__lt=valid_before)
    last = 0
    while True:
        ids = list(qs.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return
        yield ids
        last = ids[-1]


def card_rows_for_changes(
    changes: Iterable[ChangeRecord], *, states: Collection[str] = CHECKED_STATES
) -> list[CardRow]:
    """The cards in `states` that register changes touch, by id.

    A change naming only an organisation (company, VAT, approvals, assignments)
    touches every card of that employer; one naming only a person (status,
    permits) every card of that person; one naming both (employment, role,
    personal exception) the cards of that employment.
    """
    orgnrs: set[str] = set()
    fnrs: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for c in changes:
        if c.orgnr and c.fnr:
            pairs.add((c.orgnr, c.fnr))
        elif c.orgnr:
            orgnrs.add(c.orgnr)
        elif c.fnr:
            fnrs.add(c.fnr)
    found: dict[int, CardRow] = {}
    for chunk in key_chunks(orgnrs):
        for row in _rows(*_in("c.employer_orgnr", chunk), states):
            found[row.pk] = row
    for chunk in key_chunks(fnrs | {f for _, f in pairs}):
        for row in _rows(*_in("c.holder_id", chunk), states):
            if row.holder_id in fnrs or row.pair in pairs:
                found[row.pk] = row
    return [found[k] for k in sorted(found)]
