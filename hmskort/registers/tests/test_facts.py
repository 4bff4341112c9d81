"""facts_for_pairs / company_facts: the eligibility facts built from the register ports."""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.eligibility.facts import (
    ApprovalStatus,
    EmploymentSource,
    IdType,
    Period,
    PersonStatus,
)
from hmskort.registers import models as m
from hmskort.registers.facts import company_facts, facts_for_pairs
from hmskort.registers.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def test_a_plain_employment_gives_company_person_and_aa_employment():
    af = f.ArbeidsforholdFactory(arbeidstaker__statsborgerskap=["NO", "SE"])
    key = (af.arbeidsgiver_id, af.arbeidstaker_id)

    facts = facts_for_pairs([key])[key]

    company = facts.company
    assert company.orgnr == af.arbeidsgiver_id
    assert company.organisation_form == "AS"
    assert company.nace_codes == ("43.221",)
    assert company.vat_registrations == (Period(af.arbeidsgiver.registreringsdato, None),)
    assert company.deleted_on is None and not company.bankrupt
    assert company.cleaning_approval is None
    person = facts.person
    assert person.identifier == af.arbeidstaker_id
    assert person.id_type is IdType.FNR
    assert person.status is PersonStatus.RESIDENT
    assert person.citizenships == ("NO", "SE")
    assert person.name == af.arbeidstaker.fulltnavn
    assert [(e.source, e.period) for e in facts.employments] == [
        (EmploymentSource.AAREG, Period(af.startdato, None))
    ]
    assert facts.existing_cards == ()
    assert facts.roles == ()


def test_unknown_company_and_person_are_none():
    facts = facts_for_pairs([("999999999", "01010199999")])[("999999999", "01010199999")]
    assert facts.company is None and facts.person is None and facts.employments == ()


def test_employment_with_another_employer_does_not_count():
    af = f.ArbeidsforholdFactory()
    other = f.EnhetFactory()
    facts = facts_for_pairs([(other.pk, af.arbeidstaker_id)])[(other.pk, af.arbeidstaker_id)]
    assert facts.employments == ()


def test_pension_records_in_aareg_are_not_employments():
    af = f.ArbeidsforholdFactory(type=m.Arbeidsforholdstype.PENSJON)
    key = (af.arbeidsgiver_id, af.arbeidstaker_id)
    assert facts_for_pairs([key])[key].employments == ()


def test_oar_posting_counts_for_the_foreign_employer_with_the_workers_own_period():
    posting = f.OppdragArbeidstakerFactory(
        startdato=TODAY + dt.timedelta(days=10), sluttdato=TODAY + dt.timedelta(days=40)
    )
    taker = posting.oppdrag.oppdragstaker_id
    giver = posting.oppdrag.oppdragsgiver_id
    fnr = posting.arbeidstaker_id

    result = facts_for_pairs([(taker, fnr), (giver, fnr)])

    (employment,) = result[(taker, fnr)].employments
    assert employment.source is EmploymentSource.OAR
    assert employment.period == Period(posting.startdato, posting.sluttdato)
    assert result[(giver, fnr)].employments == ()
    assert result[(taker, fnr)].person.id_type is IdType.DNR
    assert result[(taker, fnr)].person.status is PersonStatus.TEMPORARY


def test_exceptions_for_the_person_and_company_wide_but_not_for_others():
    enhet = f.EnhetFactory()
    person, other = f.PersonFactory(), f.PersonFactory()
    f.UnntakFactory(enhet=enhet, person=person, fritak=["EMPLOYMENT"])
    f.UnntakFactory(enhet=enhet, person=None, fritak=["VAT"], gyldig_til=TODAY)
    f.UnntakFactory(enhet=enhet, person=other, fritak=["WORK_PERMIT"])
    f.UnntakFactory(person=person, fritak=["COMPANY_ACTIVE"])

    facts = facts_for_pairs([(enhet.pk, person.pk)])[(enhet.pk, person.pk)]

    waived = sorted(tuple(sorted(e.waives)) for e in facts.exceptions)
    assert waived == [("EMPLOYMENT",), ("VAT",)]
    vat = next(e for e in facts.exceptions if "VAT" in e.waives)
    assert vat.valid.end == TODAY


def test_roles_held_in_the_company_not_resigned_ones():
    enhet = f.EnhetFactory(organisasjonsform="ANS", mva=None)
    person = f.PersonFactory()
    f.RolleFactory(enhet=enhet, person=person, rolletype="DTSO")
    f.RolleFactory(enhet=enhet, person=person, rolletype="DAGL", fratraadt=True)
    f.RolleFactory(person=person, rolletype="LEDE")  # another company

    facts = facts_for_pairs([(enhet.pk, person.pk)])[(enhet.pk, person.pk)]
    assert facts.roles == ("DTSO",)


