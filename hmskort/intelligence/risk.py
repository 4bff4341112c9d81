"""The inspectors' risk list: companies ranked by how strongly they match known
patterns of rule-breaking (seed 003 §3.3, §6.3, §6.4.1, §7.2.1), each with the
numbers behind it.

Set-based: a handful of GROUP BY queries over the whole population (companies,
Aa/OAR employments, cards, check records), merged and scored in memory. There is
never one query per company. Reads the simulated registers' tables directly
(aggregates the ports do not offer); a real integration would feed the same
aggregates from a register extract.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hmskort.cards.models import Card, CardState
from hmskort.cards.services.transitions import VALID_STATES
from hmskort.eligibility.industries import INDUSTRIES, get_industry
from hmskort.registers import models as reg

from .nace import industries_for_nace, nace_fits_card_type, offers_cleaning
from .scope import CompanyFilters, county_name, size_band_of


class Pattern(enum.StrEnum):
    NO_CARDS = "no_cards"
    FEW_CARDS = "few_cards"
    NACE_MISMATCH = "nace_mismatch"
    SHORT_EMPLOYMENT = "short_employment"
    INVALID_PRESENTED = "invalid_presented"
    CONFISCATED = "confiscated"


PATTERN_TITLES = {
    Pattern.NO_CARDS: gettext_lazy("HMS-bransje uten gyldige kort"),
    Pattern.FEW_CARDS: gettext_lazy("Få kort i forhold til ansatte"),
    Pattern.NACE_MISMATCH: gettext_lazy("Næringskoden passer ikke til korttypen"),
    Pattern.SHORT_EMPLOYMENT: gettext_lazy("Ansatt bare lenge nok til å få kort"),
    Pattern.INVALID_PRESENTED: gettext_lazy("Ugyldige kort vist fram"),
    Pattern.CONFISCATED: gettext_lazy("Kort inndratt tidligere"),
}


@dataclass(frozen=True)
class RiskSettings:
    #: FEW_CARDS: valid cards below this share of the employees ...
    few_cards_ratio: float = 0.5
    #: ... in a company with at least this many employees in Aa/OAR.
    few_cards_min_employees: int = 5
    #: SHORT_EMPLOYMENT: the employment ended at most this many days after the card was issued ...
    short_employment_days: int = 30
    #: ... and ended within this many days before today.
    short_employment_lookback_days: int = 365
    #: INVALID_PRESENTED: check records from this many days back.
    presented_lookback_days: int = 90


@dataclass(frozen=True, slots=True)
class RiskSignal:
    pattern: Pattern
    score: int
    numbers: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(PATTERN_TITLES[self.pattern])

    @property
    def explanation(self) -> str:
        return explain(self)


@dataclass(slots=True)
class RiskRow:
    orgnr: str
    name: str
    organisation_form: str
    nace_codes: tuple[str, ...]
    kommunenummer: str
    registered_employees: int
    employees: int  # in Aa-registeret (and OAR, for posted workers) today
    valid_cards: int
    signals: list[RiskSignal] = field(default_factory=list)
    score: int = 0

    def __post_init__(self) -> None:
        self.score = sum(s.score for s in self.signals)

    @property
    def county(self) -> str:
        return (self.kommunenummer or "")[:2]

    @property
    def county_name(self) -> str:
        return county_name(self.county) if self.county else ""

    @property
    def size_band(self) -> str:
        return size_band_of(self.registered_employees)

    @property
    def patterns(self) -> list[str]:
        return [s.pattern.value for s in self.signals]


@dataclass
class RiskResult:
    rows: list[RiskRow]
    total: int  # rows before `limit`
    presented_available: bool  # whether check records fed INVALID_PRESENTED
    settings: RiskSettings


def receipts_available() -> bool:
    """Whether check records exist here: the receipts app is installed and migrated."""
    if not apps.is_installed("hmskort.receipts"):
        return False
    from hmskort.receipts.models import CardCheck

    return CardCheck._meta.db_table in connection.introspection.table_names()


# --- scoring ------------------------------------------------------------------------------


def _log_score(n: int, *, base: int, step: float, cap: int) -> int:
    return min(cap, base + round(step * math.log2(1 + n)))


def explain(signal: RiskSignal) -> str:
    n = signal.numbers
    p = signal.pattern
    if p is Pattern.NO_CARDS:
        return (
            _(
                "Næringskode %(nace)s krever HMS-kort (%(industries)s), men virksomheten har ingen "
                "gyldige HMS-kort. Ansatte i Aa-registeret/OAR: %(employees)s; i "
                "Enhetsregisteret: %(registered)s."
            )
            % n
        )
    if p is Pattern.FEW_CARDS:
        return (
            _(
                "%(cards)s gyldige HMS-kort for %(employees)s ansatte i Aa-registeret/OAR "
                "(%(percent)s %%); terskelen er %(threshold)s %%. %(missing)s ansatte kan mangle kort."
            )
            % n
        )
    if p is Pattern.NACE_MISMATCH:
        parts = [
            _("%(count)s gyldige %(card_type)s-kort") % {"count": c, "card_type": t}
            for t, c in sorted(n["types"].items())
        ]
        text = _("%(cards)s, men næringskoden %(nace)s passer ikke til korttypen.") % {
            "cards": ", ".join(parts),
            "nace": n["nace"],
        }
        if n.get("cleaning"):
            text += " " + _("En renholdsvirksomhet kan bare få RH-kort.")
        return text
    if p is Pattern.SHORT_EMPLOYMENT:
        return (
            _(
                "%(workers)s arbeidstakere ble meldt ut av Aa-registeret/OAR innen %(days)s dager "
                "etter at HMS-kortet ble utstedt (avsluttet siste %(lookback)s dager; %(percent)s %% "
                "av de ansatte)."
            )
            % n
        )
    if p is Pattern.INVALID_PRESENTED:
        return (
            _(
                "%(cards)s ugyldige, utløpte eller sperrede kort ble kontrollert %(checks)s ganger "
                "de siste %(days)s dagene."
            )
            % n
        )
    if p is Pattern.CONFISCATED:
        return _("%(count)s av virksomhetens HMS-kort er inndratt av tilsynsmyndighet.") % n
    return ""


# --- the queries ------------------------------------------------------------------------------
#
# On PostgreSQL (production) the heavy aggregates are plain SQL read with a bare cursor:
# one statement each for employments, cards and short employments, and no per-row
# converters on the ~150,000 rows they return. Short employments join the ended
# employments (tens of thousands) to the cards in one hash join rather than probing the
# cards once per employment. Other databases (SQLite in development) run the same
# aggregates through the ORM; both paths give the same numbers (tests/test_risk.py).


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _fetch(sql: str, params: dict | tuple) -> Iterator[tuple]:
    """The rows of a query, read in batches: each row can be dropped once used."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            yield from batch


