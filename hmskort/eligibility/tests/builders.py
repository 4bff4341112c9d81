"""Builders for eligibility facts: a company and worker that pass everything,
with keyword overrides for the one thing a test changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, is_dataclass, replace
from typing import Any

from hmskort.eligibility.facts import (
    ApprovalStatus,
    CompanyFacts,
    EmploymentFacts,
    EmploymentSource,
    ExceptionFacts,
    ExistingCard,
    ExistingCardKind,
    Facts,
    IdType,
    Period,
    PermitFacts,
    PersonFacts,
    PersonStatus,
)
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Purpose, Verdict

TODAY = dt.date(2025, 6, 16)


def day(offset: int, base: dt.date = TODAY) -> dt.date:
    return base + dt.timedelta(days=offset)


def company(**overrides: Any) -> CompanyFacts:
    values: dict[str, Any] = {
        "orgnr": "974760673",
        "name": "Byggmester Hansen AS",
        "organisation_form": "AS",
        "registered_on": dt.date(2015, 3, 1),
        "nace_codes": ("43.221",),
        "vat_registrations": (Period(start=dt.date(2015, 4, 1)),),
    }
    values.update(overrides)
    return CompanyFacts(**values)


def cleaning_company(**overrides: Any) -> CompanyFacts:
    values: dict[str, Any] = {
        "name": "Glans Renhold AS",
        "nace_codes": ("81.210",),
        "cleaning_approval": ApprovalStatus.APPROVED,
    }
    values.update(overrides)
    return company(**values)


def carcare_company(**overrides: Any) -> CompanyFacts:
    values: dict[str, Any] = {
        "name": "Dekkhotellet AS",
        "nace_codes": ("45.201",),
        "carcare_approval": ApprovalStatus.APPROVED,
    }
    values.update(overrides)
    return company(**values)


def person(**overrides: Any) -> PersonFacts:
    values: dict[str, Any] = {
        "identifier": "15076500565",
        "id_type": IdType.FNR,
        "name": "Kari Nordmann",
        "birth_date": dt.date(1965, 7, 15),
        "status": PersonStatus.RESIDENT,
        "citizenships": ("NO",),
    }
    values.update(overrides)
    return PersonFacts(**values)


def foreign_person(*permits: PermitFacts, **overrides: Any) -> PersonFacts:
    values: dict[str, Any] = {
        "identifier": "55076500123",
        "id_type": IdType.DNR,
        "name": "Olena Kovalenko",
        "status": PersonStatus.TEMPORARY,
        "citizenships": ("UA",),
        "permits": permits,
    }
    values.update(overrides)
    return person(**values)


def permit(*, valid_from: dt.date | None = None, valid_to: dt.date | None = None, work=True):
    return PermitFacts(work_access=work, valid=Period(start=valid_from, end=valid_to))


def employment(
    start: dt.date | None = dt.date(2020, 1, 1),
    end: dt.date | None = None,
    source: EmploymentSource = EmploymentSource.AAREG,
) -> EmploymentFacts:
    return EmploymentFacts(source=source, period=Period(start=start, end=end))


def waiver(*requirements: str, start=None, end=None) -> ExceptionFacts:
    return ExceptionFacts(waives=frozenset(requirements), valid=Period(start=start, end=end))


def card(kind: ExistingCardKind, valid_until: dt.date | None, card_type: str = "BA"):
    return ExistingCard(
        card_number="1234567890", card_type=card_type, kind=kind, valid_until=valid_until
    )


def facts(**overrides: Any) -> Facts:
    """Facts that pass every BA requirement; `company=None` etc. override."""
    values: dict[str, Any] = {
        "company": company(),
        "person": person(),
        "employments": (employment(),),
    }
    values.update(overrides)
    return Facts(**values)


def order(f: Facts, card_type: str = "BA", today: dt.date = TODAY, **kw: Any) -> Verdict:
    return evaluate(f, card_type=card_type, today=today, purpose=Purpose.ORDER, **kw)


def recheck(f: Facts, card_type: str = "BA", today: dt.date = TODAY) -> Verdict:
    return evaluate(f, card_type=card_type, today=today, purpose=Purpose.RECHECK)


def shift(obj: Any, days: int) -> Any:
    """`obj` with every date inside it (dataclasses, tuples) moved by `days`."""
    if isinstance(obj, dt.date):
        return obj + dt.timedelta(days=days)
    if is_dataclass(obj) and not isinstance(obj, type):
        return replace(obj, **{f.name: shift(getattr(obj, f.name), days) for f in fields(obj)})
    if isinstance(obj, tuple):
        return tuple(shift(item, days) for item in obj)
    return obj
