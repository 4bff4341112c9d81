import datetime as dt

import pytest
from django.utils import timezone

from hmskort.intelligence.risk import Pattern, RiskSettings, rank_of, risk_list
from hmskort.intelligence.scope import CompanyFilters

from .conftest import employ, staffed


def _today():
    return timezone.localdate()


@pytest.mark.parametrize("pattern", [p.value for p in Pattern])
def test_each_planted_case_is_at_the_top_of_its_pattern(planted, pattern):
    result = risk_list(today=_today(), pattern=pattern)
    assert result.rows, pattern
    assert result.rows[0].orgnr == planted[pattern].organisasjonsnummer
    signal = next(s for s in result.rows[0].signals if s.pattern == pattern)
    assert signal.score > 0 and signal.explanation


def test_every_planted_case_is_listed_and_the_clean_company_is_not(planted):
    rows = risk_list(today=_today()).rows
    for key, company in planted.items():
        rank = rank_of(rows, company.organisasjonsnummer)
        if key == "clean":
            assert rank is None
        else:
            assert rank is not None and rank <= len(planted) - 1, key


def test_explanations_carry_the_numbers(planted):
    rows = {r.orgnr: r for r in risk_list(today=_today()).rows}
    few = rows[planted["few_cards"].organisasjonsnummer]
    text = next(s for s in few.signals if s.pattern == Pattern.FEW_CARDS).explanation
    assert "2 gyldige HMS-kort for 20 ansatte" in text and "10 %" in text
    mismatch = rows[planted["nace_mismatch"].organisasjonsnummer].signals[0]
    assert "3 gyldige BA-kort" in mismatch.explanation and "81.210" in mismatch.explanation
    short = rows[planted["short_employment"].organisasjonsnummer]
    assert "3 arbeidstakere" in short.signals[0].explanation
    presented = rows[planted["invalid_presented"].organisasjonsnummer].signals[0]
    assert presented.numbers == {"cards": 2, "checks": 6, "days": 90}


def test_short_employment_window_is_configurable(planted):
    narrow = RiskSettings(short_employment_days=5)
    rows = risk_list(today=_today(), pattern="short_employment", settings=narrow).rows
    assert rank_of(rows, planted["short_employment"].organisasjonsnummer) is None


def test_few_cards_needs_the_ratio_below_the_threshold(planted):
    company = planted["clean"]
    employ(company, 4)  # 3 cards for 7 employees: 43 %, below 50 %
    rows = risk_list(today=_today(), pattern="few_cards").rows
    assert rank_of(rows, company.organisasjonsnummer) is not None
    lenient = RiskSettings(few_cards_ratio=0.4)
    rows = risk_list(today=_today(), pattern="few_cards", settings=lenient).rows
    assert rank_of(rows, company.organisasjonsnummer) is None


def test_filters_by_county_industry_and_size(planted):
    bergen = risk_list(today=_today(), filters=CompanyFilters(county="46")).rows
    assert [r.orgnr for r in bergen] == [planted["nace_mismatch"].organisasjonsnummer]
    assert bergen[0].county_name == "Vestland"

    cleaning = risk_list(today=_today(), filters=CompanyFilters(industry="RH")).rows
    assert [r.orgnr for r in cleaning] == [planted["nace_mismatch"].organisasjonsnummer]

    big = risk_list(today=_today(), filters=CompanyFilters(size_band="20-99")).rows
    assert [r.orgnr for r in big] == [planted["few_cards"].organisasjonsnummer]
    small = {
        r.orgnr for r in risk_list(today=_today(), filters=CompanyFilters(size_band="1-4")).rows
    }
    assert planted["few_cards"].organisasjonsnummer not in small
    assert planted["confiscated"].organisasjonsnummer in small


def test_workshop_approved_car_care_company_is_not_flagged_for_no_cards(db):
    from hmskort.registers.tests.factories import EnhetFactory, VerkstedgodkjenningFactory

    workshop = EnhetFactory(naeringskode1="45.200")
    plain = EnhetFactory(naeringskode1="45.200")
    VerkstedgodkjenningFactory(enhet=workshop)
    rows = risk_list(today=_today(), pattern="no_cards").rows
    assert rank_of(rows, plain.organisasjonsnummer) is not None
    assert rank_of(rows, workshop.organisasjonsnummer) is None


def test_deleted_and_bankrupt_companies_are_left_out(db):
    from hmskort.registers.tests.factories import EnhetFactory

    gone = EnhetFactory(slettedato=_today() - dt.timedelta(days=3))
    broke = EnhetFactory(konkurs=True)
    rows = risk_list(today=_today()).rows
    assert rank_of(rows, gone.organisasjonsnummer) is None
    assert rank_of(rows, broke.organisasjonsnummer) is None


def test_no_query_per_company(planted, django_assert_max_num_queries):
    from hmskort.registers.tests.factories import EnhetFactory

    for _ in range(20):
        EnhetFactory()
    with django_assert_max_num_queries(10):
        risk_list(today=_today())


@pytest.mark.postgres
def test_postgresql_sql_and_portable_queries_agree(planted, monkeypatch):
    """PostgreSQL runs the aggregates as its own SQL, other databases through the ORM:
    both give the same list, underenheter and posted workers (OAR) included."""
    from hmskort.cards.tests.factories import CardFactory
    from hmskort.intelligence import risk
    from hmskort.registers.tests.factories import EnhetFactory, OppdragArbeidstakerFactory

    today = _today()
    # An underenhet of the few-cards company: its staff and cards count for the company.
    branch = EnhetFactory(underenhet=True, overordnet_enhet=planted["few_cards"])
    staffed(branch, 2)
    employ(branch, 3)
    # A foreign company's posted workers: two left ten days after their cards were issued.
    nuf = EnhetFactory(nuf=True, naeringskode1="43.120")
    issued = today - dt.timedelta(days=40)
    for left in (True, True, False):
        work = OppdragArbeidstakerFactory(
            oppdrag__oppdragstaker=nuf,
            startdato=issued - dt.timedelta(days=5),
            sluttdato=issued + dt.timedelta(days=10) if left else None,
        )
        CardFactory(
            employer_orgnr=nuf.organisasjonsnummer,
            holder_id=work.arbeidstaker.identifikator,
            **({"invalid": True} if left else {"active": True}),
            issue_date=issued,
        )

    def listing(**kw):
        return [
            (
                r.orgnr,
                r.score,
                r.employees,
                r.valid_cards,
                [(s.pattern, s.numbers) for s in r.signals],
            )
            for r in risk.risk_list(today=today, **kw).rows
        ]

    variants = [{}, {"pattern": "short_employment"}, {"filters": CompanyFilters(county="46")}]
    on_postgresql = [listing(**kw) for kw in variants]
    monkeypatch.setattr(risk, "_on_postgresql", lambda: False)
    assert [listing(**kw) for kw in variants] == on_postgresql

    rows = {r[0]: r for r in on_postgresql[0]}
    few = rows[planted["few_cards"].organisasjonsnummer]
    assert few[2:4] == (25, 4)  # 20 + 5 employees, 2 + 2 cards
    short = dict(rows[nuf.organisasjonsnummer][4])[Pattern.SHORT_EMPLOYMENT]
    assert short["workers"] == 2