def _tables() -> dict[str, str]:
    return {
        "aa": reg.Arbeidsforhold._meta.db_table,
        "oar": reg.OppdragArbeidstaker._meta.db_table,
        "oppdrag": reg.Oppdrag._meta.db_table,
        "card": Card._meta.db_table,
    }


def _company_rows(filters: CompanyFilters):
    return (
        reg.Enhet.objects.filter(
            filters.q(),
            overordnet_enhet__isnull=True,
            slettedato__isnull=True,
            konkurs=False,
        )
        .annotate(kommune=KeyTextTransform("kommunenummer", "forretningsadresse"))
        .values_list(
            "organisasjonsnummer",
            "navn",
            "organisasjonsform",
            "naeringskode1",
            "naeringskode2",
            "naeringskode3",
            "antall_ansatte",
            "kommune",
        )
    )


def _companies(filters: CompanyFilters) -> Iterable[tuple]:
    """(orgnr, name, form, nace1, nace2, nace3, registered employees, kommunenummer)."""
    rows = _company_rows(filters)
    if _on_postgresql():
        # The ORM's own SELECT (filters included), read without per-row converters.
        return _fetch(*rows.query.sql_with_params())
    return rows


def _parents() -> dict[str, str]:
    """underenhet orgnr -> hovedenhet orgnr (cards and employments roll up to the company)."""
    return dict(
        reg.Enhet.objects.filter(overordnet_enhet__isnull=False).values_list(
            "organisasjonsnummer", "overordnet_enhet_id"
        )
    )