def test_permits_and_status_date_are_carried():
    permit = f.OppholdstillatelseFactory(arbeidsadgang=False)
    person = permit.person
    person.status = m.Personstatus.INAKTIV
    person.status_dato = TODAY - dt.timedelta(days=3)
    person.save()
    enhet = f.EnhetFactory()
    facts = facts_for_pairs([(enhet.pk, person.pk)])[(enhet.pk, person.pk)]
    (p,) = facts.person.permits
    assert p.work_access is False
    assert p.valid == Period(permit.gyldig_fra, permit.gyldig_til)
    assert facts.person.status is PersonStatus.INACTIVE
    assert facts.person.status_since == TODAY - dt.timedelta(days=3)


def test_company_facts_maps_every_company_register():
    enhet = f.EnhetFactory(
        konkurs=True,
        under_avvikling=True,
        under_tvangsavvikling=True,
        slettedato=TODAY,
        naeringskode2="81.210",
    )
    f.MvaEgenerklaeringFactory(enhet=enhet, trukket_dato=TODAY)
    f.BemanningsforetakFactory(enhet=enhet)
    f.RenholdsgodkjenningFactory(enhet=enhet, status=m.GodkjenningStatus.SOEKT_KAN_BESTILLE)
    f.BilpleiegodkjenningFactory(enhet=enhet, status=m.GodkjenningStatus.TILBAKEKALT)
    f.VerkstedgodkjenningFactory(enhet=enhet)
    bedr = f.EnhetFactory(underenhet=True, overordnet_enhet=enhet)

    result = company_facts([enhet.pk, bedr.pk, "999999999"])

    c = result[enhet.pk]
    assert c.bankrupt and c.under_liquidation and c.forced_liquidation
    assert c.deleted_on == TODAY
    assert c.nace_codes == ("43.221", "81.210")
    assert len(c.vat_self_declarations) == 1 and c.vat_self_declarations[0].end == TODAY
    assert len(c.staffing_registrations) == 1
    assert c.cleaning_approval is ApprovalStatus.APPLIED_MAY_ORDER
    assert c.carcare_approval is ApprovalStatus.REVOKED
    assert len(c.workshop_approvals) == 1
    assert result[bedr.pk].parent_orgnr == enhet.pk
    assert "999999999" not in result


