"""Shaping answers: card rows and models -> the schema dicts. No queries here."""

from __future__ import annotations

import datetime as dt

from hmskort.api.errors import reasons_payload
from hmskort.api.selectors import (
    CardStatusRow,
    industry_name,
    public_status,
    status_text,
)
from hmskort.cards.models import Card
from hmskort.registers.selectors import Employee


def card_status(
    row: CardStatusRow, *, language: str, today: dt.date, order_reasons: bool = False
) -> dict:
    status, reasons = public_status(
        state=row.state,
        reason_codes=row.reason_codes,
        valid_until=row.valid_until,
        today=today,
        order_reasons=order_reasons,
    )
    return {
        "card_number": row.card_number,
        "status": status,
        "valid": status == "valid",
        "status_text": status_text(status, language),
        "reasons": reasons_payload(reasons, language),
        "card_type": row.card_type,
        "industry": industry_name(row.card_type, language),
        "employer": {"orgnr": row.employer_orgnr, "name": row.employer_name},
        "valid_until": row.valid_until,
    }


def company_card(card: Card, *, language: str, today: dt.date) -> dict:
    row = CardStatusRow(
        card.card_number,
        card.card_type,
        card.state,
        tuple(card.reason_codes or ()),
        card.employer_orgnr,
        card.employer_name,
        card.valid_until,
    )
    answer = card_status(row, language=language, today=today, order_reasons=True)
    answer.update(
        state=card.state,
        holder={"person_id": card.holder_id, "name": card.holder_name},
        issue_date=card.issue_date,
        state_changed_at=card.state_changed_at,
        block_reason=card.block_reason or "",
        created_at=card.created_at,
    )
    return answer


def employee(person: Employee, cards: list[Card], *, language: str, today: dt.date) -> dict:
    return {
        "person_id": person.identifikator,
        "id_type": person.identifikatortype,
        "name": person.navn,
        "birth_date": person.foedselsdato,
        "employments": [
            {"source": p.source, "start_date": p.startdato, "end_date": p.sluttdato}
            for p in person.perioder
        ],
        "cards": [company_card(c, language=language, today=today) for c in cards],
    }