def _rolled_up(rows: Iterable[tuple[str, int]], parents: dict[str, str]) -> dict[str, int]:
    """Sum (orgnr, n) rows per company: an underenhet counts for its hovedenhet."""
    counts: dict[str, int] = defaultdict(int)
    company_of = parents.get
    for orgnr, n in rows:
        counts[company_of(orgnr, orgnr)] += n
    return counts


_PG_EMPLOYEES = """
    SELECT arbeidsgiver_id, COUNT(*) FROM {aa}
     WHERE startdato <= %(today)s AND (sluttdato IS NULL OR sluttdato >= %(today)s)
     GROUP BY arbeidsgiver_id
    UNION ALL
    SELECT o.oppdragstaker_id, COUNT(*)
      FROM {oar} w JOIN {oppdrag} o ON o.id = w.oppdrag_id
     WHERE w.startdato <= %(today)s AND (w.sluttdato IS NULL OR w.sluttdato >= %(today)s)
     GROUP BY o.oppdragstaker_id
"""


def _employees(today: dt.date, parents: dict[str, str]) -> dict[str, int]:
    """Employments (Aa) and posted workers' assignments (OAR) running today, per company."""
    if _on_postgresql():
        return _rolled_up(_fetch(_PG_EMPLOYEES.format(**_tables()), {"today": today}), parents)
    aa = (
        reg.Arbeidsforhold.objects.filter(startdato__lte=today)
        .filter(Q(sluttdato__isnull=True) | Q(sluttdato__gte=today))
        .values("arbeidsgiver_id")
        .annotate(n=Count("*"))
        .values_list("arbeidsgiver_id", "n")
    )
    oar = (
        reg.OppdragArbeidstaker.objects.filter(startdato__lte=today)
        .filter(Q(sluttdato__isnull=True) | Q(sluttdato__gte=today))
        .values("oppdrag__oppdragstaker_id")
        .annotate(n=Count("*"))
        .values_list("oppdrag__oppdragstaker_id", "n")
    )
    return _rolled_up([*aa, *oar], parents)


_PG_CARDS = """
    SELECT employer_orgnr, card_type,
           COUNT(*) FILTER (WHERE state = ANY(%(valid)s)),
           COUNT(*) FILTER (WHERE state = %(confiscated)s)
      FROM {card}
     WHERE state = ANY(%(states)s)
     GROUP BY employer_orgnr, card_type
"""


def _cards(parents: dict[str, str]) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """-> ({orgnr: {card_type: valid cards}}, {orgnr: confiscated cards})."""
    valid_states = sorted(VALID_STATES)
    if _on_postgresql():
        rows = _fetch(
            _PG_CARDS.format(**_tables()),
            {
                "valid": valid_states,
                "confiscated": CardState.CONFISCATED.value,
                "states": [*valid_states, CardState.CONFISCATED.value],
            },
        )
    else:
        rows = (
            Card.objects.filter(state__in=[*valid_states, CardState.CONFISCATED])
            .values("employer_orgnr", "card_type")
            .annotate(
                n_valid=Count("id", filter=Q(state__in=valid_states)),
                n_confiscated=Count("id", filter=Q(state=CardState.CONFISCATED)),
            )
            .values_list("employer_orgnr", "card_type", "n_valid", "n_confiscated")
        )
    valid: dict[str, dict[str, int]] = {}
    confiscated: dict[str, int] = defaultdict(int)
    company_of = parents.get
    for orgnr, card_type, n_valid, n_confiscated in rows:
        company = company_of(orgnr, orgnr)
        if n_valid:
            by_type = valid.get(company)
            if by_type is None:
                valid[company] = {card_type: n_valid}
            else:
                by_type[card_type] = by_type.get(card_type, 0) + n_valid
        if n_confiscated:
            confiscated[company] += n_confiscated
    return valid, confiscated


