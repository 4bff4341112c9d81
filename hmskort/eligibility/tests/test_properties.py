"""Property tests: the verdict depends on its inputs and nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hmskort.eligibility.dates import add_months
from hmskort.eligibility.facts import (
    ApprovalStatus,
    CompanyFacts,
    EmploymentFacts,
    EmploymentSource,
    ExceptionFacts,
    ExistingCard,
    ExistingCardKind,
    Facts,
    IdType,
    Period,
    PermitFacts,
    PersonFacts,
    PersonStatus,
)
from hmskort.eligibility.reasons import REASONS, ReasonCode
from hmskort.eligibility.requirements import Requirement
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Outcome, Purpose

from .builders import TODAY, company, shift

# Offsets in days around "today": mostly near the interesting boundaries.
offsets = st.one_of(st.integers(-40, 40), st.integers(-1500, 1500))
dates = offsets.map(lambda n: TODAY + dt.timedelta(days=n))
optional_dates = st.none() | dates
periods = st.builds(Period, start=optional_dates, end=optional_dates)
period_tuples = st.lists(periods, max_size=2).map(tuple)
approvals = st.none() | st.sampled_from(ApprovalStatus)
nace = st.sampled_from(["41.200", "43.221", "81.210", "81.300", "45.201", "78.200", "62.010"])

companies = st.builds(
    CompanyFacts,
    orgnr=st.just("974760673"),
    name=st.just("Testfirma AS"),
    organisation_form=st.sampled_from(["AS", "ENK", "ANS", "DA", "NUF"]),
    registered_on=dates,
    deleted_on=st.none() | dates,
    bankrupt=st.booleans(),
    under_liquidation=st.booleans(),
    forced_liquidation=st.booleans(),
    nace_codes=st.lists(nace, max_size=3, unique=True).map(tuple),
    vat_registrations=period_tuples,
    vat_self_declarations=period_tuples,
    staffing_registrations=period_tuples,
    cleaning_approval=approvals,
    carcare_approval=approvals,
    workshop_approvals=period_tuples,
)
persons = st.builds(
    PersonFacts,
    identifier=st.just("15076500565"),
    id_type=st.sampled_from(IdType),
    name=st.just("Ola Nordmann"),
    birth_date=st.just(dt.date(1980, 1, 1)),
    status=st.sampled_from(PersonStatus),
    citizenships=st.lists(st.sampled_from(["NO", "SE", "PL", "CH", "UA", "IN"]), max_size=2).map(
        tuple
    ),
    permits=st.lists(
        st.builds(PermitFacts, work_access=st.booleans(), valid=periods), max_size=2
    ).map(tuple),
    status_since=optional_dates,
)
employments = st.builds(EmploymentFacts, source=st.sampled_from(EmploymentSource), period=periods)
exceptions = st.builds(
    ExceptionFacts,
    waives=st.frozensets(st.sampled_from([r.value for r in Requirement]), max_size=3),
    valid=periods,
)
existing_cards = st.builds(
    ExistingCard,
    card_number=st.just("1234567890"),
    card_type=st.sampled_from(["BA", "RH", "BP"]),
    kind=st.sampled_from(ExistingCardKind),
    valid_until=optional_dates,
)
all_facts = st.builds(
    Facts,
    company=st.none() | companies,
    person=st.none() | persons,
    employments=st.lists(employments, max_size=3).map(tuple),
    exceptions=st.lists(exceptions, max_size=2).map(tuple),
    existing_cards=st.lists(existing_cards, max_size=3).map(tuple),
    roles=st.lists(st.sampled_from(["INNH", "DTPR", "DTSO", "DAGL"]), max_size=2).map(tuple),
)
card_types = st.sampled_from(["BA", "RH", "BP", "XX"])
purposes = st.sampled_from(Purpose)

CASES = dict(facts=all_facts, card_type=card_types, purpose=purposes, lost=st.booleans())


def run(facts, card_type, purpose, lost, today=TODAY):
    return evaluate(
        facts, card_type=card_type, today=today, purpose=purpose, replaces_lost_card=lost
    )


@given(**CASES)
def test_same_inputs_give_equal_verdicts(facts, card_type, purpose, lost):
    assert run(facts, card_type, purpose, lost) == run(facts, card_type, purpose, lost)


@settings(max_examples=50)
@given(cases=st.lists(st.tuples(all_facts, card_types, purposes, st.booleans()), max_size=8))
def test_evaluation_order_does_not_matter(cases):
    forwards = [run(*case) for case in cases]
    backwards = [run(*case) for case in reversed(cases)]
    assert forwards == list(reversed(backwards))


@given(**CASES, data=st.data())
def test_order_of_register_entries_does_not_matter(facts, card_type, purpose, lost, data):
    def permuted(items):
        return tuple(data.draw(st.permutations(items)))

    shuffled = replace(
        facts,
        employments=permuted(facts.employments),
        exceptions=permuted(facts.exceptions),
        existing_cards=permuted(facts.existing_cards),
        roles=permuted(facts.roles),
    )
    if facts.company is not None:
        shuffled = replace(
            shuffled,
            company=replace(
                facts.company,
                nace_codes=permuted(facts.company.nace_codes),
                vat_registrations=permuted(facts.company.vat_registrations),
                workshop_approvals=permuted(facts.company.workshop_approvals),
            ),
        )
    if facts.person is not None:
        shuffled = replace(
            shuffled,
            person=replace(
                facts.person,
                permits=permuted(facts.person.permits),
                citizenships=permuted(facts.person.citizenships),
            ),
        )
    assert run(shuffled, card_type, purpose, lost) == run(facts, card_type, purpose, lost)


@given(**CASES)
def test_verdict_does_not_depend_on_the_active_language(facts, card_type, purpose, lost):
    with translation.override("en"):
        english = run(facts, card_type, purpose, lost)
    with translation.override("nb"):
        norwegian = run(facts, card_type, purpose, lost)
    assert english == norwegian


RANK = {
    ReasonCode.UNKNOWN_CARD_TYPE: 0,
    ReasonCode.CLEANING_COMPANY_RH_ONLY: 1,
    ReasonCode.WORKSHOP_EXEMPT: 2,
    ReasonCode.COMPANY_NOT_FOUND: 10,
    ReasonCode.COMPANY_DELETED: 10,
    ReasonCode.COMPANY_BANKRUPT: 10,
    ReasonCode.COMPANY_LIQUIDATION: 10,
    ReasonCode.VAT_UNCLEAR: 11,
    ReasonCode.PERSON_NOT_FOUND: 12,
    ReasonCode.PERSON_DEAD: 12,
    ReasonCode.PERSON_EMIGRATED: 12,
    ReasonCode.PERSON_ID_CEASED: 12,
    ReasonCode.DNUMBER_INACTIVE: 12,
    ReasonCode.EMPLOYMENT_NOT_REGISTERED: 13,
    ReasonCode.EMPLOYMENT_STARTS_LATER: 13,
    ReasonCode.OWNER_ROLE_MISSING: 13,
    ReasonCode.STAFFING_NOT_REGISTERED: 14,
    ReasonCode.NACE_JUSTIFICATION_MISSING: 14.5,
    ReasonCode.NACE_JUSTIFICATION_PENDING: 14.5,
    ReasonCode.NACE_JUSTIFICATION_REJECTED: 14.5,
    ReasonCode.CLEANING_APPROVAL_AWAITED: 15,
    ReasonCode.CLEANING_NOT_APPROVED: 15,
    ReasonCode.CARCARE_NOT_APPROVED: 16,
    ReasonCode.WORK_PERMIT_MISSING: 17,
    ReasonCode.ALREADY_ORDERED: 20,
    ReasonCode.ALREADY_HAS_CARD: 21,
    ReasonCode.LOST_CARD_NOT_BLOCKED: 21,
}


@given(**CASES)
def test_outcome_is_consistent_with_the_findings(facts, card_type, purpose, lost):
    verdict = run(facts, card_type, purpose, lost)
    outcomes = [finding.outcome for finding in verdict.findings]
    # FAIL iff some finding fails; PENDING iff none fails and some is pending; else PASS
    assert (verdict.outcome is Outcome.FAIL) == (Outcome.FAIL in outcomes)
    assert (verdict.outcome is Outcome.PENDING) == (
        Outcome.FAIL not in outcomes and Outcome.PENDING in outcomes
    )
    assert (verdict.outcome is Outcome.PASS) == (verdict.findings == ())
    assert Outcome.PASS not in outcomes
    # every code is in the catalogue, reported once, in the documented order
    codes = verdict.reason_codes
    assert all(code in REASONS for code in codes)
    assert len(codes) == len(set(codes))
    assert [RANK[c] for c in codes] == sorted(RANK[c] for c in codes)
    # requirement groups give one finding each
    assert len([RANK[c] for c in codes]) == len({RANK[c] for c in codes})
    if purpose is Purpose.RECHECK:
        assert not {ReasonCode.ALREADY_ORDERED, ReasonCode.ALREADY_HAS_CARD} & set(codes)


@given(**CASES)
def test_waiving_every_requirement_leaves_only_scope_and_existing_cards(
    facts, card_type, purpose, lost
):
    waive_all = ExceptionFacts(waives=frozenset(Requirement), valid=Period())
    verdict = run(replace(facts, exceptions=(waive_all,)), card_type, purpose, lost)
    assert set(verdict.reason_codes) <= {
        ReasonCode.UNKNOWN_CARD_TYPE,
        ReasonCode.CLEANING_COMPANY_RH_ONLY,
        ReasonCode.WORKSHOP_EXEMPT,
        ReasonCode.ALREADY_ORDERED,
        ReasonCode.ALREADY_HAS_CARD,
        ReasonCode.LOST_CARD_NOT_BLOCKED,
    }


def _calendar_sensitive(facts: Facts, today: dt.date) -> bool:
    """Whether a calendar-month rule sits where its length in days matters.

    Three calendar months are 89 to 92 days and one month 28 to 31, so the
    VAT age rule and the renewal window depend on the calendar, not only on
    day differences, inside those bands.
    """
    if facts.company is not None and 88 <= (today - facts.company.registered_on).days <= 93:
        return True
    return any(
        card.valid_until is not None and 27 <= (card.valid_until - today).days <= 32
        for card in facts.existing_cards
    )


@given(**CASES, days=st.integers(-3000, 3000))
def test_shifting_all_dates_and_today_together_never_changes_the_verdict(
    facts, card_type, purpose, lost, days
):
    assume(not _calendar_sensitive(facts, TODAY))
    shifted_today = TODAY + dt.timedelta(days=days)
    assert run(shift(facts, days), card_type, purpose, lost, shifted_today) == run(
        facts, card_type, purpose, lost
    )


def test_the_vat_age_rule_counts_calendar_months_not_days():
    # given a company 91 days old without VAT registration, on two different days
    young = Facts(
        company=company(registered_on=dt.date(2024, 3, 1), vat_registrations=()),
        person=None,
        exceptions=(ExceptionFacts(frozenset({"PERSON_REGISTERED", "EMPLOYMENT"}), Period()),),
    )
    today = dt.date(2024, 5, 31)
    assert add_months(today, -3) == dt.date(2024, 2, 29)
    # then on 31 May it is younger than 3 months, but one day earlier
    # (registered 29 February, 91 days before 30 May) it is not
    assert run(young, "BA", Purpose.ORDER, False, today).passed
    earlier = run(shift(young, -1), "BA", Purpose.ORDER, False, today - dt.timedelta(days=1))
    assert earlier.reason_codes == [ReasonCode.VAT_UNCLEAR]
