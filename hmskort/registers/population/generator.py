"""Build a synthetic population in memory: companies, people, register records, cards.

Everything is drawn from one `random.Random(seed)` (personas from their own
fixed seed), and every date is an offset from `today`, so the same seed and
the same `today` give identical rows. The generator never touches the
database; `load.py` writes what it returns.

Card states are not made up: every card's state and reason codes come from
the eligibility rules (`hmskort.eligibility.rules.evaluate`) applied to the
generated register facts, so a freshly seeded database agrees with what the
nightly re-check would decide. The generator only chooses *when* a card was
issued and when it went invalid (the date of the register event behind it).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from zoneinfo import ZoneInfo

from hmskort.cards.numbers import new_card_number
from hmskort.eligibility.facts import (
    ApprovalStatus,
    CompanyFacts,
    EmploymentFacts,
    EmploymentSource,
    ExceptionFacts,
    Facts,
    IdType,
    Period,
    PermitFacts,
    PersonFacts,
    PersonStatus,
)
from hmskort.eligibility.reasons import ReasonCode
from hmskort.eligibility.requirements import Requirement
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Outcome, Purpose
from hmskort.registers.identifiers import valid_orgnr

from . import catalogue as cat
from .model import Company, Person, Slot
from .presets import REAL_CARD_COUNTS, Preset

OSLO = ZoneInfo("Europe/Oslo")
D = dt.timedelta

#: Organisation numbers for random companies are valid_orgnr(n) for n below this;
#: personas use the numbers above it (the test factories use 1,500,000 and up).
PERSONA_ORGNR_BASE = 1_400_000
SEED_ACTOR = "seed_registers"
#: The largest employer's workforce (Norway's biggest builders employ a few thousand).
MAX_COMPANY_SIZE = 3_500

# Card states (strings, so this module does not need the cards app's models).
PENDING, IN_PRODUCTION, ACTIVE, INVALID = "pending", "in_production", "active", "invalid"
EXPIRED, BLOCKED, RETURNED, CONFISCATED, REJECTED = (
    "expired",
    "blocked",
    "returned",
    "confiscated",
    "rejected",
)
#: States that occupy an employment: at most one card per employment in these.
LIVE_STATES = frozenset({PENDING, IN_PRODUCTION, ACTIVE, INVALID})


_FNR_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _address_tails(place: cat.Place) -> list[str]:
    """The JSON text after "adresse" for each of the place's postal codes."""
    return [
        json.dumps(
            {
                "postnummer": postnummer,
                "poststed": place.poststed,
                "kommune": place.kommune,
                "kommunenummer": place.kommunenummer,
                "land": "Norge",
                "landkode": "NO",
            },
            ensure_ascii=False,
        )[1:]
        for postnummer in place.postnummer
    ]


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Tables:
    """Rows per model label ("registers.Enhet"): (column attnames, rows)."""

    rows: dict[str, tuple[tuple[str, ...], list[tuple]]] = field(default_factory=dict)

    def add(self, label: str, columns: Sequence[str], rows: list[tuple]) -> None:
        self.rows[label] = (tuple(columns), rows)

    def count(self, label: str) -> int:
        return len(self.rows[label][1]) if label in self.rows else 0