# Workers (distinct per employer) whose employment ended in the look-back period within
# `days` after a card with that employer was issued. A join, not EXISTS: PostgreSQL then
# hashes the few ended employments and streams the cards past them once; COUNT(DISTINCT)
# makes a worker with several such cards count once, as with EXISTS.
_PG_SHORT = """
    SELECT a.arbeidsgiver_id, COUNT(DISTINCT a.arbeidstaker_id)
      FROM {aa} a
      JOIN {card} c
        ON c.employer_orgnr = a.arbeidsgiver_id AND c.holder_id = a.arbeidstaker_id
       AND c.issue_date <= a.sluttdato AND c.issue_date >= a.sluttdato - CAST(%(days)s AS integer)
     WHERE a.sluttdato >= %(since)s AND a.sluttdato <= %(today)s
     GROUP BY a.arbeidsgiver_id
    UNION ALL
    SELECT o.oppdragstaker_id, COUNT(DISTINCT w.arbeidstaker_id)
      FROM {oar} w
      JOIN {oppdrag} o ON o.id = w.oppdrag_id
      JOIN {card} c
        ON c.employer_orgnr = o.oppdragstaker_id AND c.holder_id = w.arbeidstaker_id
       AND c.issue_date <= w.sluttdato AND c.issue_date >= w.sluttdato - CAST(%(days)s AS integer)
     WHERE w.sluttdato >= %(since)s AND w.sluttdato <= %(today)s
     GROUP BY o.oppdragstaker_id
"""


def _short_employments(
    today: dt.date, settings: RiskSettings, parents: dict[str, str]
) -> dict[str, int]:
    """Workers whose employment (Aa) or assignment (OAR) ended within N days after
    their card with that employer was issued."""
    since = today - dt.timedelta(days=settings.short_employment_lookback_days)
    if _on_postgresql():
        params = {"today": today, "since": since, "days": settings.short_employment_days}
        return _rolled_up(_fetch(_PG_SHORT.format(**_tables()), params), parents)
    window = dt.timedelta(days=settings.short_employment_days)

    def card_issued_shortly_before(employer_ref: str):
        return Exists(
            Card.objects.filter(
                employer_orgnr=OuterRef(employer_ref),
                holder_id=OuterRef("arbeidstaker_id"),
                issue_date__isnull=False,
                issue_date__lte=OuterRef("sluttdato"),
                issue_date__gte=OuterRef("sluttdato") - window,
            )
        )

    aa = (
        reg.Arbeidsforhold.objects.filter(sluttdato__gte=since, sluttdato__lte=today)
        .filter(card_issued_shortly_before("arbeidsgiver_id"))
        .values("arbeidsgiver_id")
        .annotate(n=Count("arbeidstaker_id", distinct=True))
        .values_list("arbeidsgiver_id", "n")
    )
    oar = (
        reg.OppdragArbeidstaker.objects.filter(sluttdato__gte=since, sluttdato__lte=today)
        .filter(card_issued_shortly_before("oppdrag__oppdragstaker_id"))
        .values("oppdrag__oppdragstaker_id")
        .annotate(n=Count("arbeidstaker_id", distinct=True))
        .values_list("oppdrag__oppdragstaker_id", "n")
    )
    return _rolled_up([*aa, *oar], parents)


#: Answers to a check that mean the card presented was not valid.
PRESENTED_INVALID_STATUSES = ("invalid", "expired", "blocked")


def _presented_invalid(
    today: dt.date, settings: RiskSettings, parents: dict[str, str]
) -> dict[str, tuple[int, int]]:
    from hmskort.receipts.models import CardCheck

    since = dt.datetime.combine(
        today - dt.timedelta(days=settings.presented_lookback_days), dt.time.min, tzinfo=dt.UTC
    )
    result: dict[str, tuple[int, int]] = {}
    rows = (
        CardCheck.objects.filter(checked_at__gte=since, status__in=PRESENTED_INVALID_STATUSES)
        .exclude(employer_orgnr="")
        .values("employer_orgnr")
        .annotate(cards=Count("card_number", distinct=True), checks=Count("check_id"))
        .values_list("employer_orgnr", "cards", "checks")
    )
    for orgnr, cards, checks in rows:
        company = parents.get(orgnr, orgnr)
        old_cards, old_checks = result.get(company, (0, 0))
        result[company] = (old_cards + cards, old_checks + checks)
    return result


def _workshop_approved(today: dt.date) -> set[str]:
    return set(
        reg.Verkstedgodkjenning.objects.filter(godkjent_fra__lte=today)
        .filter(Q(godkjent_til__isnull=True) | Q(godkjent_til__gte=today))
        .values_list("enhet_id", flat=True)
    )


# --- the list ------------------------------------------------------------------------------------


