"""Reads of the registers that other apps need: the change feed and portal look-ups.

All answers are plain records (never model instances).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from hmskort.registers import models as m
from hmskort.registers.adapters import LocalChangeFeed
from hmskort.registers.ports import ChangeRecord


def changes_since(
    sequence: int, *, register: str | None = None, limit: int = 1000
) -> list[ChangeRecord]:
    """Changes with a sequence number above `sequence`, oldest first (at most `limit`)."""
    return LocalChangeFeed().changes_since(sequence, register=register, limit=limit)


def latest_sequence() -> int:
    """The highest sequence number in the change feed (0 when empty)."""
    return LocalChangeFeed().latest_sequence()


@dataclass(frozen=True)
class CompanyRole:
    """A role a person holds in a company, with what a portal shows about the company."""

    organisasjonsnummer: str
    navn: str
    organisasjonsform: str
    rolletype: str
    fratraadt: bool
    slettet: bool
    konkurs: bool


def roles_for_person(identifikator: str, *, include_resigned: bool = False) -> list[CompanyRole]:
    """The companies a person holds roles in (by company name), one entry per role."""
    qs = m.Rolle.objects.filter(person_id=identifikator).select_related("enhet")
    if not include_resigned:
        qs = qs.filter(fratraadt=False)
    return [
        CompanyRole(
            organisasjonsnummer=r.enhet_id,
            navn=r.enhet.navn,
            organisasjonsform=r.enhet.organisasjonsform,
            rolletype=r.rolletype,
            fratraadt=r.fratraadt,
            slettet=r.enhet.slettedato is not None,
            konkurs=r.enhet.konkurs,
        )
        for r in qs.order_by("enhet__navn", "enhet_id", "rolletype")
    ]


@dataclass(frozen=True)
class EmploymentPeriod:
    source: str  # "AA" (Aa-registeret) or "OAR"
    startdato: dt.date
    sluttdato: dt.date | None


@dataclass(frozen=True)
class Employee:
    identifikator: str
    identifikatortype: str
    navn: str
    foedselsdato: dt.date
    perioder: tuple[EmploymentPeriod, ...]


@dataclass(frozen=True)
class EmployeePage:
    total: int
    offset: int
    limit: int
    items: tuple[Employee, ...]


def employees_of_company(
    orgnr: str, *, not_ended_before: dt.date | None = None, offset: int = 0, limit: int = 50
) -> EmployeePage:
    """The people employed by a company in Aa-registeret or posted by it in OAR, by name, paged.

    `not_ended_before` keeps only employments that have not ended before that day
    (future starts included). Four queries per page, however large the company.
    """
    aa = Q(arbeidsforhold__arbeidsgiver_id=orgnr)
    oar = Q(oppdrag__oppdrag__oppdragstaker_id=orgnr)
    if not_ended_before is not None:
        aa &= Q(arbeidsforhold__sluttdato__isnull=True) | Q(
            arbeidsforhold__sluttdato__gte=not_ended_before
        )
        oar &= Q(oppdrag__sluttdato__isnull=True) | Q(oppdrag__sluttdato__gte=not_ended_before)
    ids_qs = (
        m.Person.objects.filter(aa | oar)
        .values_list("identifikator", flat=True)
        .distinct()
        .order_by()
    )
    people_qs = m.Person.objects.filter(identifikator__in=ids_qs)
    total = people_qs.count()
    page = list(
        people_qs.order_by("etternavn", "fornavn", "identifikator")[offset : offset + limit]
    )
    ids = [p.identifikator for p in page]

    periods: dict[str, list[EmploymentPeriod]] = {i: [] for i in ids}
    for fnr, start, end in m.Arbeidsforhold.objects.filter(
        arbeidsgiver_id=orgnr, arbeidstaker_id__in=ids
    ).values_list("arbeidstaker_id", "startdato", "sluttdato"):
        periods[fnr].append(EmploymentPeriod("AA", start, end))
    for fnr, start, end in m.OppdragArbeidstaker.objects.filter(
        oppdrag__oppdragstaker_id=orgnr, arbeidstaker_id__in=ids
    ).values_list("arbeidstaker_id", "startdato", "sluttdato"):
        periods[fnr].append(EmploymentPeriod("OAR", start, end))

    items = tuple(
        Employee(
            identifikator=p.identifikator,
            identifikatortype=p.identifikatortype,
            navn=p.fulltnavn,
            foedselsdato=p.foedselsdato,
            perioder=tuple(sorted(periods[p.identifikator], key=lambda x: x.startdato)),
        )
        for p in page
    )
    return EmployeePage(total=total, offset=offset, limit=limit, items=items)
