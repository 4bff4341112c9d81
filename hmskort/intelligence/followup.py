"""Follow-up registers: the monthly VAT self-declaration export for Skatteetaten,
and cleaning companies ready for final approval (seed 000, 001)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from hmskort.cards.models import Card, CardState
from hmskort.cards.services.transitions import VALID_STATES
from hmskort.eligibility.reasons import ReasonCode
from hmskort.registers import models as reg

from .statistics import add_months


@dataclass(frozen=True)
class VatDeclarationRow:
    orgnr: str
    name: str
    organisation_form: str
    declared_on: dt.date
    withdrawn_on: dt.date | None
    status: str  # "ny" (declared this month), "trukket" (withdrawn this month), "løpende"
    valid_cards: int


def vat_self_declarations(*, month: dt.date) -> list[VatDeclarationRow]:
    """Declarations in force at some point in `month` (any day of it)."""
    start = month.replace(day=1)
    end = add_months(start, 1) - dt.timedelta(days=1)
    rows = (
        reg.MvaEgenerklaering.objects.filter(erklaert_dato__lte=end)
        .filter(Q(trukket_dato__isnull=True) | Q(trukket_dato__gte=start))
        .values_list(
            "enhet_id",
            "enhet__navn",
            "enhet__organisasjonsform",
            "erklaert_dato",
            "trukket_dato",
        )
        .order_by("enhet_id", "erklaert_dato")
    )
    rows = list(rows)
    orgnrs = {r[0] for r in rows}
    cards = dict(
        Card.objects.filter(employer_orgnr__in=orgnrs, state__in=list(VALID_STATES))
        .values("employer_orgnr")
        .annotate(n=Count("id"))
        .values_list("employer_orgnr", "n")
    )
    result = []
    for orgnr, name, form, declared, withdrawn in rows:
        if withdrawn is not None and withdrawn <= end:
            status = "trukket"
        elif declared >= start:
            status = "ny"
        else:
            status = "løpende"
        result.append(
            VatDeclarationRow(orgnr, name, form, declared, withdrawn, status, cards.get(orgnr, 0))
        )
    return result


@dataclass(frozen=True)
class CleaningFollowupRow:
    orgnr: str
    name: str
    status_since: dt.date
    cleaners: int  # active employments in Aa-registeret today
    covered: int  # of them, holding a valid RH card (or an RH order waiting only for the approval)

    @property
    def ready(self) -> bool:
        return self.cleaners > 0 and self.covered >= self.cleaners

    @property
    def missing(self) -> int:
        return max(self.cleaners - self.covered, 0)


def cleaning_approval_followup(*, today: dt.date) -> list[CleaningFollowupRow]:
    """Companies in "søkt, kan bestille": ready for final approval once every cleaner
    they employ in Aa-registeret holds an RH card (ready ones first).

    While the company waits, its RH orders stay pending with only
    CLEANING_APPROVAL_AWAITED (seed 001): such an order counts as the cleaner's card,
    as does a valid RH card.
    """
    rh_card = Card.objects.filter(
        employer_orgnr=OuterRef("arbeidsgiver_id"),
        holder_id=OuterRef("arbeidstaker_id"),
        card_type="RH",
    ).filter(
        Q(state__in=list(VALID_STATES))
        | Q(state=CardState.PENDING, reason_codes=[str(ReasonCode.CLEANING_APPROVAL_AWAITED)])
    )
    companies = dict(
        (orgnr, (name, since))
        for orgnr, name, since in reg.Renholdsgodkjenning.objects.filter(
            status=reg.GodkjenningStatus.SOEKT_KAN_BESTILLE
        ).values_list("enhet_id", "enhet__navn", "status_dato")
    )
    counts = {
        orgnr: (n, covered)
        for orgnr, n, covered in reg.Arbeidsforhold.objects.filter(
            arbeidsgiver_id__in=list(companies), startdato__lte=today
        )
        .filter(Q(sluttdato__isnull=True) | Q(sluttdato__gte=today))
        .annotate(has_card=Exists(rh_card))
        .values("arbeidsgiver_id")
        .annotate(
            n=Count("arbeidstaker_id", distinct=True),
            covered=Count("arbeidstaker_id", distinct=True, filter=Q(has_card=True)),
        )
        .values_list("arbeidsgiver_id", "n", "covered")
    }
    rows = [
        CleaningFollowupRow(orgnr, name, since, *counts.get(orgnr, (0, 0)))
        for orgnr, (name, since) in companies.items()
    ]
    rows.sort(key=lambda r: (not r.ready, r.missing, r.orgnr))
    return rows
