"""Reads behind the API. Nothing here writes.

Level 1 answers carry no personal data; level 2 reads are always scoped to the
client's company (`orgnr`) and answer None for anything outside it, so callers
can return 404 without revealing that the thing exists.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from hmskort.api import statuscache
from hmskort.api.models import ApiCardOrder
from hmskort.cards.models import Card, CardState
from hmskort.cards.numbers import is_valid_card_number, normalize_card_number
from hmskort.cards.status import (  # noqa: F401  (re-exported for the API)
    NOT_ISSUED,
    PUBLIC_STATUSES,
    STATUS_TEXT,
    PublicStatus,
    public_status,
    status_text,
)
from hmskort.eligibility.industries import get_industry
from hmskort.registers.adapters import get_ports
from hmskort.registers.selectors import Employee, EmploymentPeriod

S = CardState


@dataclass(frozen=True)
class CardStatusRow:
    """What a level-1 status answer is built from: no personal data at all."""

    card_number: str
    card_type: str
    state: str
    reason_codes: tuple[str, ...]
    employer_orgnr: str
    employer_name: str
    valid_until: dt.date | None


_STATUS_COLUMNS = (
    "card_number",
    "card_type",
    "state",
    "reason_codes",
    "employer_orgnr",
    "employer_name",
    "valid_until",
)
# The hot path's one query, written out: the ORM's query compilation costs more
# than the indexed look-up itself (see bench/status_load.py).
_STATUS_SQL = (
    f"SELECT {', '.join(_STATUS_COLUMNS)} FROM {Card._meta.db_table} WHERE card_number = %s"
)


def _status_cursor():
    """On PostgreSQL, a server-side-binding cursor, so psycopg prepares the
    statement once per connection (after its fifth use) and the server skips
    parsing and planning on every later look-up. (Behind a transaction-mode
    pooler, set prepare_threshold=None in the database OPTIONS.) Django's
    wrapper is kept, so query logging and execute wrappers still apply."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        return connection._prepare_cursor(psycopg.Cursor(connection.connection))
    return connection.cursor()


def card_status_row(card_number: str) -> CardStatusRow | None:
    """The status columns of one card (one query on the unique index); None,
    without a query, for a malformed number (wrong length or check digit)."""
    number = normalize_card_number(card_number or "")
    if not is_valid_card_number(number):
        return None
    # From this process's memory while PostgreSQL's change notifications keep it
    # true (hmskort/api/statuscache.py); otherwise straight from the database.
    return statuscache.cache.fetch(number, _load_status_row)


def _load_status_row(number: str) -> CardStatusRow | None:
    with _status_cursor() as cursor:
        cursor.execute(_STATUS_SQL, [number])
        row = cursor.fetchone()
    if row is None:
        return None
    number, card_type, state, reasons, orgnr, employer, valid_until = row
    if isinstance(reasons, str):  # JSON text from the driver
        reasons = json.loads(reasons)
    if isinstance(valid_until, str):
        valid_until = dt.date.fromisoformat(valid_until)
    return CardStatusRow(
        number, card_type, state, tuple(reasons or ()), orgnr, employer, valid_until
    )


def industry_name(card_type: str, language: str) -> str:
    industry = get_industry(card_type)
    return industry.name(language) if industry else card_type


@dataclass(frozen=True)
class Holder:
    name: str
    birth_date: dt.date | None


def card_holder(card_number: str) -> tuple[CardStatusRow, str, Holder] | None:
    """The card's status, the holder's identifier and what the card shows about
    them (name as printed, birth date from Folkeregisteret). For QR / chip look-ups."""
    number = normalize_card_number(card_number or "")
    if not is_valid_card_number(number):
        return None
    card = Card.objects.filter(card_number=number).first()
    if card is None:
        return None
    person = get_ports().folkeregisteret.personer([card.holder_id]).get(card.holder_id)
    row = CardStatusRow(
        card.card_number,
        card.card_type,
        card.state,
        tuple(card.reason_codes or ()),
        card.employer_orgnr,
        card.employer_name,
        card.valid_until,
    )
    return row, card.holder_id, Holder(card.holder_name, person.foedselsdato if person else None)


# --- level 2: always within one company ---------------------------------------


def company_cards(
    orgnr: str, *, state: str | None = None, holder_id: str | None = None
) -> QuerySet[Card]:
    qs = Card.objects.filter(employer_orgnr=orgnr)
    if state:
        qs = qs.filter(state=state)
    if holder_id:
        qs = qs.filter(holder_id=holder_id)
    return qs.order_by("-created_at", "-id")


def company_card_get(orgnr: str, card_number: str) -> Card | None:
    number = normalize_card_number(card_number or "")
    if not is_valid_card_number(number):
        return None
    return Card.objects.filter(employer_orgnr=orgnr, card_number=number).first()


def company_cards_by_holder(orgnr: str, holder_ids: list[str]) -> dict[str, list[Card]]:
    result: dict[str, list[Card]] = {h: [] for h in holder_ids}
    if holder_ids:
        for card in Card.objects.filter(employer_orgnr=orgnr, holder_id__in=holder_ids).order_by(
            "-created_at", "-id"
        ):
            result[card.holder_id].append(card)
    return result


def company_employee_get(orgnr: str, person_id: str) -> Employee | None:
    """One person employed by (Aa-registeret) or posted by (OAR) the company,
    whatever the period; None if the person has no such relation to it."""
    if not person_id or not person_id.isdigit() or len(person_id) != 11:
        return None
    ports = get_ports()
    periods = [
        EmploymentPeriod("AA", a.startdato, a.sluttdato)
        for a in ports.aareg.arbeidsforhold_for_personer([person_id]).get(person_id, ())
        if a.arbeidsgiver == orgnr
    ] + [
        EmploymentPeriod("OAR", u.startdato, u.sluttdato)
        for u in ports.oar.utsendinger_for_personer([person_id]).get(person_id, ())
        if u.oppdragstaker == orgnr
    ]
    if not periods:
        return None
    person = ports.folkeregisteret.personer([person_id]).get(person_id)
    if person is None:
        return None
    return Employee(
        identifikator=person.identifikator,
        identifikatortype=person.identifikatortype,
        navn=person.fulltnavn,
        foedselsdato=person.foedselsdato,
        perioder=tuple(sorted(periods, key=lambda p: p.startdato)),
    )


def company_orders(orgnr: str) -> QuerySet[ApiCardOrder]:
    return ApiCardOrder.objects.filter(orgnr=orgnr).select_related("card").order_by("-id")


def company_order_get(orgnr: str, order_id: int) -> ApiCardOrder | None:
    return company_orders(orgnr).filter(pk=order_id).first()
