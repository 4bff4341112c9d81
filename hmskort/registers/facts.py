"""Build the eligibility rules' facts from the register ports, in bulk.

`facts_for_pairs` and `company_facts` read only through the ports, one call
per port per chunk of keys: the number of queries does not grow with the
number of pairs inside a chunk (`PAIR_CHUNK`; the local adapters send a
chunk's keys as one array on PostgreSQL). `existing_cards` is left empty; the
cards app fills it in. Roles (current and resigned) come from
Enhetsregisteret; NACE justifications from the caseworker queue.

This is the one place that turns register records into facts: the order
path, the status look-ups and the nightly re-check all come through here. A
caller that reads many chunks (the re-check) may pass a `CompanyCache` so a
company shared by many cards is read once; it decides when the cache is stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hmskort.eligibility.facts import (
    ApprovalStatus,
    CompanyFacts,
    EmploymentFacts,
    EmploymentSource,
    ExceptionFacts,
    Facts,
    IdType,
    JustificationState,
    NaceJustification,
    Period,
    PermitFacts,
    PersonFacts,
    PersonStatus,
)
from hmskort.registers.adapters import CHUNK, get_ports
from hmskort.registers.models import Arbeidsforholdstype
from hmskort.registers.ports import (
    EnhetRecord,
    GodkjenningRecord,
    PeriodRecord,
    PersonRecord,
    RegisterPorts,
)

#: Pairs per round of register look-ups (bounds the memory of one round). The
#: local adapters split the keys further where the database needs it
#: (`adapters.CHUNK` on SQLite); on PostgreSQL a round is one query per register.
PAIR_CHUNK = 20 * CHUNK

# Aa-registeret records pensions and benefits without an employment: they are not employments.
_NOT_EMPLOYMENT = {Arbeidsforholdstype.PENSJON.value}


def _period(p: PeriodRecord) -> Period:
    return Period(start=p.fra, end=p.til)


def _approval(record: GodkjenningRecord | None) -> ApprovalStatus | None:
    return ApprovalStatus(record.status) if record else None


def _company(
    e: EnhetRecord,
    *,
    mva: tuple[PeriodRecord, ...],
    egen: tuple[PeriodRecord, ...],
    bemanning: tuple[PeriodRecord, ...],
    renhold: GodkjenningRecord | None,
    bilpleie: GodkjenningRecord | None,
    verksted: tuple[PeriodRecord, ...],
) -> CompanyFacts:
    return CompanyFacts(
        orgnr=e.organisasjonsnummer,
        name=e.navn,
        organisation_form=e.organisasjonsform,
        registered_on=e.registreringsdato,
        deleted_on=e.slettedato,
        bankrupt=e.konkurs,
        under_liquidation=e.under_avvikling,
        forced_liquidation=e.under_tvangsavvikling,
        nace_codes=e.naeringskoder,
        vat_registrations=tuple(_period(p) for p in mva),
        vat_self_declarations=tuple(_period(p) for p in egen),
        staffing_registrations=tuple(_period(p) for p in bemanning),
        cleaning_approval=_approval(renhold),
        carcare_approval=_approval(bilpleie),
        workshop_approvals=tuple(_period(p) for p in verksted),
        parent_orgnr=e.overordnet_enhet,
    )


def _company_chunk(ports: RegisterPorts, orgnrs: list[str]) -> dict[str, CompanyFacts]:
    enheter = ports.enhetsregisteret.enheter(orgnrs)
    found = list(enheter)
    if not found:
        return {}
    mva = ports.mva.registreringer(found)
    egen = ports.mva.egenerklaeringer(found)
    bemanning = ports.bemanning.registreringer(found)
    renhold = ports.renhold.godkjenninger(found)
    bilpleie = ports.bilpleie.godkjenninger(found)
    verksted = ports.vegvesen.verkstedgodkjenninger(found)
    return {
        orgnr: _company(
            e,
            mva=mva.get(orgnr, ()),
            egen=egen.get(orgnr, ()),
            bemanning=bemanning.get(orgnr, ()),
            renhold=renhold.get(orgnr),
            bilpleie=bilpleie.get(orgnr),
            verksted=verksted.get(orgnr, ()),
        )
        for orgnr, e in enheter.items()
    }


@dataclass
class CompanyCache:
    """CompanyFacts kept across calls, unknown organisation numbers included.

    The holder decides how long it may be trusted and evicts what changed
    (the re-check keeps one per worker process and run, and evicts the
    companies the change feed names).
    """

    facts: dict[str, CompanyFacts | None] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def evict(self, orgnrs: Iterable[str]) -> None:
        for orgnr in orgnrs:
            self.facts.pop(orgnr, None)

    def clear(self) -> None:
        self.facts.clear()


def _companies(
    ports: RegisterPorts, orgnrs: list[str], cache: CompanyCache | None
) -> dict[str, CompanyFacts]:
    if cache is None:
        return _company_chunk(ports, orgnrs)
    known = cache.facts
    missing = [o for o in orgnrs if o not in known]
    cache.hits += len(orgnrs) - len(missing)
    cache.misses += len(missing)
    if missing:
        fresh = _company_chunk(ports, missing)
        for orgnr in missing:
            known[orgnr] = fresh.get(orgnr)
    return {o: c for o in orgnrs if (c := known[o]) is not None}


def company_facts(
    orgnrs: Iterable[str], *, ports: RegisterPorts | None = None, cache: CompanyCache | None = None
) -> dict[str, CompanyFacts]:
    """Facts for each company found in Enhetsregisteret (unknown numbers are absent)."""
    ports = ports or get_ports()
    keys = sorted(set(orgnrs))
    result: dict[str, CompanyFacts] = {}
    for i in range(0, len(keys), PAIR_CHUNK):
        result.update(_companies(ports, keys[i : i + PAIR_CHUNK], cache))
    return result


_ID_TYPES = {t.value: t for t in IdType}
_STATUSES = {s.value: s for s in PersonStatus}


def _person(p: PersonRecord, permits) -> PersonFacts:
    return PersonFacts(
        identifier=p.identifikator,
        id_type=_ID_TYPES.get(p.identifikatortype) or IdType(p.identifikatortype),
        name=p.fulltnavn,
        birth_date=p.foedselsdato,
        status=_STATUSES.get(p.status) or PersonStatus(p.status),
        citizenships=p.statsborgerskap,
        permits=tuple(
            PermitFacts(work_access=t.arbeidsadgang, valid=Period(t.gyldig_fra, t.gyldig_til))
            for t in permits
        ),
        status_since=p.status_dato,
    )


def _pairs_chunk(
    ports: RegisterPorts, pairs: list[tuple[str, str]], cache: CompanyCache | None
) -> dict[tuple[str, str], Facts]:
    orgnrs = sorted({o for o, _ in pairs})
    fnrs = sorted({f for _, f in pairs})

    companies = _companies(ports, orgnrs, cache)
    personer = ports.folkeregisteret.personer(fnrs)
    permits = ports.udi.oppholdstillatelser(fnrs)
    aa = ports.aareg.arbeidsforhold_for_personer(fnrs)
    oar = ports.oar.utsendinger_for_personer(fnrs)
    roller = ports.enhetsregisteret.roller_for_personer(fnrs)
    unntak = ports.unntak.unntak_for_enheter(orgnrs)
    justifications = nace_justifications_for_pairs(pairs)

    # Built once per person / company and shared by all of their pairs.
    people = {fnr: _person(p, permits.get(fnr, ())) for fnr, p in personer.items()}
    exceptions_by_orgnr = {
        orgnr: [
            (
                u.identifikator,
                ExceptionFacts(frozenset(u.fritak), Period(u.gyldig_fra, u.gyldig_til)),
            )
            for u in entries
        ]
        for orgnr, entries in unntak.items()
    }
    aareg, oar_source = EmploymentSource.AAREG, EmploymentSource.OAR
    no_exceptions: list = []

    result: dict[tuple[str, str], Facts] = {}
    for pair in pairs:
        orgnr, fnr = pair
        employments = [
            EmploymentFacts(aareg, Period(a.startdato, a.sluttdato))
            for a in aa.get(fnr, ())
            if a.arbeidsgiver == orgnr and a.type not in _NOT_EMPLOYMENT
        ]
        if fnr in oar:
            employments += [
                EmploymentFacts(oar_source, Period(u.startdato, u.sluttdato))
                for u in oar[fnr]
                if u.oppdragstaker == orgnr
            ]
        exceptions = tuple(
            e for who, e in exceptions_by_orgnr.get(orgnr, no_exceptions) if who in (None, fnr)
        )
        roles: tuple[str, ...] = ()
        ended_roles: tuple[str, ...] = ()
        if fnr in roller:
            own = [r for r in roller[fnr] if r.organisasjonsnummer == orgnr]
            roles = tuple(sorted({r.rolletype for r in own if not r.fratraadt}))
            ended_roles = tuple(sorted({r.rolletype for r in own if r.fratraadt} - set(roles)))
        result[pair] = Facts(
            company=companies.get(orgnr),
            person=people.get(fnr),
            employments=tuple(employments),
            exceptions=exceptions,
            roles=roles,
            ended_roles=ended_roles,
            nace_justifications=justifications.get(pair, ()),
        )
    return result


_JUSTIFICATION_STATES = {
    "open": JustificationState.SUBMITTED,
    "approved": JustificationState.APPROVED,
    "rejected": JustificationState.REJECTED,
}


def nace_justifications_for_pairs(
    pairs: list[tuple[str, str]],
) -> dict[tuple[str, str], tuple[NaceJustification, ...]]:
    """The latest NACE justification per pair and card type, from the shared
    caseworker queue (`casework.Case`, kind NACE_JUSTIFICATION, card type in
    `details["card_type"]`). One query. Closed cases (order withdrawn) do not
    count; a rejection counts only while its own order is pending (it rejects
    that order; the next order needs a new justification). An approval stays."""
    from django.db.models import Exists, OuterRef

    from hmskort.cards.models import Card, CardState
    from hmskort.casework.models import Case, CaseKind

    if not pairs:
        return {}
    wanted = set(pairs)
    rows = (
        Case.objects.filter(
            kind=CaseKind.NACE_JUSTIFICATION,
            orgnr__in=sorted({o for o, _ in wanted}),
            subject_id__in=sorted({f for _, f in wanted}),
            status__in=list(_JUSTIFICATION_STATES),
        )
        .annotate(
            card_pending=Exists(
                Card.objects.filter(pk=OuterRef("card_id"), state=CardState.PENDING)
            )
        )
        .order_by("id")
        .values_list("orgnr", "subject_id", "details", "status", "card_pending")
    )
    latest: dict[tuple[str, str], dict[str, JustificationState]] = {}
    for orgnr, fnr, details, status, card_pending in rows:
        card_type = str((details or {}).get("card_type", "")).strip().upper()
        if status == "rejected" and not card_pending:
            # A rejection ends its own order; a new order may be justified anew.
            latest.get((orgnr, fnr), {}).pop(card_type, None)
            continue
        if (orgnr, fnr) in wanted and card_type:
            latest.setdefault((orgnr, fnr), {})[card_type] = _JUSTIFICATION_STATES[status]
    return {
        pair: tuple(NaceJustification(card_type=t, state=s) for t, s in sorted(states.items()))
        for pair, states in latest.items()
    }


def facts_for_pairs(
    pairs: Iterable[tuple[str, str]],
    *,
    ports: RegisterPorts | None = None,
    companies: CompanyCache | None = None,
) -> dict[tuple[str, str], Facts]:
    """Facts for each (employer orgnr, person identifier) pair; every pair gets an entry.

    A fixed number of register look-ups per chunk of `PAIR_CHUNK` pairs (fewer
    company look-ups when `companies` already holds them).
    """
    ports = ports or get_ports()
    unique = sorted(set(pairs))
    result: dict[tuple[str, str], Facts] = {}
    for i in range(0, len(unique), PAIR_CHUNK):
        result.update(_pairs_chunk(ports, unique[i : i + PAIR_CHUNK], companies))
    return result