def _population(n: int) -> list[tuple[str, str]]:
    pairs = []
    companies = f.EnhetFactory.create_batch(max(1, n // 10))
    for i in range(n):
        enhet = companies[i % len(companies)]
        af = f.ArbeidsforholdFactory(arbeidsgiver=enhet)
        f.OppholdstillatelseFactory(person=af.arbeidstaker)
        f.RolleFactory(enhet=enhet, person=af.arbeidstaker)
        pairs.append((enhet.pk, af.arbeidstaker_id))
    f.UnntakFactory(enhet=companies[0], person=None)
    f.RenholdsgodkjenningFactory(enhet=companies[0])
    return pairs


def test_query_count_does_not_grow_with_the_number_of_pairs(django_assert_max_num_queries):
    pairs = _population(500)
    with django_assert_max_num_queries(14) as one:  # + NACE justifications
        single = facts_for_pairs(pairs[:1])
    with django_assert_max_num_queries(len(one.captured_queries)):
        many = facts_for_pairs(pairs)
    assert len(single) == 1 and len(many) == 500
    assert all(facts.employments and facts.person and facts.company for facts in many.values())
    assert all(facts.roles == ("DAGL",) for facts in many.values())


# --- the SQL adapters answer as records built from the model instances -----------------------


def _reference(ports_population):
    """Every port answer rebuilt from ORM model instances with the record builders
    (`enhet_record`, ...) and the model fields, as the adapters answered before they
    read plain SQL rows."""
    from hmskort.registers.adapters import arbeidsforhold_record, person_record, rolle_record
    from hmskort.registers.adapters import enhet_record as enhet_rec
    from hmskort.registers.ports import (
        GodkjenningRecord,
        OppholdstillatelseRecord,
        PeriodRecord,
        UnntakRecord,
        UtsendingRecord,
    )

    orgnrs, fnrs = ports_population

    def group(records, key):
        out: dict = {}
        for r in records:
            out.setdefault(key(r), []).append(r)
        return {k: tuple(v) for k, v in out.items()}

    def periods(model, fra, til):
        qs = model.objects.filter(enhet_id__in=orgnrs).order_by("enhet_id", fra, "pk")
        return group(
            (PeriodRecord(x.enhet_id, getattr(x, fra), getattr(x, til)) for x in qs),
            lambda r: r.organisasjonsnummer,
        )

    def godkjenninger(model):
        return {
            g.enhet_id: GodkjenningRecord(g.enhet_id, g.status, g.status_dato)
            for g in model.objects.filter(enhet_id__in=orgnrs)
        }

    oar = m.OppdragArbeidstaker.objects.filter(arbeidstaker_id__in=fnrs).select_related("oppdrag")
    return {
        "enheter": {
            e.pk: enhet_rec(e) for e in m.Enhet.objects.filter(organisasjonsnummer__in=orgnrs)
        },
        "roller_for_enheter": group(
            map(
                rolle_record,
                m.Rolle.objects.filter(enhet_id__in=orgnrs).order_by("enhet_id", "rolletype", "id"),
            ),
            lambda r: r.organisasjonsnummer,
        ),
        "roller_for_personer": group(
            map(
                rolle_record,
                m.Rolle.objects.filter(person_id__in=fnrs).order_by("person_id", "enhet_id", "id"),
            ),
            lambda r: r.identifikator,
        ),
        "mva": periods(m.MvaRegistrering, "registrert_fra", "registrert_til"),
        "egen": periods(m.MvaEgenerklaering, "erklaert_dato", "trukket_dato"),
        "bemanning": periods(m.Bemanningsforetak, "registrert_fra", "registrert_til"),
        "verksted": periods(m.Verkstedgodkjenning, "godkjent_fra", "godkjent_til"),
        "renhold": godkjenninger(m.Renholdsgodkjenning),
        "bilpleie": godkjenninger(m.Bilpleiegodkjenning),
        "personer": {
            p.pk: person_record(p) for p in m.Person.objects.filter(identifikator__in=fnrs)
        },
        "aareg": group(
            map(
                arbeidsforhold_record,
                m.Arbeidsforhold.objects.filter(arbeidstaker_id__in=fnrs).order_by(
                    "arbeidstaker_id", "startdato", "navarbeidsforhold_id"
                ),
            ),
            lambda r: r.arbeidstaker,
        ),
        "oar": group(
            (
                UtsendingRecord(
                    u.oppdrag_id,
                    u.oppdrag.oppdragsgiver_id,
                    u.oppdrag.oppdragstaker_id,
                    u.arbeidstaker_id,
                    u.startdato,
                    u.sluttdato,
                )
                for u in oar.order_by("arbeidstaker_id", "startdato", "pk")
            ),
            lambda r: r.arbeidstaker,
        ),
        "udi": group(
            (
                OppholdstillatelseRecord(
                    t.person_id, t.arbeidsadgang, t.gyldig_fra, t.gyldig_til, t.tillatelsestype
                )
                for t in m.Oppholdstillatelse.objects.filter(person_id__in=fnrs).order_by(
                    "person_id", "gyldig_fra", "pk"
                )
            ),
            lambda r: r.identifikator,
        ),
        "unntak": group(
            (
                UnntakRecord(
                    u.id, u.enhet_id, u.person_id, tuple(u.fritak), u.gyldig_fra, u.gyldig_til
                )
                for u in m.Unntak.objects.filter(enhet_id__in=orgnrs).order_by(
                    "enhet_id", "gyldig_fra", "id"
                )
            ),
            lambda r: r.organisasjonsnummer,
        ),
    }


@pytest.fixture
def varied_registers():
    """A bit of everything each register can hold, over several companies and people."""
    enhet = f.EnhetFactory(naeringskode2="81.210", naeringskode3="78.100", konkurs=True)
    enk = f.EnhetFactory(organisasjonsform="ENK", mva=None)
    bedr = f.EnhetFactory(underenhet=True, overordnet_enhet=enhet)
    nuf = f.EnhetFactory(nuf=True)
    people = [f.PersonFactory(), f.PersonFactory(dnr=True), f.PersonFactory()]
    m.Person.objects.filter(pk=people[2].pk).update(
        statsborgerskap=["PL", "UA"], status="inaktiv", status_dato=TODAY
    )
    for person in people:
        f.ArbeidsforholdFactory(arbeidsgiver=enhet, arbeidstaker=person)
    f.ArbeidsforholdFactory(
        arbeidsgiver=enk, arbeidstaker=people[0], sluttdato=TODAY - dt.timedelta(days=3)
    )
    f.ArbeidsforholdFactory(
        arbeidsgiver=enhet, arbeidstaker=people[1], type=m.Arbeidsforholdstype.PENSJON
    )
    f.RolleFactory(enhet=enhet, person=people[0], rolletype="DAGL")
    f.RolleFactory(enhet=enk, person=people[0], rolletype="INNH", fratraadt=True)
    f.MvaRegistreringFactory(enhet=enhet, registrert_til=TODAY)
    f.MvaEgenerklaeringFactory(enhet=enk)
    f.BemanningsforetakFactory(enhet=enhet)
    f.RenholdsgodkjenningFactory(enhet=enhet)
    f.BilpleiegodkjenningFactory(enhet=enk, status=m.GodkjenningStatus.SOEKT)
    f.VerkstedgodkjenningFactory(enhet=bedr)
    f.OppholdstillatelseFactory(person=people[1])
    f.OppholdstillatelseFactory(person=people[1], arbeidsadgang=False, gyldig_til=TODAY)
    posting = f.OppdragArbeidstakerFactory(arbeidstaker=people[2])
    f.UnntakFactory(enhet=enhet, person=people[1], fritak=["EMPLOYMENT", "VAT"])
    f.UnntakFactory(enhet=enhet, person=None, fritak=["VAT"], gyldig_til=TODAY)
    orgnrs = [e.pk for e in (enhet, enk, bedr, nuf)] + [
        posting.oppdrag.oppdragstaker_id,
        posting.oppdrag.oppdragsgiver_id,
        "999999999",
    ]
    fnrs = [p.pk for p in people] + ["01019012345"]
    return orgnrs, fnrs


def test_every_adapter_answers_as_records_built_from_model_instances(varied_registers):
    from hmskort.registers.adapters import local_ports

    orgnrs, fnrs = varied_registers
    ports = local_ports()
    expected = _reference(varied_registers)

    assert ports.enhetsregisteret.enheter(orgnrs) == expected["enheter"]
    found = ports.enhetsregisteret.enheter(orgnrs)
    assert {k: (v.forretningsadresse, v.postadresse) for k, v in found.items()} == {
        k: (v.forretningsadresse, v.postadresse) for k, v in expected["enheter"].items()
    }
    assert ports.enhetsregisteret.roller_for_enheter(orgnrs) == expected["roller_for_enheter"]
    assert ports.enhetsregisteret.roller_for_personer(fnrs) == expected["roller_for_personer"]
    assert ports.mva.registreringer(orgnrs) == expected["mva"]
    assert ports.mva.egenerklaeringer(orgnrs) == expected["egen"]
    assert ports.bemanning.registreringer(orgnrs) == expected["bemanning"]
    assert ports.vegvesen.verkstedgodkjenninger(orgnrs) == expected["verksted"]
    assert ports.renhold.godkjenninger(orgnrs) == expected["renhold"]
    assert ports.bilpleie.godkjenninger(orgnrs) == expected["bilpleie"]
    assert ports.folkeregisteret.personer(fnrs) == expected["personer"]
    assert ports.aareg.arbeidsforhold_for_personer(fnrs) == expected["aareg"]
    assert ports.oar.utsendinger_for_personer(fnrs) == expected["oar"]
    assert ports.udi.oppholdstillatelser(fnrs) == expected["udi"]
    assert ports.unntak.unntak_for_enheter(orgnrs) == expected["unntak"]
    # Nothing vacuous: every register contributed.
    assert all(expected.values())


def test_adapters_take_more_keys_than_one_sqlite_chunk():
    from hmskort.registers.adapters import CHUNK, local_ports

    af = f.ArbeidsforholdFactory()
    fnrs = [af.arbeidstaker_id] + [f"{n:011d}" for n in range(CHUNK + 50)]
    found = local_ports().aareg.arbeidsforhold_for_personer(fnrs)
    assert list(found) == [af.arbeidstaker_id]


def test_a_company_cache_answers_alike_and_saves_the_company_lookups(
    django_assert_max_num_queries,
):
    from hmskort.registers.facts import CompanyCache

    pairs = _population(30)
    plain = facts_for_pairs(pairs)
    cache = CompanyCache()
    first = facts_for_pairs(pairs, companies=cache)
    # The second time only the person registers (5), exceptions (1) and the
    # NACE justifications (1) are read.
    with django_assert_max_num_queries(7):
        second = facts_for_pairs(pairs, companies=cache)
    assert first == plain == second
    assert cache.hits == len({o for o, _ in pairs}) and cache.misses == cache.hits

    # An unknown company is remembered as unknown, and eviction forgets a company.
    cache.evict([pairs[0][0]])
    unknown = ("999999999", pairs[0][1])
    again = facts_for_pairs([pairs[0], unknown], companies=cache)
    assert again[pairs[0]] == plain[pairs[0]] and again[unknown].company is None
    assert "999999999" in cache.facts and cache.facts["999999999"] is None
