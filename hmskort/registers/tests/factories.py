"""factory-boy factories for the simulated registers.

Defaults describe the common, passing case: an active AS in construction
(NACE 43.221) registered two years ago and VAT-registered since then, and a
resident Norwegian person with a valid fødselsnummer. Override what a test is about.

    EnhetFactory()                              # AS, 43.221, 2 years old, in MVA
    EnhetFactory(mva=None)                      # ... without a VAT registration
    EnhetFactory(nuf=True)                      # foreign company (NUF), no VAT
    EnhetFactory(underenhet=True)               # BEDR under a new AS
    PersonFactory()                             # resident, fødselsnummer
    PersonFactory(dnr=True)                     # D-nummer, temporary, Polish
    ArbeidsforholdFactory(arbeidsgiver=e, arbeidstaker=p)

Organisation numbers are taken from the top of `valid_orgnr`'s range (from
FACTORY_ORGNR_OFFSET) so they never collide with the population generator's.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import factory
from factory.django import DjangoModelFactory

from hmskort.registers import models as m
from hmskort.registers.identifiers import iter_fnr, valid_orgnr

FACTORY_ORGNR_OFFSET = 1_500_000
_BIRTH_DAY_SPAN = 14_000  # 1960-01-01 .. about 1998


def _today() -> dt.date:
    return dt.date.today()


def _days_ago(days: int):
    return factory.LazyFunction(lambda: _today() - dt.timedelta(days=days))


@lru_cache(maxsize=4096)
def _numbers_for(birth_date: dt.date, dnr: bool) -> tuple[str, ...]:
    return tuple(iter_fnr(birth_date, dnr=dnr))


def _identifier(o, n: int) -> str:
    numbers = _numbers_for(o.foedselsdato, o.identifikatortype == m.Identifikatortype.DNR)
    return numbers[n % len(numbers)]


def _address(kommune: str = "OSLO", kommunenummer: str = "0301") -> dict:
    return {
        "adresse": ["Storgata 1"],
        "postnummer": "0155",
        "poststed": "OSLO",
        "kommune": kommune,
        "kommunenummer": kommunenummer,
        "land": "Norge",
        "landkode": "NO",
    }


class EnhetFactory(DjangoModelFactory):
    class Meta:
        model = m.Enhet
        django_get_or_create = ("organisasjonsnummer",)
        skip_postgeneration_save = True

    class Params:
        nuf = factory.Trait(
            organisasjonsform="NUF",
            hjemland="PL",
            registrert_i_foretaksregisteret=True,
            navn=factory.Sequence(lambda n: f"BUDOWA {n} SP. Z O.O. NORWEGIAN BRANCH"),
            mva=None,
        )
        underenhet = factory.Trait(
            organisasjonsform="BEDR",
            overordnet_enhet=factory.SubFactory("hmskort.registers.tests.factories.EnhetFactory"),
            registrert_i_foretaksregisteret=False,
            mva=None,
        )
        konkurs_aapnet = factory.Trait(konkurs=True, konkursdato=_days_ago(10))
        slettet = factory.Trait(slettedato=_days_ago(1))

    organisasjonsnummer = factory.Sequence(lambda n: valid_orgnr(FACTORY_ORGNR_OFFSET + n))
    navn = factory.Sequence(lambda n: f"BYGG OG ANLEGG {n} AS")
    organisasjonsform = "AS"
    naeringskode1 = "43.221"
    antall_ansatte = 12
    registreringsdato = _days_ago(730)
    stiftelsesdato = factory.SelfAttribute("registreringsdato")
    registrert_i_foretaksregisteret = True
    forretningsadresse = factory.LazyFunction(_address)
    postadresse = factory.LazyFunction(dict)

    mva = factory.RelatedFactory(
        "hmskort.registers.tests.factories.MvaRegistreringFactory",
        factory_related_name="enhet",
        registrert_fra=factory.SelfAttribute("..registreringsdato"),
    )


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = m.Person
        django_get_or_create = ("identifikator",)

    class Params:
        dnr = factory.Trait(
            identifikatortype=m.Identifikatortype.DNR,
            status=m.Personstatus.MIDLERTIDIG,
            statsborgerskap=factory.LazyFunction(lambda: ["PL"]),
            identifikator_tildelt=_days_ago(365),
            bostedsadresse=factory.LazyFunction(dict),
        )
        doed = factory.Trait(status=m.Personstatus.DOED)
        utflyttet = factory.Trait(status=m.Personstatus.UTFLYTTET)

    foedselsdato = factory.Sequence(
        lambda n: dt.date(1960, 1, 1) + dt.timedelta(days=(n * 7919) % _BIRTH_DAY_SPAN)
    )
    identifikatortype = m.Identifikatortype.FNR
    identifikator = factory.LazyAttributeSequence(_identifier)
    fornavn = factory.Faker("first_name", locale="no_NO")
    mellomnavn = ""
    etternavn = factory.Faker("last_name", locale="no_NO")
    # From the register; consistent with the (pre-2032) gender digit by default.
    kjoenn = factory.LazyAttribute(lambda o: "mann" if int(o.identifikator[8]) % 2 else "kvinne")
    statsborgerskap = factory.LazyFunction(lambda: ["NO"])
    status = m.Personstatus.BOSATT
    identifikator_tildelt = None
    bostedsadresse = factory.LazyFunction(_address)


class RolleFactory(DjangoModelFactory):
    class Meta:
        model = m.Rolle

    enhet = factory.SubFactory(EnhetFactory)
    rolletype = m.RolleType.DAGL
    person = factory.SubFactory(PersonFactory)
    fratraadt = False
    registrert = factory.SelfAttribute("enhet.registreringsdato")


class MvaRegistreringFactory(DjangoModelFactory):
    class Meta:
        model = m.MvaRegistrering

    enhet = factory.SubFactory(EnhetFactory, mva=None)
    registrert_fra = _days_ago(730)
    registrert_til = None


class MvaEgenerklaeringFactory(DjangoModelFactory):
    class Meta:
        model = m.MvaEgenerklaering

    enhet = factory.SubFactory(EnhetFactory, mva=None)
    erklaert_dato = _days_ago(30)
    trukket_dato = None
    erklaert_av = ""


class ArbeidsforholdFactory(DjangoModelFactory):
    class Meta:
        model = m.Arbeidsforhold

    arbeidsgiver = factory.SubFactory(EnhetFactory)
    arbeidstaker = factory.SubFactory(PersonFactory)
    type = m.Arbeidsforholdstype.ORDINAERT
    startdato = _days_ago(365)
    sluttdato = None
    stillingsprosent = 100
    yrke = "7112101"


class OppdragFactory(DjangoModelFactory):
    class Meta:
        model = m.Oppdrag

    oppdragsgiver = factory.SubFactory(EnhetFactory)
    oppdragstaker = factory.SubFactory(EnhetFactory, nuf=True)
    startdato = _days_ago(30)
    sluttdato = factory.LazyFunction(lambda: _today() + dt.timedelta(days=180))
    beskrivelse = "Betongarbeid"


class OppdragArbeidstakerFactory(DjangoModelFactory):
    class Meta:
        model = m.OppdragArbeidstaker

    oppdrag = factory.SubFactory(OppdragFactory)
    arbeidstaker = factory.SubFactory(PersonFactory, dnr=True)
    startdato = factory.SelfAttribute("oppdrag.startdato")
    sluttdato = factory.SelfAttribute("oppdrag.sluttdato")


class BemanningsforetakFactory(DjangoModelFactory):
    class Meta:
        model = m.Bemanningsforetak

    enhet = factory.SubFactory(EnhetFactory, naeringskode1="78.200")
    registrert_fra = _days_ago(365)
    registrert_til = None


class RenholdsgodkjenningFactory(DjangoModelFactory):
    class Meta:
        model = m.Renholdsgodkjenning

    enhet = factory.SubFactory(EnhetFactory, naeringskode1="81.210")
    status = m.GodkjenningStatus.GODKJENT
    status_dato = _days_ago(365)


class BilpleiegodkjenningFactory(DjangoModelFactory):
    class Meta:
        model = m.Bilpleiegodkjenning

    enhet = factory.SubFactory(EnhetFactory, naeringskode1="45.200")
    status = m.GodkjenningStatus.GODKJENT
    status_dato = _days_ago(365)


class VerkstedgodkjenningFactory(DjangoModelFactory):
    class Meta:
        model = m.Verkstedgodkjenning

    enhet = factory.SubFactory(EnhetFactory, naeringskode1="45.200")
    godkjent_fra = _days_ago(365)
    godkjent_til = None


class OppholdstillatelseFactory(DjangoModelFactory):
    class Meta:
        model = m.Oppholdstillatelse

    person = factory.SubFactory(PersonFactory, dnr=True, statsborgerskap=["PH"])
    arbeidsadgang = True
    gyldig_fra = _days_ago(180)
    gyldig_til = factory.LazyFunction(lambda: _today() + dt.timedelta(days=540))
    tillatelsestype = "Faglært arbeid"


class UnntakFactory(DjangoModelFactory):
    class Meta:
        model = m.Unntak

    enhet = factory.SubFactory(EnhetFactory)
    person = factory.SubFactory(PersonFactory)
    fritak = factory.LazyFunction(lambda: ["EMPLOYMENT"])
    gyldig_fra = _days_ago(30)
    gyldig_til = None
    begrunnelse = "Varig tilrettelagt arbeid (NAV)"
    registrert_av = "saksbehandler"
