"""Well-known demo personas: the same people and companies in every seeded database.

They do not depend on the seed (they are built from their own fixed seed,
before the random population) and their fødselsnumre are fixed, so they can
serve as demo logins (TestID). `demo_personas()` lists them without touching
the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from hmskort.eligibility.facts import ApprovalStatus
from hmskort.registers.identifiers import iter_fnr, valid_orgnr

from . import catalogue as cat

#: The personas' own seed: the same people whatever seed the population uses.
SEED = 424_242

D = dt.timedelta


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    identifier: str  # fødselsnummer (a TestID login)
    description: str  # English
    description_nb: str
    orgnr: tuple[str, ...]  # the companies this persona acts for or works at


def _fnr(birth: dt.date, male: bool, n: int = 0) -> str:
    """The n-th valid fødselsnummer for this birth date with the right gender digit."""
    matching = (x for x in iter_fnr(birth) if (int(x[8]) % 2 == 1) == male)
    for i, number in enumerate(matching):
        if i == n:
            return number
    raise AssertionError("unreachable")


def _orgnr(i: int) -> str:
    from .generator import PERSONA_ORGNR_BASE

    return valid_orgnr(PERSONA_ORGNR_BASE + i)


# Companies (orgnr index, name)
GLANS = (_orgnr(1), "GLANS RENHOLD AS")
FJELLHEIM = (_orgnr(2), "FJELLHEIM ENTREPRENØR AS")
VEST_BEMANNING = (_orgnr(3), "VEST BEMANNING AS")
BAKKEN = (_orgnr(4), "TØMRER ARNE BAKKEN")
BLANK = (_orgnr(5), "BLANK BILPLEIE AS")
NOWAK = (_orgnr(6), "NOWAK BUD SP. Z O.O.")
NYBYGG = (_orgnr(7), "NYBYGG MOEN AS")
BYBUD = (_orgnr(8), "BYBUD EXPRESS AS")
FJELLHEIM_BRANCHES = (
    (_orgnr(11), "FJELLHEIM ENTREPRENØR AS AVD BERGEN"),
    (_orgnr(12), "FJELLHEIM ENTREPRENØR AS AVD TRONDHEIM"),
    (_orgnr(13), "FJELLHEIM ENTREPRENØR AS AVD STAVANGER"),
)

# People: key -> (fornavn, mellomnavn, etternavn, birth date, male, citizenship)
_PEOPLE = {
    "ingrid": ("Ingrid", "Solberg", "Haugen", dt.date(1974, 5, 17), False, "NO"),
    "per_arne": ("Per Arne", "", "Lunde", dt.date(1961, 9, 3), True, "NO"),
    "marek": ("Marek", "", "Kowalski", dt.date(1986, 2, 11), True, "PL"),
    "arne": ("Arne", "", "Bakken", dt.date(1979, 11, 23), True, "NO"),
    "silje": ("Silje", "", "Nordvik", dt.date(1988, 7, 30), False, "NO"),
    "tomasz": ("Tomasz", "", "Nowak", dt.date(1982, 4, 6), True, "PL"),
    "hanne": ("Hanne", "", "Vik", dt.date(1977, 1, 14), False, "NO"),
    "jonas": ("Jonas", "", "Eriksen", dt.date(1996, 10, 2), True, "NO"),
    "oksana": ("Oksana", "", "Melnyk", dt.date(1990, 3, 19), False, "UA"),
    "lars": ("Lars", "", "Moen", dt.date(1992, 8, 8), True, "NO"),
    "knut": ("Knut", "", "Fjellheim", dt.date(1969, 12, 1), True, "NO"),
    "mona": ("Mona", "", "Berg", dt.date(1983, 6, 21), False, "NO"),
}


def _id(key: str) -> str:
    _, _, _, birth, male, _ = _PEOPLE[key]
    return _fnr(birth, male)


def _name(key: str) -> str:
    first, middle, last, *_ = _PEOPLE[key]
    return " ".join(x for x in (first, middle, last) if x)


@cache
def demo_personas() -> tuple[Persona, ...]:
    """The demo personas (stable across runs and seeds)."""
    p = [
        (
            "ingrid",
            "daglig leder and styreleder of a cleaning company with 300 cleaners",
            "daglig leder og styreleder i et renholdsfirma med 300 renholdere",
            (GLANS[0],),
        ),
        (
            "per_arne",
            "styreleder of a construction AS with three underenheter",
            "styreleder i et byggefirma (AS) med tre underenheter",
            (FJELLHEIM[0],),
        ),
        (
            "knut",
            "daglig leder of the same construction AS (60 employees, posted workers on an assignment)",
            "daglig leder i samme byggefirma (60 ansatte, utsendte arbeidstakere på oppdrag)",
            (FJELLHEIM[0],),
        ),
        (
            "marek",
            "a worker with cards from two employers (construction AS and staffing agency)",
            "en arbeidstaker med kort fra to arbeidsgivere (byggefirma og bemanningsforetak)",
            (FJELLHEIM[0], VEST_BEMANNING[0]),
        ),
        (
            "arne",
            "innehaver of an ENK carpenter (own card, one employee)",
            "innehaver av et enkeltpersonforetak (tømrer), eget kort og én ansatt",
            (BAKKEN[0],),
        ),
        (
            "silje",
            "daglig leder of an approved car-care company (BP cards)",
            "daglig leder i et godkjent bilpleiefirma (BP-kort)",
            (BLANK[0],),
        ),
        (
            "tomasz",
            "kontaktperson of a Polish NUF with posted workers (D-numbers, OAR)",
            "kontaktperson for et polsk NUF med utsendte arbeidstakere (D-nummer, OAR)",
            (NOWAK[0],),
        ),
        (
            "hanne",
            "daglig leder of a registered staffing agency",
            "daglig leder i et registrert bemanningsforetak",
            (VEST_BEMANNING[0],),
        ),
        (
            "jonas",
            "a worker whose employment ended: his card is invalid",
            "en arbeidstaker som har sluttet: kortet er ugyldig",
            (FJELLHEIM[0],),
        ),
        (
            "oksana",
            "a Ukrainian cleaner whose residence permit expired: her RH card is invalid",
            "en ukrainsk renholder med utløpt oppholdstillatelse: RH-kortet er ugyldig",
            (GLANS[0],),
        ),
        (
            "lars",
            "daglig leder of a construction AS registered 40 days ago (not VAT-registered yet, may still order cards)",
            "daglig leder i et byggefirma registrert for 40 dager siden (ikke MVA-registrert ennå, kan likevel bestille kort)",
            (NYBYGG[0],),
        ),
        (
            "mona",
            "daglig leder of a courier company (goods transport, VT cards; drivers with D-numbers)",
            "daglig leder i et budfirma (varetransport, VT-kort; sjåfører med D-nummer)",
            (BYBUD[0],),
        ),
    ]
    return tuple(
        Persona(key=k, name=_name(k), identifier=_id(k), description=en, description_nb=nb, orgnr=o)
        for k, en, nb, o in p
    )


def gen_add_years(day: dt.date, years: int) -> dt.date:
    from .generator import add_years

    return add_years(day, years)


def build(gen) -> None:
    """Add the personas, their companies and co-workers to a `Generator`."""
    today = gen.today
    rng = gen.rng
    people = {}
    for key, (first, middle, last, birth, male, country) in _PEOPLE.items():
        people[key] = gen.person(
            country=country,
            male=male,
            birth=birth,
            identifier=_id(key),
            names=(first, middle, last),
        )
    oksana = people["oksana"]
    oksana.permit = (True, today - D(days=700), today - D(days=20), "Kollektiv beskyttelse")

    def company(spec, industry, form, *, age, nace, owner=None):
        c = gen.company(
            industry,
            form,
            orgnr=spec[0],
            age_days=age,
            status="normal",
            nace=nace,
            name=spec[1],
            owner=owner,
        )
        c.persona = True
        if age >= 90:
            c.vat_from, c.vat_to, c.egen_from = c.regdate + D(days=20), None, None
        return c

    # A cleaning company with exactly 300 cleaners.
    glans = company(GLANS, cat.CLEANING, "AS", age=9 * 365, nace="81.210")
    glans.cleaning, glans.approval_date = ApprovalStatus.APPROVED, glans.regdate + D(days=60)
    gen.role(glans, "DAGL", people["ingrid"])
    gen.role(glans, "LEDE", people["ingrid"])
    glans.orderer = people["ingrid"]
    gen.employ(glans, oksana, start=today - D(days=600), ended=False, card_all=True, yrke="9112")
    for _ in range(299):
        gen.employ(glans, gen.worker(cat.CLEANING), ended=False, card_all=True)

    # A construction AS with three underenheter, 60 employees and an assignment to a NUF.
    fjellheim = company(FJELLHEIM, cat.CONSTRUCTION, "AS", age=18 * 365, nace="41.200")
    fjellheim.nace = ("41.200", "43.320")
    gen.role(fjellheim, "LEDE", people["per_arne"])
    gen.role(fjellheim, "DAGL", people["knut"])
    fjellheim.orderer = people["knut"]
    gen.employ(
        fjellheim,
        people["knut"],
        start=today - D(days=15 * 365),
        ended=False,
        card_all=True,
        yrke="1323",
    )
    gen.employ(fjellheim, people["marek"], start=today - D(days=800), ended=False, card_all=True)
    gen.employ(
        fjellheim,
        people["jonas"],
        start=today - D(days=500),
        end=today - D(days=10),
        card_all=True,
        yrke="7115",
    )
    for _ in range(57):
        gen.employ(fjellheim, gen.worker(cat.CONSTRUCTION), card_all=True)
    for orgnr, name in FJELLHEIM_BRANCHES:
        gen.underenhet(fjellheim, orgnr=orgnr, name=name)

    # A staffing agency; Marek also works here.
    vest = company(VEST_BEMANNING, cat.STAFFING, "AS", age=6 * 365, nace="78.200")
    vest.staffing_registered, vest.staffing_from = True, vest.regdate + D(days=10)
    gen.role(vest, "DAGL", people["hanne"])
    gen.role(vest, "LEDE", people["hanne"])
    vest.orderer = people["hanne"]
    gen.employ(
        vest,
        people["hanne"],
        start=today - D(days=5 * 365),
        ended=False,
        card_all=True,
        yrke="1323",
    )
    gen.employ(vest, people["marek"], start=today - D(days=200), ended=False, card_all=True)
    for _ in range(23):
        gen.employ(vest, gen.worker(cat.STAFFING), card_all=True)

    # An ENK carpenter with one employee.
    bakken = company(
        BAKKEN, cat.CONSTRUCTION, "ENK", age=12 * 365, nace="43.320", owner=people["arne"]
    )
    gen.role(bakken, "INNH", people["arne"])
    bakken.orderer = people["arne"]
    gen.own_employer(bakken, people["arne"], card_all=True)
    gen.employ(
        bakken, gen.worker(cat.CONSTRUCTION), start=today - D(days=400), ended=False, card_all=True
    )

    # An approved car-care company.
    blank = company(BLANK, cat.CARCARE, "AS", age=4 * 365, nace="45.203")
    blank.workshop_from = None
    blank.carcare, blank.approval_date = ApprovalStatus.APPROVED, blank.regdate + D(days=90)
    gen.role(blank, "DAGL", people["silje"])
    gen.role(blank, "LEDE", people["silje"])
    blank.orderer = people["silje"]
    gen.employ(blank, people["silje"], start=blank.regdate, ended=False, card_all=True)
    for _ in range(5):
        gen.employ(blank, gen.worker(cat.CARCARE), ended=False, card_all=True)

    # A Polish NUF posting workers on an assignment from Fjellheim.
    nowak = company(NOWAK, cat.CONSTRUCTION, "NUF", age=3 * 365, nace="43.990")
    nowak.hjemland = "PL"
    gen.role(nowak, "KONT", people["tomasz"])
    nowak.orderer = people["tomasz"]
    start = today - D(days=300)
    oid = gen.add_oppdrag(nowak, fjellheim, start, None, "Betongarbeid, Fjellheim boligprosjekt")
    for i in range(12):
        p = gen.person(country="PL", male=True, dnr=True, born=(1970, 2000))
        p.tildelt = start - D(days=rng.randint(10, 60))
        worker_start = today + D(days=12) if i == 11 else start + D(days=rng.randint(0, 200))
        gen.post(oid, nowak, p, worker_start, None, card_all=True)

    # A courier company (goods transport, VT): drivers, one whose D-number turns
    # inactive in ten days, one with a 2032-style D-number.
    bybud = company(BYBUD, cat.TRANSPORT, "AS", age=7 * 365, nace="53.200")
    gen.role(bybud, "DAGL", people["mona"])
    gen.role(bybud, "LEDE", people["mona"])
    bybud.orderer = people["mona"]
    gen.employ(bybud, people["mona"], start=bybud.regdate, ended=False, card_all=True, yrke="1324")
    for _ in range(14):
        gen.employ(bybud, gen.worker(cat.TRANSPORT), ended=False, card_all=True, yrke="8322")
    due_soon = gen.person(country="LT", male=True, dnr=True, born=(1975, 1995))
    due_soon.tildelt = gen_add_years(today, -5) + D(days=10)
    gen.employ(bybud, due_soon, start=today - D(days=700), ended=False, card_all=True, yrke="8322")
    birth = dt.date(1991, 4, 9)
    new_style = gen.person(
        country="PL", male=False, dnr=True, birth=birth, identifier=gen.identifier_2032(birth)
    )
    new_style.tildelt = today - D(days=90)
    gen.employ(bybud, new_style, start=today - D(days=80), ended=False, card_all=True, yrke="8322")

    # A new construction AS: younger than three months, not VAT-registered yet.
    nybygg = company(NYBYGG, cat.CONSTRUCTION, "AS", age=40, nace="41.200")
    nybygg.vat_from = nybygg.egen_from = None
    gen.role(nybygg, "DAGL", people["lars"])
    gen.role(nybygg, "LEDE", people["lars"])
    nybygg.orderer = people["lars"]
    gen.employ(nybygg, people["lars"], start=nybygg.regdate, ended=False, card_all=True)
    for _ in range(2):
        gen.employ(
            nybygg,
            gen.worker(cat.CONSTRUCTION),
            start=today - D(days=2),
            ended=False,
            card_all=True,
        )