class Weighted:
    """A weighted choice with precomputed cumulative weights (fast repeated draws)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


_COUNTRY_MIX = {
    # (share Norwegian, share EEA, share non-EEA) of workers in Norwegian companies
    cat.CONSTRUCTION: (0.80, 0.16, 0.04),
    cat.STAFFING: (0.45, 0.45, 0.10),
    cat.CLEANING: (0.35, 0.37, 0.28),
    cat.CARCARE: (0.65, 0.20, 0.15),
    cat.TRANSPORT: (0.55, 0.30, 0.15),
    cat.STAFFING_DRIVERS: (0.35, 0.50, 0.15),
}


#: D-numbers issued almost five years ago (due to turn inactive within two weeks).
DNR_DUE_SOON_SHARE = 0.03
#: D-numbers with the 2032 check-digit calculation (a few, to exercise the rule).
NEW_CHECK_DIGITS_SHARE = 0.01


class Generator:
    def __init__(self, preset: Preset, *, seed: int, today: dt.date):
        self.preset = preset
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        self.stamp = dt.datetime.combine(today, dt.time(6, 0), tzinfo=OSLO)

        self.used_ids: set[str] = set()
        self.used_names: set[str] = set()
        self.used_orgnr: set[str] = set()
        self.card_numbers: set[str] = set()
        self.companies: list[Company] = []
        self.underenheter: list[Company] = []
        self.persons: list[Person] = []
        self.slots: list[Slot] = []
        self.roles: list[tuple[Company, str, Person, dt.date]] = []
        self.employments: list[tuple] = []
        self.oppdrag: list[tuple] = []
        self.postings: list[tuple] = []
        self.unntak: list[tuple] = []
        self.cards: list[tuple] = []
        # Approved photo/ID sets for the pending orders (orders wait for the registers only).
        self.uploads: list[tuple] = []
        self.history: list[tuple] = []
        self.worker_pool: list[Person] = []
        self.pending_without_employment: list[tuple[Company, Person]] = []
        self._orgnr_numbers: list[int] = []

        self._industries = Weighted(list(cat.INDUSTRY_WEIGHTS.items()))
        self._forms = {k: Weighted(v) for k, v in cat.FORMS.items()}
        self._nace = {k: Weighted([(x, x[1]) for x in v]) for k, v in cat.NACE.items()}
        self._occupations = {k: Weighted(v) for k, v in cat.OCCUPATIONS.items()}
        self._places = Weighted([(_address_tails(p), p.weight) for p in cat.PLACES])
        self._place_objs = Weighted([(p, p.weight) for p in cat.PLACES])
        self._nuf_countries = Weighted(cat.NUF_COUNTRIES)
        self._eea_countries = Weighted(cat.EEA_WORKER_COUNTRIES)
        self._non_eea_countries = Weighted(cat.NON_EEA_COUNTRIES)
        self._streets = [
            last + suffix
            for last in cat.name_pool("NO").last_male
            for suffix in cat.street_suffixes()
            if '"' not in last
        ]
        self._pct = Weighted([(100, 80), (80, 6), (60, 5), (50, 5), (20, 4)])
        self._pct_cleaning = Weighted([(100, 45), (80, 15), (60, 15), (50, 15), (20, 10)])

    # --- small helpers ---------------------------------------------------------------

    def days_ago(self, n: int) -> dt.date:
        return self.today - D(days=n)

    def between(self, lo: dt.date, hi: dt.date) -> dt.date:
        if hi <= lo:
            return lo
        return lo + D(days=int(self.rng.random() * ((hi - lo).days + 1)))

    def at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        minute = int(self.rng.random() * 600)
        if hour is None:
            hour = 7 + minute // 60
        return dt.datetime(day.year, day.month, day.day, hour, minute % 60, tzinfo=OSLO)

    def next_orgnr(self) -> str:
        if not self._orgnr_numbers:
            k = max(256, self.preset.companies // 4)
            self._orgnr_numbers = self.rng.sample(range(PERSONA_ORGNR_BASE), k)
        while True:
            orgnr = valid_orgnr(self._orgnr_numbers.pop())
            if orgnr not in self.used_orgnr:
                self.used_orgnr.add(orgnr)
                return orgnr

    def unique_name(self, name: str) -> str:
        base, n = name, 2
        while name in self.used_names:
            # Enhetsregisteret keeps names unique per form; add a distinguishing word.
            parts = base.rsplit(" ", 1)
            name = f"{parts[0]} {n} {parts[1]}" if len(parts) == 2 else f"{base} {n}"
            n += 1
        self.used_names.add(name)
        return name

    def address(self) -> str:
        """A Norwegian address as Enhetsregisteret / Folkeregisteret JSON (built from
        pre-serialised pieces: this runs once per person)."""
        rng = self.rng
        tails = self._places.pick(rng)
        street = rng.choice(self._streets)
        r = rng.random()
        number = 1 + int(r * 140)
        letter = "ABC"[int(r * 300) % 3] if r < 0.1 else ""
        return (
            f'{{"adresse": ["{street} {number}{letter}"], {tails[int(rng.random() * len(tails))]}'
        )

    # --- people ------------------------------------------------------------------------

    def identifier(self, birth: dt.date, male: bool, dnr: bool) -> str:
        """A unique, valid fødselsnummer (or D-nummer) whose gender digit matches `male`.

        Digits 7-9 (the individual number) follow the century rules: 000-499 or
        900-999 for 1940-1999, 500-999 for 2000-2039; the ninth digit is odd for men.
        """
        rng = self.rng
        day = birth.day + (40 if dnr else 0)
        prefix = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        digits = [int(ch) for ch in prefix]
        s1 = sum(w * d for w, d in zip(_FNR_W1, digits, strict=False))
        s2 = sum(w * d for w, d in zip(_FNR_W2, digits, strict=False))
        used = self.used_ids
        for _ in range(400):
            r = rng.random()
            if birth.year >= 2000:
                individual = 500 + int(r * 500)
            elif r < 0.85:
                individual = int(r / 0.85 * 500)
            else:
                individual = 900 + int((r - 0.85) / 0.15 * 100)
            individual = min(individual, 999) & ~1 | (1 if male else 0)
            a, b, c = individual // 100, individual // 10 % 10, individual % 10
            k1 = (11 - (s1 + 4 * a + 5 * b + 2 * c) % 11) % 11
            if k1 == 10:
                continue
            k2 = (11 - (s2 + 5 * a + 4 * b + 3 * c + 2 * k1) % 11) % 11
            if k2 == 10:
                continue
            number = f"{prefix}{individual:03d}{k1}{k2}"
            if number not in used:
                used.add(number)
                return number
        # Practically unreachable (hundreds of numbers per birth date): use the next day.
        return self.identifier(birth + D(days=1), male, dnr)

    def identifier_2032(self, birth: dt.date) -> str | None:
        """A D-nummer with check digits only the 2032 rule accepts (no gender digit)."""
        from hmskort.registers.identifiers import fnr_check_digits
        from hmskort.registers.idnumbers import calc_check_digits_2032

        prefix = f"{birth.day + 40:02d}{birth.month:02d}{birth.year % 100:02d}"
        lo = 500 if birth.year >= 2000 else 0
        for _ in range(50):
            first9 = f"{prefix}{lo + self.rng.randrange(500):03d}"
            classic = fnr_check_digits(first9)
            pairs = [x for x in calc_check_digits_2032(first9) if x != classic]
            if pairs:
                number = first9 + pairs[0]
                if number not in self.used_ids:
                    self.used_ids.add(number)
                    return number
        return None

    def person(
        self,
        *,
        country: str = "NO",
        male: bool | None = None,
        dnr: bool = False,
        born: tuple[int, int] = (1958, 2005),
        identifier: str | None = None,
        birth: dt.date | None = None,
        names: tuple[str, str, str] | None = None,
    ) -> Person:
        rng = self.rng
        if male is None:
            male = rng.random() < 0.5
        if birth is None:
            lo = dt.date(born[0], 1, 1).toordinal()
            hi = dt.date(born[1], 12, 31).toordinal()
            birth = dt.date.fromordinal(rng.randint(lo, hi))
        if identifier is None and dnr and rng.random() < NEW_CHECK_DIGITS_SHARE:
            identifier = self.identifier_2032(birth)
        if identifier is None:
            identifier = self.identifier(birth, male, dnr)
        else:
            self.used_ids.add(identifier)
        p = Person(identifier, dnr, birth, male, country)
        if names is not None:
            p.fornavn, p.mellomnavn, p.etternavn = names
        else:
            pool = cat.name_pool(country)
            p.fornavn = rng.choice(pool.male if male else pool.female)
            p.etternavn = rng.choice(pool.last_male if male else pool.last_female)
            if country == "NO":
                r = rng.random()
                if r < 0.12:
                    second = rng.choice(pool.male if male else pool.female)
                    if second != p.fornavn:
                        p.fornavn = f"{p.fornavn} {second}"
                elif r < 0.32:
                    middle = rng.choice(pool.last_male)
                    if middle != p.etternavn:
                        p.mellomnavn = middle
        if dnr:
            if rng.random() < DNR_DUE_SOON_SHARE:
                # five years old within two weeks: the D-number warning goes out
                p.tildelt = add_years(self.today, -5) + D(days=rng.randint(1, 14))
            else:
                p.tildelt = self.days_ago(rng.randint(30, 7 * 365))
        else:
            p.address = self.address()
        self.persons.append(p)
        return p

    def give_permit(self, p: Person) -> None:
        """A UDI permit for a non-EU/EEA citizen (or none)."""
        rng = self.rng
        kind = cat.PERMIT_TYPES.get(p.citizenship, "Arbeidstillatelse")
        r = rng.random()
        start = self.days_ago(rng.randint(60, 6 * 365))
        if r < 0.78:  # valid, with work access
            end = None if rng.random() < 0.4 else self.today + D(days=rng.randint(30, 3 * 365))
            p.permit = (True, start, end, kind)
        elif r < 0.87:  # expired
            p.permit = (True, start, self.days_ago(rng.randint(1, 400)), kind)
        elif r < 0.92:  # no right to work
            p.permit = (False, start, None, "Besøkstillatelse")
        # else: no permit at all

    def worker(self, industry: str, *, dnr: bool | None = None) -> Person:
        """A new worker for a Norwegian company in this industry."""
        rng = self.rng
        male = rng.random() < cat.MALE_SHARE[industry]
        no, eea, _ = _COUNTRY_MIX[industry]
        r = rng.random()
        if r < no:
            return self.person(male=male)
        if r < no + eea:
            country = self._eea_countries.pick(rng)
            return self.person(country=country, male=male, dnr=rng.random() < 0.15)
        country = self._non_eea_countries.pick(rng)
        p = self.person(country=country, male=male, dnr=rng.random() < 0.25)
        self.give_permit(p)
        return p

    # --- companies ---------------------------------------------------------------------

    def company(
        self,
        industry: str,
        form: str,
        *,
        orgnr: str | None = None,
        age_days: int | None = None,
        status: str = "random",
        nace: str | None = None,
        name: str | None = None,
        owner: Person | None = None,
    ) -> Company:
        rng = self.rng
        if age_days is None:
            if rng.random() < 0.03:
                age_days = rng.randint(5, 80)  # younger than three months: no VAT yet
            else:
                age_days = 95 + min(int(rng.expovariate(1 / 2600)), 30 * 365 - 95)
        if orgnr is None:
            orgnr = self.next_orgnr()
        else:
            self.used_orgnr.add(orgnr)
        c = Company(orgnr, industry, form, self.days_ago(age_days))
        if nace is None:
            nace_code, _, words = self._nace[industry].pick(rng)
        else:
            nace_code, _, words = next(x for x in cat.NACE[industry] if x[0] == nace)
        c.nace = (nace_code,)
        if industry == cat.CONSTRUCTION and rng.random() < 0.15:
            second = self._nace[industry].pick(rng)[0]
            if second != nace_code:
                c.nace = (nace_code, second)
        young = age_days < 90

        if status == "random" and not young:
            r = rng.random()
            if r < 0.010 and age_days > 200:
                status = "deleted"
            elif r < 0.030 and age_days > 200:
                status = "bankrupt"
            elif r < 0.042:
                status = "liquidation"
            elif r < 0.044:
                status = "forced_liquidation"
        if status == "deleted":
            c.slettedato = self.days_ago(rng.randint(1, min(age_days - 100, 1000)))
            c.under_avvikling = False
        elif status == "bankrupt":
            c.konkursdato = self.days_ago(rng.randint(1, min(age_days - 120, 700)))
        elif status == "liquidation":
            c.under_avvikling = True
            c.liquidation_from = self.days_ago(rng.randint(1, min(age_days - 30, 300)))
        elif status == "forced_liquidation":
            c.under_tvangsavvikling = True
            c.liquidation_from = self.days_ago(rng.randint(1, min(age_days - 30, 300)))

        # Name
        if form == "NUF":
            c.hjemland = self._nuf_countries.pick(rng)
            pool = cat.name_pool(c.hjemland)
            pattern = rng.choice(cat.NUF_NAME_PATTERNS[c.hjemland])
            if name is None:
                for _ in range(12):
                    name = pattern.format(n=rng.choice(pool.last_male).upper())
                    if name not in self.used_names:
                        break
                    pattern = rng.choice(cat.NUF_NAME_PATTERNS[c.hjemland])
                    if rng.random() < 0.5:
                        name = pattern.format(
                            n=f"{rng.choice(pool.male)} {rng.choice(pool.last_male)}".upper()
                        )
                        if name not in self.used_names:
                            break
            c.navn = self.unique_name(name)
            postcode, city = rng.choice(cat.FOREIGN_CITIES[c.hjemland])
            c.address = json.dumps(
                {
                    "adresse": [f"{rng.choice(pool.last_male)} {rng.randint(1, 90)}"],
                    "postnummer": postcode,
                    "poststed": city,
                    "land": cat.COUNTRY_NAME_NB[c.hjemland],
                    "landkode": c.hjemland,
                },
                ensure_ascii=False,
            )
        else:
            if name is not None:
                c.navn = self.unique_name(name.upper())
            elif form == "ENK":
                # An ENK's name carries the owner's name; Enhetsregisteret allows repeats.
                assert owner is not None
                c.navn = f"{rng.choice(words)} {owner.fornavn.split()[0]} {owner.etternavn}".upper()
            else:
                for _ in range(12):
                    candidate = self.company_name(words, form)
                    if candidate not in self.used_names:
                        break
                c.navn = self.unique_name(candidate)
            c.address = self.address()

        # Merverdiavgiftsregisteret and the self-declaration
        if not young:
            r = rng.random()
            egen_share = 0.10 if form == "ENK" else 0.01
            if r < 0.006 and status == "random":  # deregistered, no declaration: VAT unclear
                c.vat_from = self.between(c.regdate, c.regdate + D(days=60))
                c.vat_to = self.days_ago(rng.randint(1, 200))
                if c.vat_to <= c.vat_from:
                    c.vat_from = None
                    c.vat_to = None
            elif r < 0.006 + egen_share:
                c.egen_from = self.between(c.regdate, min(self.today, c.regdate + D(days=90)))
            else:
                c.vat_from = self.between(c.regdate, min(self.days_ago(1), c.regdate + D(days=60)))

        # Approval registers
        if industry == cat.CLEANING:
            c.cleaning = (
                Weighted(
                    [
                        (ApprovalStatus.APPROVED, 86),
                        (ApprovalStatus.APPLIED_MAY_ORDER, 7),
                        (ApprovalStatus.APPLIED, 2),
                        (ApprovalStatus.REJECTED, 3),
                        (ApprovalStatus.REVOKED, 2),
                    ]
                ).pick(rng)
                if young is False
                else ApprovalStatus.APPLIED_MAY_ORDER
            )
            c.approval_date = self.approval_date(c)
        elif industry == cat.CARCARE:
            if nace_code == "45.201" and rng.random() < 0.35:
                c.workshop_from = self.between(c.regdate, self.today)
            else:
                c.carcare = (
                    Weighted(
                        [
                            (ApprovalStatus.APPROVED, 90),
                            (ApprovalStatus.APPLIED, 5),
                            (ApprovalStatus.REJECTED, 3),
                            (ApprovalStatus.REVOKED, 2),
                        ]
                    ).pick(rng)
                    if not young
                    else ApprovalStatus.APPLIED
                )
                c.approval_date = self.approval_date(c)
        elif industry in cat.STAFFING_INDUSTRIES:
            c.staffing_registered = rng.random() > 0.03
            if c.staffing_registered:
                c.staffing_from = self.between(c.regdate, min(self.today, c.regdate + D(days=30)))
        self.companies.append(c)
        return c

    def company_name(self, words: Sequence[str], form: str) -> str:
        """A Norwegian company name in the style of Enhetsregisteret (upper case)."""
        rng = self.rng
        pool = cat.name_pool("NO")
        word = rng.choice(words)
        last = rng.choice(pool.last_male)
        r = rng.random()
        if r < 0.30:
            name = f"{last} {word}"
        elif r < 0.48:
            name = f"{self._place_objs.pick(rng).poststed.split()[0]} {word}"
        elif r < 0.60:
            name = f"{rng.choice(cat.NAME_PREFIXES)} {word}"
        elif r < 0.72:
            name = f"{last} & {rng.choice(pool.last_male)} {word}"
        elif r < 0.84:
            name = f"{rng.choice(pool.male)} {last} {word}"
        elif r < 0.94:
            name = f"{last} {word} {self._place_objs.pick(rng).poststed.split()[0]}"
        else:
            name = f"BRØDRENE {last} {word}"
        return f"{name} {form}".upper()

    def approval_date(self, c: Company) -> dt.date:
        status = c.cleaning or c.carcare
        if status in (ApprovalStatus.APPROVED,):
            return self.between(c.regdate, min(self.today, c.regdate + D(days=120)))
        if status == ApprovalStatus.REVOKED:
            return self.days_ago(self.rng.randint(1, min(365, (self.today - c.regdate).days)))
        return self.days_ago(self.rng.randint(0, min(60, (self.today - c.regdate).days)))

    def underenhet(
        self, parent: Company, *, orgnr: str | None = None, name: str | None = None
    ) -> Company:
        rng = self.rng
        place = self._place_objs.pick(rng)
        if orgnr is None:
            orgnr = self.next_orgnr()
        else:
            self.used_orgnr.add(orgnr)
        u = Company(orgnr, parent.industry, "BEDR", self.between(parent.regdate, self.today))
        u.parent = parent
        u.nace = parent.nace
        u.navn = self.unique_name(name or f"{parent.navn} AVD {place.poststed.split()[0]}")
        u.address = self.address()
        u.slettedato = parent.slettedato
        self.underenheter.append(u)
        return u

    def company_facts(self, c: Company) -> CompanyFacts:
        if c.facts is None:
            c.facts = CompanyFacts(
                orgnr=c.orgnr,
                name=c.navn,
                organisation_form=c.form,
                registered_on=c.regdate,
                deleted_on=c.slettedato,
                bankrupt=c.konkursdato is not None,
                under_liquidation=c.under_avvikling,
                forced_liquidation=c.under_tvangsavvikling,
                nace_codes=c.nace,
                vat_registrations=(Period(c.vat_from, c.vat_to),) if c.vat_from else (),
                vat_self_declarations=(Period(c.egen_from, None),) if c.egen_from else (),
                staffing_registrations=(Period(c.staffing_from, None),) if c.staffing_from else (),
                cleaning_approval=c.cleaning,
                carcare_approval=c.carcare,
                workshop_approvals=(Period(c.workshop_from, None),) if c.workshop_from else (),
            )
        return c.facts

    # --- relations ---------------------------------------------------------------------

    def role(self, c: Company, rolletype: str, p: Person, since: dt.date | None = None) -> None:
        self.roles.append((c, rolletype, p, since or c.regdate))

    def employ(
        self,
        c: Company,
        p: Person,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        ended: bool | None = None,
        card_all: bool = False,
        yrke: str | None = None,
    ) -> Slot:
        """An employment in Aa-registeret (and the slot a card can hang on)."""
        rng = self.rng
        today = self.today
        last_start = c.slettedato or c.konkursdato or today
        if start is None:
            r = rng.random()
            if r < 0.015 and c.alive_on(today):
                start = today + D(days=rng.randint(1, 30))
            elif r < 0.021 and c.alive_on(today):
                start = today + D(days=rng.randint(31, 120))
            else:
                back = int(rng.expovariate(1 / 1100))
                start = max(c.regdate, last_start - D(days=back + 1))
        if ended is None:
            ended = rng.random() < 0.05
        if end is None and ended and start < today - D(days=15):
            end = self.between(max(start + D(days=14), self.days_ago(730)), self.days_ago(1))
        if c.slettedato is not None:
            end = min(end or c.slettedato, c.slettedato)
        elif c.konkursdato is not None and end is None and rng.random() < 0.6:
            end = c.konkursdato
        if end is not None and end < start:
            end = start
        pct = (self._pct_cleaning if c.industry == cat.CLEANING else self._pct).pick(rng)
        if yrke is None:
            yrke = self._occupations[c.industry].pick(rng)
        self.employments.append((c, p, start, end, pct, yrke))
        if end is None or end >= today:
            c.employees += 1
        p.employers += 1
        slot = Slot(c, p, "AA", start, end, card_all)
        self.slots.append(slot)
        return slot

    def add_oppdrag(
        self, nuf: Company, giver: Company, start: dt.date, end: dt.date | None, text: str
    ) -> int:
        self.oppdrag.append((nuf, giver, start, end, text))
        return len(self.oppdrag)  # the id the row gets

    def post(
        self,
        oppdrag_id: int,
        nuf: Company,
        p: Person,
        start: dt.date,
        end: dt.date | None,
        card_all: bool = False,
    ) -> Slot:
        self.postings.append((oppdrag_id, p, start, end))
        p.employers += 1
        slot = Slot(nuf, p, "OAR", start, end, card_all)
        self.slots.append(slot)
        return slot

    def own_employer(self, c: Company, p: Person, card_all: bool = False) -> Slot:
        slot = Slot(c, p, "OWNER", c.regdate, c.slettedato, card_all)
        self.slots.append(slot)
        return slot

    # --- the whole population ----------------------------------------------------------

    def build(self, personas_builder=None) -> Tables:
        if personas_builder is not None:
            main_rng = self.rng
            self.rng = random.Random(personas_builder.SEED)
            personas_builder.build(self)
            self.rng = main_rng
        n_personas = len(self.persons)
        self.build_companies()
        self.build_relations()
        self.build_extras()
        self.fill_population(n_personas)
        self.build_cards()
        return self.tables()

    def build_companies(self) -> None:
        rng = self.rng
        for _ in range(self.preset.companies):
            industry = self._industries.pick(rng)
            form = self._forms[industry].pick(rng)
            owner = None
            if form == "ENK":
                owner = self.person(male=rng.random() < cat.MALE_SHARE[industry], born=(1958, 2003))
            c = self.company(industry, form, owner=owner)
            if owner is not None:
                self.role(c, "INNH", owner)
                c.orderer = owner

    def _sizes(self) -> dict[Company, int]:
        """Workers per company: skewed (many 1-10, some 50-300, a few 1,000+), scaled
        so each card type gets its share of the preset's cards."""
        rng = self.rng
        total_real = sum(REAL_CARD_COUNTS.values())
        targets = {
            t: max(self.preset.min_cards_per_type, round(self.preset.cards * n / total_real))
            for t, n in REAL_CARD_COUNTS.items()
        }
        owners = Counter()
        weights: dict[Company, float] = {}
        for c in self.companies:
            if c.persona:
                continue
            t = cat.CARD_TYPE[c.industry]
            if c.form == "ENK":
                owners[t] += 1
                factor = 0.1
            elif c.form in ("ANS", "DA"):
                owners[t] += 2.4
                factor = 0.35
            else:
                factor = 2.0 if c.industry in cat.STAFFING_INDUSTRIES else 1.0
            if c.regdate > self.days_ago(90):
                factor *= 0.3
            weights[c] = rng.lognormvariate(0, 1.5) * factor
        self._card_targets = targets
        sizes: dict[Company, int] = {}
        for t in targets:
            group = [c for c in weights if cat.CARD_TYPE[c.industry] == t]
            if not group:
                continue
            workforce = max(0.0, (targets[t] - owners[t] * 0.8) / 0.8)
            scale = workforce / sum(weights[c] for c in group)
            for c in group:
                x = weights[c] * scale
                x = min(x, MAX_COMPANY_SIZE)
                sizes[c] = int(x) + (1 if rng.random() < x - int(x) else 0)
        return sizes

    def build_relations(self) -> None:
        sizes = self._sizes()
        givers = [
            c
            for c in self.companies
            if c.form == "AS" and c.industry == cat.CONSTRUCTION and c.alive_on(self.today)
        ] or [c for c in self.companies if c.form != "NUF"]
        for c in list(self.companies):
            if c.persona:
                continue
            size = sizes.get(c, 0)
            if c.form == "NUF":
                self._nuf(c, size, givers)
            else:
                self._norwegian(c, size)

    def _norwegian(self, c: Company, size: int) -> None:
        rng = self.rng
        male_share = cat.MALE_SHARE[c.industry]
        staff: list[Person] = []
        for _ in range(size):
            p = None
            if self.worker_pool and rng.random() < 0.05:
                cand = self.worker_pool[rng.randrange(len(self.worker_pool))]
                if cand.employers < 3 and cand.status == "bosatt" and cand not in staff:
                    p = cand
            if p is None:
                p = self.worker(c.industry)
                self.worker_pool.append(p)
            staff.append(p)
            slot = self.employ(c, p)
            if slot.end is not None and slot.end < self.today and p.employers == 1:
                r = rng.random()
                if r < 0.04:
                    p.status, p.status_date = "utflyttet", self.between(slot.end, self.today)
                elif r < 0.05:
                    p.status, p.status_date = "doed", self.between(slot.end, self.today)
        if c.form == "ENK":
            owner = next(r[2] for r in self.roles if r[0] is c and r[1] == "INNH")
            self.own_employer(c, owner)
        elif c.form in ("ANS", "DA"):
            code = "DTSO" if c.form == "ANS" else "DTPR"
            for i in range(rng.choice((2, 2, 2, 3))):
                partner = self.person(male=rng.random() < male_share, born=(1958, 2000))
                self.role(c, code, partner)
                self.own_employer(c, partner)
                if i == 0:
                    c.orderer = partner
        else:  # AS
            dagl = staff[0] if staff else self.person(male=rng.random() < 0.8, born=(1955, 1998))
            self.role(c, "DAGL", dagl)
            c.orderer = dagl
            if rng.random() < 0.55 or len(staff) < 2:
                lede = dagl if rng.random() < 0.7 else self.person(born=(1955, 1995))
            else:
                lede = self.person(born=(1955, 1995))
            self.role(c, "LEDE", lede)
            if size >= 20:
                for _ in range(rng.randint(1, 3)):
                    member = self.person(born=(1955, 1995))
                    self.role(c, "MEDL", member)
            if size >= 15 and rng.random() < 0.5:
                for _ in range(1 + min(6, size // 40)):
                    self.underenhet(c)
        c.size = size

    def _nuf(self, c: Company, size: int, givers: list[Company]) -> None:
        rng = self.rng
        # Contact person in Norway (and sometimes a Norwegian representative).
        kont = self.person(country=c.hjemland if rng.random() < 0.5 else "NO", born=(1960, 1998))
        self.role(c, "KONT", kont)
        c.orderer = kont
        if rng.random() < 0.3:
            self.role(c, "REPR", self.person(born=(1955, 1995)))
        if size == 0:
            return
        n_oppdrag = 1 + min(5, size // 25)
        assignments = []
        for _ in range(n_oppdrag):
            giver = givers[rng.randrange(len(givers))]
            start = max(c.regdate, self.days_ago(rng.randint(0, 720)))
            if c.slettedato or c.konkursdato:
                start = min(start, (c.slettedato or c.konkursdato) - D(days=1))
            end = None if rng.random() < 0.7 else start + D(days=rng.randint(60, 900))
            if c.slettedato is not None:
                end = min(end or c.slettedato, c.slettedato)
            oid = self.add_oppdrag(c, giver, start, end, rng.choice(_OPPDRAG_TEXTS))
            assignments.append((oid, start, end))
        for _ in range(size):
            oid, o_start, o_end = assignments[rng.randrange(len(assignments))]
            p = self.person(
                country=c.hjemland, male=rng.random() < 0.95, dnr=True, born=(1962, 2004)
            )
            if p.tildelt and p.tildelt < add_years(self.today, -5) and rng.random() < 0.5:
                p.status = "inaktiv"
                p.status_date = add_years(p.tildelt, 5)
            r = rng.random()
            if r < 0.03:
                start = self.today + D(days=rng.randint(1, 30))
            else:
                start = self.between(o_start, min(self.today, o_end or self.today))
            start = max(start, o_start)
            end = o_end
            if rng.random() < 0.05 and start < self.days_ago(15):
                end = self.between(start + D(days=14), self.days_ago(1))
            if end is not None and end < start:
                end = start
            self.post(oid, c, p, start, end)

    def build_extras(self) -> None:
        rng = self.rng
        alive_as = [
            c
            for c in self.companies
            if c.form == "AS"
            and c.industry == cat.CONSTRUCTION
            and c.alive_on(self.today)
            and not c.under_avvikling
            and not c.under_tvangsavvikling
            and (c.vat_from or c.egen_from)
        ]
        if not alive_as:
            return
        # Exception register: NAV sheltered work, not in Aa-registeret.
        for _ in range(max(2, self.preset.cards // 3000)):
            c = alive_as[rng.randrange(len(alive_as))]
            p = self.person()
            start = self.days_ago(rng.randint(10, 900))
            self.unntak.append((c, p, start))
            self.slots.append(Slot(c, p, "UNNTAK", start, None, True))
        # Orders for new hires not yet in Aa-registeret (the registers lag): pending.
        for _ in range(max(2, self.preset.cards // 1500)):
            c = alive_as[rng.randrange(len(alive_as))]
            self.slots.append(Slot(c, self.worker(c.industry), "NONE", self.today, None, True))

    def fill_population(self, n_personas: int) -> None:
        """Everyone else in Folkeregisteret: no employment here, some dead or emigrated."""
        rng = self.rng
        missing = self.preset.persons + n_personas - len(self.persons)
        for _ in range(max(0, missing)):
            p = self.person(born=(1955, 2007))
            r = rng.random()
            if r < 0.01:
                p.status, p.status_date = "doed", self.days_ago(rng.randint(1, 5 * 365))
            elif r < 0.03:
                p.status, p.status_date = "utflyttet", self.days_ago(rng.randint(1, 5 * 365))

    # --- cards -----------------------------------------------------------------------

    def person_facts(self, p: Person) -> PersonFacts:
        permits = ()
        if p.permit is not None:
            access, start, end, _ = p.permit
            permits = (PermitFacts(work_access=access, valid=Period(start, end)),)
        return PersonFacts(
            identifier=p.pid,
            id_type=IdType.DNR if p.dnr else IdType.FNR,
            name=p.name,
            birth_date=p.birth,
            status=PersonStatus(p.status),
            citizenships=(p.citizenship,),
            permits=permits,
            status_since=p.status_date,
        )

    def slot_facts(self, slot: Slot) -> Facts:
        c = slot.company
        employments: tuple[EmploymentFacts, ...] = ()
        exceptions: tuple[ExceptionFacts, ...] = ()
        roles: tuple[str, ...] = ()
        if slot.kind == "AA":
            employments = (EmploymentFacts(EmploymentSource.AAREG, Period(slot.start, slot.end)),)
        elif slot.kind == "OAR":
            employments = (EmploymentFacts(EmploymentSource.OAR, Period(slot.start, slot.end)),)
        elif slot.kind == "OWNER":
            roles = ("INNH",) if c.form == "ENK" else ("DTSO" if c.form == "ANS" else "DTPR",)
        elif slot.kind == "UNNTAK":
            exceptions = (
                ExceptionFacts(
                    waives=frozenset({Requirement.EMPLOYMENT.value}),
                    valid=Period(slot.start, None),
                ),
            )
        return Facts(
            company=self.company_facts(c),
            person=self.person_facts(slot.person),
            employments=employments,
            exceptions=exceptions,
            roles=roles,
        )

    def cause_date(self, slot: Slot, codes: Sequence[str]) -> dt.date | None:
        """The day the register event behind these failed requirements happened."""
        c, p = slot.company, slot.person
        dates: list[dt.date] = []
        for code in codes:
            if code == ReasonCode.COMPANY_DELETED and c.slettedato:
                dates.append(c.slettedato)
            elif code == ReasonCode.COMPANY_BANKRUPT and c.konkursdato:
                dates.append(c.konkursdato)
            elif code == ReasonCode.COMPANY_LIQUIDATION and c.liquidation_from:
                dates.append(c.liquidation_from)
            elif code == ReasonCode.VAT_UNCLEAR and c.vat_to:
                dates.append(c.vat_to + D(days=1))
            elif code in (ReasonCode.PERSON_DEAD, ReasonCode.PERSON_EMIGRATED) and p.status_date:
                dates.append(p.status_date)
            elif code == ReasonCode.DNUMBER_INACTIVE and p.status_date:
                dates.append(p.status_date + D(days=31))
            elif code == ReasonCode.EMPLOYMENT_NOT_REGISTERED and slot.end:
                dates.append(slot.end + D(days=1))
            elif code == ReasonCode.WORK_PERMIT_MISSING and p.permit and p.permit[2]:
                dates.append(p.permit[2] + D(days=1))
            elif (
                code in (ReasonCode.CLEANING_NOT_APPROVED, ReasonCode.CARCARE_NOT_APPROVED)
                and (c.cleaning or c.carcare) == ApprovalStatus.REVOKED
                and c.approval_date
            ):
                dates.append(c.approval_date)
            else:
                return None  # a requirement that never was met: no card was ever valid
        return min(dates) if dates else None

    def build_cards(self) -> None:
        """Decide every slot's card from the rules' verdict. Slots that fail or wait
        get a card (invalid, pending, returned ...) with a fixed probability; the
        share of passing slots with a card is then set so each card type lands on
        the preset's target (the personas' cards come on top)."""
        rng = self.rng
        today = self.today
        passing: dict[str, list[Slot]] = {t: [] for t in self._card_targets}
        made = Counter()
        for slot in self.slots:
            card_type = cat.CARD_TYPE[slot.company.industry]
            facts = self.slot_facts(slot)
            verdict = evaluate(facts, card_type=card_type, today=today, purpose=Purpose.RECHECK)
            if verdict.outcome is Outcome.PASS and not slot.card_all:
                passing[card_type].append(slot)
                continue
            if slot.card_all or rng.random() < 0.85:
                before = len(self.cards)
                self.cards_for(slot, card_type, verdict, facts)
                if not slot.card_all:
                    made[card_type] += len(self.cards) - before
        for card_type, slots in passing.items():
            # A passing slot yields about 1.04 cards (expired predecessors, blocked ones).
            wanted = max(0, self._card_targets[card_type] - made[card_type]) / 1.04
            share = min(0.97, wanted / len(slots)) if slots else 0.0
            for slot in slots:
                if rng.random() < share:
                    self.cards_for(slot, card_type, None, None)

    def issue_window(self, slot: Slot, cutoff: dt.date | None) -> tuple[dt.date, dt.date] | None:
        """Days a card could have been issued: from 30 days before the start (and not
        before the company existed) until today or the day before things went wrong."""
        c = slot.company
        lo = max(slot.start - D(days=30), c.regdate, self.days_ago(729))
        hi = self.today if cutoff is None else min(self.today, cutoff - D(days=1))
        return (lo, hi) if lo <= hi else None

    def cards_for(self, slot: Slot, card_type: str, verdict, facts: Facts | None) -> None:
        """The card(s) of one slot; `verdict` None means the re-check passes."""
        rng = self.rng
        today = self.today
        if verdict is None or verdict.outcome is Outcome.PASS:
            # Some employments also hold an expired card from before.
            if rng.random() < 0.05 and not slot.card_all:
                lo = max(slot.start - D(days=30), slot.company.regdate)
                hi = self.days_ago(731)
                if lo <= hi:
                    issue = self.between(lo, hi)
                    self.card(
                        slot,
                        card_type,
                        EXPIRED,
                        [ReasonCode.CARD_EXPIRED],
                        issue=issue,
                        changed=add_years(issue, 2) + D(days=1),
                    )
            window = self.issue_window(slot, None)
            if window is None:  # starts within 30 days but window empty: order just placed
                window = (today, today)
            issue = self.between(*window)
            if not slot.card_all and rng.random() < 0.015 and issue < self.days_ago(20):
                blocked_on = self.between(issue + D(days=7), self.days_ago(2))
                old = self.card(
                    slot,
                    card_type,
                    BLOCKED,
                    [ReasonCode.CARD_BLOCKED],
                    issue=issue,
                    changed=blocked_on,
                    block_reason="lost" if rng.random() < 0.8 else "stolen",
                )
                if rng.random() < 0.7:
                    new_issue = self.between(blocked_on + D(days=1), today)
                    self.card(
                        slot,
                        card_type,
                        self.issued_state(new_issue),
                        [],
                        issue=new_issue,
                        changed=new_issue,
                        replaces=old,
                    )
                return
            self.card(slot, card_type, self.issued_state(issue), [], issue=issue, changed=issue)
            return

        codes = [str(code) for code in verdict.reason_codes]
        order_verdict = evaluate(facts, card_type=card_type, today=today, purpose=Purpose.ORDER)
        cutoff = self.cause_date(slot, codes)
        window = self.issue_window(slot, cutoff) if cutoff is not None else None
        if window is not None and (cutoff is not None and cutoff <= today):
            issue = self.between(*window)
            changed = max(cutoff, issue + D(days=1))
            ended = slot.end is not None and slot.end < today
            if slot.kind in ("AA", "OAR") and ended and not slot.card_all:
                r = rng.random()
                if r < 0.3:  # the employer collected and shredded it
                    returned = min(today, changed + D(days=rng.randint(0, 40)))
                    self.card(
                        slot,
                        card_type,
                        RETURNED,
                        [ReasonCode.CARD_RETURNED],
                        issue=issue,
                        changed=returned,
                    )
                    return
                if r < 0.33:
                    self.card(
                        slot,
                        card_type,
                        CONFISCATED,
                        [ReasonCode.CARD_CONFISCATED],
                        issue=issue,
                        changed=min(today, changed + D(days=rng.randint(1, 60))),
                    )
                    return
            self.card(slot, card_type, INVALID, codes, issue=issue, changed=changed)
            return
        if order_verdict.outcome is Outcome.PENDING:
            ordered = self.days_ago(rng.randint(0, 19))
            if ReasonCode.CLEANING_APPROVAL_AWAITED in order_verdict.reason_codes:
                ordered = self.days_ago(rng.randint(0, 90))  # not auto-cancelled
            ordered = max(ordered, slot.company.regdate)
            self.card(
                slot,
                card_type,
                PENDING,
                [str(x) for x in order_verdict.reason_codes],
                issue=None,
                changed=ordered,
            )
            self.upload_approved(slot, ordered)
            return
        failed = [str(f.code) for f in order_verdict.findings if f.outcome is Outcome.FAIL]
        if failed and set(failed) <= _REJECTABLE and rng.random() < 0.2:
            # An order that waited for the approval register and was then refused.
            ordered = max(slot.company.regdate, self.days_ago(rng.randint(1, 300)))
            self.card(slot, card_type, REJECTED, failed, issue=None, changed=ordered)

    def upload_approved(self, slot: Slot, ordered: dt.date) -> None:
        """The photo and ID of a pending order, uploaded and approved (the order
        gate); no image files: the demo's seeded sets are never shown."""
        n = len(self.uploads) + 1
        self.uploads.append(
            (
                n,
                slot.company.orgnr,
                slot.person.pid,
                slot.person.name,
                f"seed/{n}-photo.jpg",
                "image/jpeg",
                f"seed/{n}-id.jpg",
                "image/jpeg",
                "passport",
                "approved",
                "{}",
                "seed",
                # Fixed times, not self.at(): drawing from the generator's random
                # stream here would change everything generated after it.
                dt.datetime(ordered.year, ordered.month, ordered.day, 9, tzinfo=OSLO),
                dt.datetime(ordered.year, ordered.month, ordered.day, 14, tzinfo=OSLO),
                "saksbehandler",
            )
        )

    def issued_state(self, issue: dt.date) -> str:
        return IN_PRODUCTION if issue >= self.days_ago(3) else ACTIVE

    def card(
        self,
        slot: Slot,
        card_type: str,
        state: str,
        codes: Sequence[str],
        *,
        issue: dt.date | None,
        changed: dt.date,
        block_reason: str = "",
        replaces: int | None = None,
    ) -> int:
        rng = self.rng
        while True:
            number = new_card_number(rng)
            if number not in self.card_numbers:
                self.card_numbers.add(number)
                break
        card_id = len(self.cards) + 1
        valid_until = add_years(issue, 2) if issue else None
        created = self.at(issue - D(days=rng.randint(0, 4)) if issue else changed)
        shipped = None
        if issue is not None and state != IN_PRODUCTION:
            ship_day = issue + D(days=rng.randint(1, 4))
            shipped = self.at(min(ship_day, self.today), 15)
        changed_at = self.at(changed)
        reasons = json.dumps([str(c) for c in codes])
        self.cards.append(
            (
                card_id,
                number,
                card_type,
                slot.company.orgnr,
                slot.person.pid,
                slot.person.name,
                slot.company.navn,
                state,
                reasons,
                changed_at,
                issue,
                valid_until,
                shipped,
                block_reason,
                replaces,
                "",
                min(created, changed_at),
            )
        )
        self.history.append(
            (card_id, card_id, changed_at, "", state, reasons, "job", SEED_ACTOR, "")
        )
        return card_id

    # --- rows ---------------------------------------------------------------------------

    def tables(self) -> Tables:
        t = Tables()
        stamp = self.stamp
        enhet_rows = []
        branches = Counter(u.parent.orgnr for u in self.underenheter)
        for c in self.companies + self.underenheter:
            codes = c.nace + ("", "", "")
            employees = c.employees
            if c.parent is not None:
                employees = c.parent.employees // (branches[c.parent.orgnr] + 1)
            enhet_rows.append(
                (
                    c.orgnr,
                    c.navn,
                    c.form,
                    c.parent.orgnr if c.parent else None,
                    codes[0],
                    codes[1],
                    codes[2],
                    employees,
                    c.regdate,
                    c.regdate - D(days=c.regdate.toordinal() % 40) if c.form != "BEDR" else None,
                    c.form in ("AS", "ANS", "DA", "NUF") or (c.form == "ENK" and c.size > 0),
                    c.slettedato,
                    c.konkursdato is not None,
                    c.konkursdato,
                    c.under_avvikling,
                    c.under_tvangsavvikling,
                    c.address,
                    "{}",
                    c.hjemland,
                    stamp,
                )
            )
        t.add(
            "registers.Enhet",
            (
                "organisasjonsnummer",
                "navn",
                "organisasjonsform",
                "overordnet_enhet_id",
                "naeringskode1",
                "naeringskode2",
                "naeringskode3",
                "antall_ansatte",
                "registreringsdato",
                "stiftelsesdato",
                "registrert_i_foretaksregisteret",
                "slettedato",
                "konkurs",
                "konkursdato",
                "under_avvikling",
                "under_tvangsavvikling",
                "forretningsadresse",
                "postadresse",
                "hjemland",
                "oppdatert",
            ),
            enhet_rows,
        )
        person_rows = []
        for p in self.persons:
            person_rows.append(
                (
                    p.pid,
                    "DNR" if p.dnr else "FNR",
                    p.fornavn,
                    p.mellomnavn,
                    p.etternavn,
                    p.birth,
                    "mann" if p.male else "kvinne",
                    f'["{p.citizenship}"]',
                    p.status,
                    p.status_date,
                    p.tildelt,
                    p.address,
                    stamp,
                )
            )
        t.add(
            "registers.Person",
            (
                "identifikator",
                "identifikatortype",
                "fornavn",
                "mellomnavn",
                "etternavn",
                "foedselsdato",
                "kjoenn",
                "statsborgerskap",
                "status",
                "status_dato",
                "identifikator_tildelt",
                "bostedsadresse",
                "oppdatert",
            ),
            person_rows,
        )
        seen_roles = set()
        role_rows = []
        for c, code, p, since in self.roles:
            key = (c.orgnr, code, p.pid)
            if key in seen_roles:
                continue
            seen_roles.add(key)
            role_rows.append((len(role_rows) + 1, c.orgnr, code, p.pid, False, since))
        t.add(
            "registers.Rolle",
            ("id", "enhet_id", "rolletype", "person_id", "fratraadt", "registrert"),
            role_rows,
        )
        hoved = self.companies
        t.add(
            "registers.MvaRegistrering",
            ("id", "enhet_id", "registrert_fra", "registrert_til"),
            [
                (i, c.orgnr, c.vat_from, c.vat_to)
                for i, c in enumerate((c for c in hoved if c.vat_from), start=1)
            ],
        )
        t.add(
            "registers.MvaEgenerklaering",
            ("id", "enhet_id", "erklaert_dato", "trukket_dato", "erklaert_av"),
            [
                (i, c.orgnr, c.egen_from, None, c.orderer.pid if c.orderer else "")
                for i, c in enumerate((c for c in hoved if c.egen_from), start=1)
            ],
        )
        t.add(
            "registers.Arbeidsforhold",
            (
                "navarbeidsforhold_id",
                "arbeidsgiver_id",
                "arbeidstaker_id",
                "type",
                "startdato",
                "sluttdato",
                "stillingsprosent",
                "yrke",
            ),
            [
                (i, c.orgnr, p.pid, "ordinaertArbeidsforhold", start, end, pct, yrke)
                for i, (c, p, start, end, pct, yrke) in enumerate(self.employments, start=1)
            ],
        )
        t.add(
            "registers.Oppdrag",
            ("id", "oppdragsgiver_id", "oppdragstaker_id", "startdato", "sluttdato", "beskrivelse"),
            [
                (i, giver.orgnr, nuf.orgnr, start, end, text)
                for i, (nuf, giver, start, end, text) in enumerate(self.oppdrag, start=1)
            ],
        )
        t.add(
            "registers.OppdragArbeidstaker",
            ("id", "oppdrag_id", "arbeidstaker_id", "startdato", "sluttdato"),
            [
                (i, oid, p.pid, start, end)
                for i, (oid, p, start, end) in enumerate(self.postings, start=1)
            ],
        )
        t.add(
            "registers.Bemanningsforetak",
            ("id", "enhet_id", "registrert_fra", "registrert_til"),
            [
                (i, c.orgnr, c.staffing_from, None)
                for i, c in enumerate((c for c in hoved if c.staffing_from), start=1)
            ],
        )
        t.add(
            "registers.Renholdsgodkjenning",
            ("id", "enhet_id", "status", "status_dato"),
            [
                (i, c.orgnr, str(c.cleaning), c.approval_date)
                for i, c in enumerate((c for c in hoved if c.cleaning), start=1)
            ],
        )
        t.add(
            "registers.Bilpleiegodkjenning",
            ("id", "enhet_id", "status", "status_dato"),
            [
                (i, c.orgnr, str(c.carcare), c.approval_date)
                for i, c in enumerate((c for c in hoved if c.carcare), start=1)
            ],
        )
        t.add(
            "registers.Verkstedgodkjenning",
            ("id", "enhet_id", "godkjent_fra", "godkjent_til"),
            [
                (i, c.orgnr, c.workshop_from, None)
                for i, c in enumerate((c for c in hoved if c.workshop_from), start=1)
            ],
        )
        t.add(
            "registers.Oppholdstillatelse",
            ("id", "person_id", "arbeidsadgang", "gyldig_fra", "gyldig_til", "tillatelsestype"),
            [
                (i, p.pid, *p.permit)
                for i, p in enumerate((p for p in self.persons if p.permit), start=1)
            ],
        )
        t.add(
            "registers.Unntak",
            (
                "id",
                "enhet_id",
                "person_id",
                "fritak",
                "gyldig_fra",
                "gyldig_til",
                "begrunnelse",
                "registrert_av",
                "registrert",
            ),
            [
                (
                    i,
                    c.orgnr,
                    p.pid,
                    json.dumps([Requirement.EMPLOYMENT.value]),
                    start,
                    None,
                    "Arbeid i skjermet virksomhet (NAV-tiltak); ikke registrert i Aa-registeret.",
                    "saksbehandler",
                    self.at(start, 10),
                )
                for i, (c, p, start) in enumerate(self.unntak, start=1)
            ],
        )
        t.add(
            "cards.Card",
            (
                "id",
                "card_number",
                "card_type",
                "employer_orgnr",
                "holder_id",
                "holder_name",
                "employer_name",
                "state",
                "reason_codes",
                "state_changed_at",
                "issue_date",
                "valid_until",
                "shipped_at",
                "block_reason",
                "replaces_id",
                "ordered_by",
                "created_at",
            ),
            self.cards,
        )
        t.add(
            "cards.CardStatusHistory",
            (
                "id",
                "card_id",
                "at",
                "from_state",
                "to_state",
                "reason_codes",
                "actor_type",
                "actor",
                "note",
            ),
            self.history,
        )
        t.add(
            "portal.UploadSet",
            (
                "id",
                "orgnr",
                "person_id",
                "holder_name",
                "photo_path",
                "photo_content_type",
                "id_document_path",
                "id_document_content_type",
                "document_type",
                "status",
                "auto_findings",
                "uploaded_by",
                "created_at",
                "reviewed_at",
                "reviewed_by",
            ),
            self.uploads,
        )
        return t


#: Reasons an order can wait for and then be refused on (approval applications).
_REJECTABLE = frozenset(
    {ReasonCode.CLEANING_NOT_APPROVED.value, ReasonCode.CARCARE_NOT_APPROVED.value}
)

_OPPDRAG_TEXTS = (
    "Betongarbeid, boligprosjekt",
    "Forskaling og armering",
    "Tømrerarbeid, rehabilitering",
    "Grunnarbeid og VA",
    "Stillasmontasje",
    "Innvendig snekring og gips",
    "Rivearbeid",
    "Fasadearbeid",
)


def generate(preset: Preset, *, seed: int, today: dt.date, with_personas: bool = True) -> Tables:
    """Build the whole population for `preset` in memory (no database access)."""
    from . import personas

    generator = Generator(preset, seed=seed, today=today)
    # Millions of small objects and no reference cycles: the cyclic garbage
    # collector would only rescan them over and over (about a third of the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return generator.build(personas if with_personas else None)
    finally:
        if was_enabled:
            gc.enable()


def summarize(tables: Tables) -> dict[str, int]:
    return {label.split(".")[1]: len(rows) for label, (_, rows) in tables.rows.items()}


__all__ = ["Generator", "Tables", "generate", "summarize"]