class _NaceProfile:
    """Memoised NACE answers for one run: companies share a few hundred NACE combinations."""

    def __init__(self) -> None:
        self._industries: dict[tuple[tuple[str, ...], bool], list[str]] = {}
        self._fits: dict[tuple[tuple[str, ...], str], bool] = {}
        self._cleaning: dict[tuple[str, ...], bool] = {}
        self._codes: dict[tuple[str, str, str], tuple[str, ...]] = {}
        self._fitting: dict[tuple[str, str, str], frozenset[str]] = {}

    def codes(self, n1: str, n2: str, n3: str) -> tuple[str, ...]:
        """The company's NACE codes (naeringskode1-3), empty ones left out."""
        key = (n1, n2, n3)
        codes = self._codes.get(key)
        if codes is None:
            codes = self._codes[key] = tuple(c for c in key if c)
        return codes

    def industries(self, nace: tuple[str, ...], *, workshop_exempt: bool) -> list[str]:
        key = (nace, workshop_exempt)
        if key not in self._industries:
            self._industries[key] = [
                code
                for code in industries_for_nace(nace)
                if not (workshop_exempt and get_industry(code).exempt_if_workshop_approved)
            ]
        return self._industries[key]

    def fits(self, nace: tuple[str, ...], card_type: str) -> bool:
        key = (nace, card_type)
        fits = self._fits.get(key)
        if fits is None:
            fits = self._fits[key] = nace_fits_card_type(nace, card_type)
        return fits

    def fitting_types(self, n1: str, n2: str, n3: str) -> frozenset[str]:
        """Every card type (industry code) that fits these NACE codes."""
        key = (n1, n2, n3)
        types = self._fitting.get(key)
        if types is None:
            nace = self.codes(n1, n2, n3)
            types = self._fitting[key] = frozenset(t for t in INDUSTRIES if self.fits(nace, t))
        return types

    def mismatched(self, nace: tuple[str, ...], valid_by_type: dict[str, int]) -> dict[str, int]:
        """The valid cards whose type does not fit the NACE codes, per type."""
        return {t: c for t, c in valid_by_type.items() if not self.fits(nace, t)}

    def cleaning(self, nace: tuple[str, ...]) -> bool:
        if nace not in self._cleaning:
            self._cleaning[nace] = offers_cleaning(nace)
        return self._cleaning[nace]


def _few_cards(valid: int, employees: int, settings: RiskSettings) -> bool:
    """FEW_CARDS: some valid cards, but fewer than the share of the employees."""
    return (
        valid > 0
        and employees >= settings.few_cards_min_employees
        and valid < employees * settings.few_cards_ratio
    )


def _signals(
    *,
    nace: tuple[str, ...],
    registered: int,
    employees: int,
    valid_by_type: dict[str, int],
    confiscated: int,
    short: int,
    presented: tuple[int, int] | None,
    workshop_exempt: bool,
    settings: RiskSettings,
    profile: _NaceProfile,
) -> list[RiskSignal]:
    signals: list[RiskSignal] = []
    valid = sum(valid_by_type.values())
    industries = [] if valid else profile.industries(nace, workshop_exempt=workshop_exempt)
    nace_text = ", ".join(nace) or "–"
    if industries:
        signals.append(
            RiskSignal(
                Pattern.NO_CARDS,
                _log_score(max(employees, registered), base=20, step=12, cap=160),
                {
                    "nace": nace_text,
                    "industries": ", ".join(industries),
                    "employees": employees,
                    "registered": registered,
                },
            )
        )
    if _few_cards(valid, employees, settings):
        missing = employees - valid
        share = valid / employees
        score = round(10 + 60 * (1 - share / settings.few_cards_ratio) * min(1.0, missing / 25))
        signals.append(
            RiskSignal(
                Pattern.FEW_CARDS,
                score + _log_score(missing, base=0, step=4, cap=25),
                {
                    "cards": valid,
                    "employees": employees,
                    "percent": round(100 * share),
                    "threshold": round(100 * settings.few_cards_ratio),
                    "missing": missing,
                },
            )
        )
    mismatched = profile.mismatched(nace, valid_by_type)
    if mismatched:
        count = sum(mismatched.values())
        signals.append(
            RiskSignal(
                Pattern.NACE_MISMATCH,
                _log_score(count, base=30, step=10, cap=80),
                {"types": mismatched, "nace": nace_text, "cleaning": profile.cleaning(nace)},
            )
        )
    if short:
        # Weighed by how much of the company it is: a few leavers in a big company is turnover.
        share = short / (short + employees)
        signals.append(
            RiskSignal(
                Pattern.SHORT_EMPLOYMENT,
                min(140, round(15 + 60 * min(1.0, 2 * share) + 8 * math.log2(1 + short))),
                {
                    "workers": short,
                    "percent": round(100 * share),
                    "days": settings.short_employment_days,
                    "lookback": settings.short_employment_lookback_days,
                },
            )
        )
    if presented:
        cards, checks = presented
        signals.append(
            RiskSignal(
                Pattern.INVALID_PRESENTED,
                min(60, 15 * cards),
                {"cards": cards, "checks": checks, "days": settings.presented_lookback_days},
            )
        )
    if confiscated:
        signals.append(
            RiskSignal(
                Pattern.CONFISCATED,
                _log_score(confiscated, base=10, step=15, cap=110),
                {"count": confiscated},
            )
        )
    return signals


