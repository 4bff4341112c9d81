"""The in-memory records the generator builds before it writes any rows."""

from __future__ import annotations

import datetime as dt


class Company:
    __slots__ = (
        "orgnr",
        "navn",
        "form",
        "industry",
        "nace",
        "regdate",
        "slettedato",
        "konkursdato",
        "under_avvikling",
        "under_tvangsavvikling",
        "address",
        "hjemland",
        "parent",
        "vat_from",
        "vat_to",
        "egen_from",
        "liquidation_from",
        "cleaning",
        "carcare",
        "approval_date",
        "workshop_from",
        "staffing_from",
        "staffing_registered",
        "size",
        "employees",
        "orderer",
        "facts",
        "persona",
    )

    def __init__(self, orgnr: str, industry: str, form: str, regdate: dt.date):
        self.orgnr = orgnr
        self.industry = industry
        self.form = form
        self.regdate = regdate
        self.navn = ""
        self.nace: tuple[str, ...] = ()
        self.slettedato: dt.date | None = None
        self.konkursdato: dt.date | None = None
        self.under_avvikling = False
        self.under_tvangsavvikling = False
        self.address = "{}"
        self.hjemland = ""
        self.parent: Company | None = None
        self.vat_from: dt.date | None = None
        self.vat_to: dt.date | None = None
        self.liquidation_from: dt.date | None = None
        self.egen_from: dt.date | None = None
        self.cleaning: str | None = None
        self.carcare: str | None = None
        self.approval_date: dt.date | None = None
        self.workshop_from: dt.date | None = None
        self.staffing_from: dt.date | None = None
        self.staffing_registered = False
        self.size = 0
        self.employees = 0  # live employments in Aa-registeret
        self.orderer: Person | None = None
        self.facts = None  # CompanyFacts, built once the company is complete
        self.persona = False  # built by personas.py, not sized by the generator

    @property
    def is_nuf(self) -> bool:
        return self.form == "NUF"

    def alive_on(self, day: dt.date) -> bool:
        return (self.slettedato is None or self.slettedato > day) and (
            self.konkursdato is None or self.konkursdato > day
        )


class Person:
    __slots__ = (
        "pid",
        "dnr",
        "fornavn",
        "mellomnavn",
        "etternavn",
        "birth",
        "male",
        "citizenship",
        "status",
        "status_date",
        "tildelt",
        "address",
        "permit",
        "employers",
    )

    def __init__(self, pid: str, dnr: bool, birth: dt.date, male: bool, citizenship: str):
        self.pid = pid
        self.dnr = dnr
        self.birth = birth
        self.male = male
        self.citizenship = citizenship
        self.fornavn = ""
        self.mellomnavn = ""
        self.etternavn = ""
        self.status = "midlertidig" if dnr else "bosatt"
        self.status_date: dt.date | None = None
        self.tildelt: dt.date | None = None
        self.address = "{}"
        # (arbeidsadgang, gyldig_fra, gyldig_til, tillatelsestype) or None
        self.permit: tuple[bool, dt.date, dt.date | None, str] | None = None
        self.employers = 0

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.fornavn, self.mellomnavn, self.etternavn) if p)


class Slot:
    """One employment-like relation that can carry a card: an Aa employment, an
    OAR posting, an owner / partner role, or an exception-register entry."""

    __slots__ = ("company", "person", "kind", "start", "end", "card_all")

    def __init__(
        self,
        company: Company,
        person: Person,
        kind: str,
        start: dt.date,
        end: dt.date | None,
        card_all: bool = False,
    ):
        self.company = company
        self.person = person
        self.kind = kind  # "AA", "OAR", "OWNER", "UNNTAK"
        self.start = start
        self.end = end
        self.card_all = card_all  # personas: always a card