def risk_list(
    *,
    today: dt.date,
    filters: CompanyFilters | None = None,
    pattern: str = "",
    limit: int | None = None,
    settings: RiskSettings | None = None,
) -> RiskResult:
    """Every company that matches at least one pattern, highest score first."""
    filters = filters or CompanyFilters()
    settings = settings or RiskSettings()
    parents = _parents()
    employees = _employees(today, parents)
    valid, confiscated = _cards(parents)
    short = _short_employments(today, settings, parents)
    presented_available = receipts_available()
    presented = _presented_invalid(today, settings, parents) if presented_available else {}
    workshops = _workshop_approved(today)
    profile = _NaceProfile()

    # Companies where a signal does not hinge on the cards alone.
    flagged = {o for facts in (confiscated, short, presented) for o, n in facts.items() if n}
    rows: list[RiskRow] = []
    for orgnr, name, form, n1, n2, n3, registered, kommune in _companies(filters):
        valid_by_type = valid.get(orgnr) or {}
        if orgnr not in flagged:
            # The common case, decided without building signals: with valid cards only
            # FEW_CARDS and NACE_MISMATCH can match, without them only NO_CARDS.
            if valid_by_type:
                if valid_by_type.keys() <= profile.fitting_types(n1, n2, n3) and not _few_cards(
                    sum(valid_by_type.values()), employees.get(orgnr, 0), settings
                ):
                    continue
            elif not profile.industries(
                profile.codes(n1, n2, n3), workshop_exempt=orgnr in workshops
            ):
                continue
        nace = profile.codes(n1, n2, n3)
        n_confiscated = confiscated.get(orgnr, 0)
        n_short = short.get(orgnr, 0)
        n_presented = presented.get(orgnr)
        workshop_exempt = orgnr in workshops
        n_employees = employees.get(orgnr, 0)
        signals = _signals(
            nace=nace,
            registered=registered,
            employees=n_employees,
            valid_by_type=valid_by_type,
            confiscated=n_confiscated,
            short=n_short,
            presented=n_presented,
            workshop_exempt=workshop_exempt,
            settings=settings,
            profile=profile,
        )
        if pattern:
            if not any(s.pattern == pattern for s in signals):
                continue
        elif not signals:
            continue
        rows.append(
            RiskRow(
                orgnr=orgnr,
                name=name,
                organisation_form=form,
                nace_codes=nace,
                kommunenummer=kommune or "",
                registered_employees=registered,
                employees=n_employees,
                valid_cards=sum(valid_by_type.values()),
                signals=sorted(signals, key=lambda s: -s.score),
            )
        )
    if pattern:
        # Filtered to one pattern: rank by that pattern's own score first.
        def own(row: RiskRow) -> int:
            return next(s.score for s in row.signals if s.pattern == pattern)

        rows.sort(key=lambda r: (-own(r), -r.score, -r.employees, r.orgnr))
    else:
        rows.sort(key=lambda r: (-r.score, -r.employees, r.orgnr))
    total = len(rows)
    return RiskResult(
        rows=rows[:limit] if limit else rows,
        total=total,
        presented_available=presented_available,
        settings=settings,
    )


def rank_of(rows: Iterable[RiskRow], orgnr: str) -> int | None:
    """1-based position of `orgnr` in `rows` (None if absent)."""
    for n, row in enumerate(rows, start=1):
        if row.orgnr == orgnr:
            return n
    return None
