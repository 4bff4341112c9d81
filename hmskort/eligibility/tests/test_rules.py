"""The eligibility rules, one rule at a time, written as given / when / then.

Dates are relative to a fixed TODAY; every boundary is tested on both sides.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.eligibility.facts import (
    ApprovalStatus,
    DocumentsState,
    EmploymentSource,
    ExistingCardKind,
    IdType,
    Period,
    PersonStatus,
)
from hmskort.eligibility.reasons import ReasonCode as R
from hmskort.eligibility.requirements import Requirement
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Finding, Outcome, Purpose

from .builders import (
    TODAY,
    carcare_company,
    card,
    cleaning_company,
    company,
    day,
    employment,
    facts,
    foreign_person,
    order,
    permit,
    person,
    recheck,
    waiver,
)

PASS, PENDING, FAIL = Outcome.PASS, Outcome.PENDING, Outcome.FAIL


def test_a_registered_company_and_worker_pass_for_every_card_type():
    # given a company and worker registered everywhere each card type needs
    cases = {
        "BA": facts(),
        "RH": facts(company=cleaning_company()),
        "BP": facts(company=carcare_company()),
    }
    for card_type, given in cases.items():
        # when ordering and re-checking
        # then both pass without findings
        assert order(given, card_type).outcome is PASS, card_type
        assert recheck(given, card_type).findings == (), card_type


def test_unknown_card_type_fails_with_only_that_reason():
    given = facts(company=None, person=None)
    verdict = order(given, card_type="XX")
    assert verdict.outcome is FAIL
    assert verdict.findings == (Finding(R.UNKNOWN_CARD_TYPE, FAIL),)


def test_card_type_is_case_insensitive():
    assert order(facts(), card_type="ba").passed


def test_purpose_may_be_given_as_its_string_value():
    verdict = evaluate(facts(employments=()), card_type="BA", today=TODAY, purpose="recheck")
    assert verdict.findings == (Finding(R.EMPLOYMENT_NOT_REGISTERED, FAIL),)


# --- Enhetsregisteret -----------------------------------------------------------


@pytest.mark.parametrize(
    ("given_company", "expected"),
    [
        pytest.param(None, R.COMPANY_NOT_FOUND, id="not-found"),
        pytest.param(company(deleted_on=TODAY), R.COMPANY_DELETED, id="deleted-today"),
        pytest.param(company(deleted_on=day(-1)), R.COMPANY_DELETED, id="deleted-yesterday"),
        pytest.param(company(bankrupt=True), R.COMPANY_BANKRUPT, id="bankrupt"),
        pytest.param(company(under_liquidation=True), R.COMPANY_LIQUIDATION, id="liquidation"),
        pytest.param(
            company(forced_liquidation=True), R.COMPANY_LIQUIDATION, id="forced-liquidation"
        ),
    ],
)
@pytest.mark.parametrize("purpose", list(Purpose))
def test_company_must_exist_and_be_active(given_company, expected, purpose):
    verdict = evaluate(facts(company=given_company), card_type="BA", today=TODAY, purpose=purpose)
    assert verdict.outcome is FAIL
    assert verdict.findings == (Finding(expected, FAIL),)


def test_company_deleted_tomorrow_is_still_active_today():
    assert order(facts(company=company(deleted_on=day(1)))).passed


def test_company_findings_give_one_reason_per_requirement():
    given = facts(company=company(deleted_on=day(-5), bankrupt=True, under_liquidation=True))
    assert order(given).reason_codes == [R.COMPANY_DELETED]


# --- Merverdiavgiftsregisteret --------------------------------------------------


def old_company(**kw):
    """A company older than 3 months with no VAT registration unless given."""
    return company(**{"registered_on": dt.date(2020, 1, 1), "vat_registrations": (), **kw})


@pytest.mark.parametrize(
    ("registration_end", "expected"),
    [
        pytest.param(day(-1), PENDING, id="ended-yesterday"),
        pytest.param(TODAY, PASS, id="ends-today"),
        pytest.param(day(1), PASS, id="ends-tomorrow"),
        pytest.param(None, PASS, id="open"),
    ],
)
def test_vat_registration_must_cover_today(registration_end, expected):
    given = facts(
        company=old_company(vat_registrations=(Period(dt.date(2020, 2, 1), registration_end),))
    )
    verdict = order(given)
    assert verdict.outcome is expected
    if expected is PENDING:
        assert verdict.findings == (Finding(R.VAT_UNCLEAR, PENDING),)


def test_vat_registration_starting_tomorrow_does_not_count_yet():
    given = facts(company=old_company(vat_registrations=(Period(day(1)),)))
    assert order(given).reason_codes == [R.VAT_UNCLEAR]


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        pytest.param(Period(day(-100)), PASS, id="open-self-declaration"),
        pytest.param(Period(day(-100), TODAY), PASS, id="ends-today"),
        pytest.param(Period(day(-100), day(-1)), PENDING, id="ended-yesterday"),
    ],
)
def test_vat_self_declaration_meets_the_requirement(declaration, expected):
    given = facts(company=old_company(vat_self_declarations=(declaration,)))
    assert order(given).outcome is expected


@pytest.mark.parametrize(
    ("today", "registered_on", "expected"),
    [
        # 3 calendar months before 16 June is 16 March
        pytest.param(TODAY, dt.date(2025, 3, 17), PASS, id="3-months-minus-a-day"),
        pytest.param(TODAY, dt.date(2025, 3, 16), PENDING, id="exactly-3-months"),
        pytest.param(TODAY, dt.date(2025, 3, 15), PENDING, id="3-months-plus-a-day"),
        pytest.param(TODAY, TODAY, PASS, id="registered-today"),
        # day clamped to the month end: 31 May - 3 months = 28 Feb (2025)
        pytest.param(dt.date(2025, 5, 31), dt.date(2025, 3, 1), PASS, id="clamp-minus-a-day"),
        pytest.param(dt.date(2025, 5, 31), dt.date(2025, 2, 28), PENDING, id="clamp-exact"),
        # leap year: 31 May 2024 - 3 months = 29 Feb 2024
        pytest.param(dt.date(2024, 5, 31), dt.date(2024, 3, 1), PASS, id="leap-minus-a-day"),
        pytest.param(dt.date(2024, 5, 31), dt.date(2024, 2, 29), PENDING, id="leap-exact"),
        # across the year: 15 Feb - 3 months = 15 Nov
        pytest.param(dt.date(2025, 2, 15), dt.date(2024, 11, 16), PASS, id="year-minus-a-day"),
        pytest.param(dt.date(2025, 2, 15), dt.date(2024, 11, 15), PENDING, id="year-exact"),
    ],
)
def test_company_younger_than_three_months_meets_vat(today, registered_on, expected):
    # given a company without VAT registration or self-declaration
    given = facts(
        company=company(registered_on=registered_on, vat_registrations=()),
        employments=(employment(start=dt.date(2024, 1, 1)),),
    )
    # when ordering, then only its age decides
    verdict = order(given, today=today)
    assert verdict.outcome is expected
    assert verdict.reason_codes == ([] if expected is PASS else [R.VAT_UNCLEAR])


def test_vat_unclear_stays_pending_at_recheck():
    assert recheck(facts(company=old_company())).findings == (Finding(R.VAT_UNCLEAR, PENDING),)


# --- Folkeregisteret --------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_person", "expected"),
    [
        pytest.param(None, R.PERSON_NOT_FOUND, id="not-found"),
        pytest.param(person(status=PersonStatus.DEAD), R.PERSON_DEAD, id="dead"),
        pytest.param(person(status=PersonStatus.EMIGRATED), R.PERSON_EMIGRATED, id="emigrated"),
        pytest.param(person(status=PersonStatus.CEASED), R.PERSON_ID_CEASED, id="ceased"),
    ],
)
@pytest.mark.parametrize("purpose", list(Purpose))
def test_person_must_be_registered_and_alive(given_person, expected, purpose):
    verdict = evaluate(facts(person=given_person), card_type="BA", today=TODAY, purpose=purpose)
    assert verdict.findings == (Finding(expected, FAIL),)


@pytest.mark.parametrize("status", [PersonStatus.RESIDENT, PersonStatus.TEMPORARY])
def test_resident_and_active_d_number_pass(status):
    assert order(facts(person=person(status=status, id_type=IdType.DNR))).passed


def inactive_d_number(since):
    return person(id_type=IdType.DNR, status=PersonStatus.INACTIVE, status_since=since)


@pytest.mark.parametrize("since", [TODAY, day(-1), day(-400), None])
def test_inactive_d_number_cannot_order(since):
    verdict = order(facts(person=inactive_d_number(since)))
    assert verdict.findings == (Finding(R.DNUMBER_INACTIVE, FAIL),)


@pytest.mark.parametrize(
    ("days_inactive", "expected"),
    [
        pytest.param(0, PASS, id="day-0"),
        pytest.param(29, PASS, id="day-29"),
        pytest.param(30, PASS, id="day-30"),
        pytest.param(31, FAIL, id="day-31"),
        pytest.param(365, FAIL, id="day-365"),
    ],
)
def test_issued_card_stays_valid_30_days_after_d_number_turns_inactive(days_inactive, expected):
    given = facts(person=inactive_d_number(day(-days_inactive)))
    verdict = recheck(given)
    assert verdict.outcome is expected
    assert verdict.reason_codes == ([] if expected is PASS else [R.DNUMBER_INACTIVE])


def test_inactive_d_number_with_unknown_date_is_past_the_grace():
    assert recheck(facts(person=inactive_d_number(None))).reason_codes == [R.DNUMBER_INACTIVE]


# --- Aa-registeret / OAR ----------------------------------------------------------


@pytest.mark.parametrize("source", list(EmploymentSource))
@pytest.mark.parametrize(
    ("start", "expected_order"),
    [
        pytest.param(day(-400), PASS, id="started-long-ago"),
        pytest.param(TODAY, PASS, id="starts-today"),
        pytest.param(day(30), PASS, id="starts-in-30-days"),
        pytest.param(day(31), FAIL, id="starts-in-31-days"),
        pytest.param(day(200), FAIL, id="starts-in-200-days"),
    ],
)
def test_card_may_be_ordered_at_most_30_days_before_start(source, start, expected_order):
    verdict = order(facts(employments=(employment(start=start, source=source),)))
    assert verdict.outcome is expected_order
    if expected_order is FAIL:
        assert verdict.findings == (Finding(R.EMPLOYMENT_STARTS_LATER, FAIL),)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        pytest.param(day(-1), "missing", id="ended-yesterday"),
        pytest.param(TODAY, "ok", id="ends-today"),
        pytest.param(day(1), "ok", id="ends-tomorrow"),
    ],
)
def test_employment_must_not_have_ended(end, expected):
    given = facts(employments=(employment(start=day(-500), end=end),))
    order_verdict, recheck_verdict = order(given), recheck(given)
    if expected == "ok":
        assert order_verdict.passed and recheck_verdict.passed
    else:
        # registers lag: the order waits; an issued card becomes invalid
        assert order_verdict.findings == (Finding(R.EMPLOYMENT_NOT_REGISTERED, PENDING),)
        assert recheck_verdict.findings == (Finding(R.EMPLOYMENT_NOT_REGISTERED, FAIL),)


def test_no_employment_is_pending_at_order_and_fails_at_recheck():
    given = facts(employments=())
    assert order(given).findings == (Finding(R.EMPLOYMENT_NOT_REGISTERED, PENDING),)
    assert recheck(given).findings == (Finding(R.EMPLOYMENT_NOT_REGISTERED, FAIL),)


def test_a_current_employment_beats_a_future_one():
    given = facts(employments=(employment(start=day(90)), employment(start=day(-10))))
    assert order(given).passed


def test_ended_and_future_employment_is_starts_later():
    given = facts(
        employments=(employment(start=day(-300), end=day(-30)), employment(start=day(60)))
    )
    assert order(given).findings == (Finding(R.EMPLOYMENT_STARTS_LATER, FAIL),)


def test_employment_starting_too_late_fails_an_issued_card_too():
    given = facts(employments=(employment(start=day(45)),))
    assert recheck(given).findings == (Finding(R.EMPLOYMENT_STARTS_LATER, FAIL),)


def test_posted_worker_in_oar_meets_the_employment_requirement():
    given = facts(
        company=company(organisation_form="NUF"),
        employments=(employment(start=day(10), end=day(100), source=EmploymentSource.OAR),),
    )
    assert order(given).passed


@pytest.mark.parametrize(
    ("form", "roles", "expected"),
    [
        pytest.param("ENK", ("INNH",), PASS, id="enk-owner"),
        pytest.param("ANS", ("DTPR",), PASS, id="ans-partner-full"),
        pytest.param("ANS", ("DTSO",), PASS, id="ans-partner-shared"),
        pytest.param("DA", ("DTSO",), PASS, id="da-partner"),
        pytest.param("DA", ("DTPR",), PASS, id="da-partner-full"),
        pytest.param("ENK", (), PENDING, id="enk-no-role"),
        pytest.param("ENK", ("DTPR",), PENDING, id="enk-wrong-role"),
        pytest.param("ANS", ("INNH",), PENDING, id="ans-wrong-role"),
        pytest.param("ANS", ("DAGL",), PENDING, id="ans-manager-only"),
        pytest.param("AS", ("INNH",), PENDING, id="as-owner-role-does-not-count"),
        pytest.param("AS", ("DAGL", "LEDE"), PENDING, id="as-manager-needs-employment"),
    ],
)
def test_own_employer_role_replaces_the_employment(form, roles, expected):
    # given a worker with no employment in Aa-registeret or OAR
    given = facts(company=company(organisation_form=form), employments=(), roles=roles)
    verdict = order(given)
    assert verdict.outcome is expected
    if expected is PENDING:
        assert verdict.reason_codes == [R.EMPLOYMENT_NOT_REGISTERED]


# --- Bemanningsforetaksregisteret --------------------------------------------------


def staffing_agency(*registrations):
    return company(nace_codes=("78.200", "43.221"), staffing_registrations=registrations)


@pytest.mark.parametrize(
    ("registrations", "ok"),
    [
        pytest.param((Period(day(-300)),), True, id="registered"),
        pytest.param((Period(day(-300), TODAY),), True, id="registration-ends-today"),
        pytest.param((Period(day(-300), day(-1)),), False, id="ended-yesterday"),
        pytest.param((Period(day(1)),), False, id="starts-tomorrow"),
        pytest.param((), False, id="never-registered"),
    ],
)
def test_staffing_agency_must_be_registered(registrations, ok):
    given = facts(company=staffing_agency(*registrations))
    if ok:
        assert order(given).passed and recheck(given).passed
    else:
        assert order(given).findings == (Finding(R.STAFFING_NOT_REGISTERED, PENDING),)
        assert recheck(given).findings == (Finding(R.STAFFING_NOT_REGISTERED, FAIL),)


def test_staffing_registration_is_not_required_of_other_companies():
    assert order(facts(company=company(nace_codes=("43.221", "68.100")))).passed


def test_staffing_agency_registration_applies_to_cleaning_cards_too():
    given = facts(company=cleaning_company(nace_codes=("78.200", "81.210")))
    assert order(given, "RH").reason_codes == [R.STAFFING_NOT_REGISTERED]


# --- Renholdsregisteret -------------------------------------------------------------


@pytest.mark.parametrize(
    ("approval", "expected"),
    [
        pytest.param(ApprovalStatus.APPROVED, None, id="approved"),
        pytest.param(
            ApprovalStatus.APPLIED_MAY_ORDER,
            Finding(R.CLEANING_APPROVAL_AWAITED, PENDING),
            id="applied-may-order",
        ),
        pytest.param(ApprovalStatus.APPLIED, Finding(R.CLEANING_NOT_APPROVED, FAIL), id="applied"),
        pytest.param(
            ApprovalStatus.REJECTED, Finding(R.CLEANING_NOT_APPROVED, FAIL), id="rejected"
        ),
        pytest.param(ApprovalStatus.REVOKED, Finding(R.CLEANING_NOT_APPROVED, FAIL), id="revoked"),
        pytest.param(None, Finding(R.CLEANING_NOT_APPROVED, FAIL), id="never-applied"),
    ],
)
@pytest.mark.parametrize("purpose", list(Purpose))
def test_rh_card_needs_cleaning_approval(approval, expected, purpose):
    given = facts(company=cleaning_company(cleaning_approval=approval))
    verdict = evaluate(given, card_type="RH", today=TODAY, purpose=purpose)
    assert verdict.findings == (() if expected is None else (expected,))


def test_cleaning_approval_is_not_required_for_ba_cards_of_other_companies():
    assert order(facts(company=company(cleaning_approval=None))).passed


@pytest.mark.parametrize("card_type", ["BA", "BP"])
@pytest.mark.parametrize(
    "given_company",
    [
        pytest.param(cleaning_company(), id="nace-81.2-and-approved"),
        pytest.param(company(nace_codes=("43.221", "81.220")), id="nace-81.22-secondary"),
        pytest.param(
            company(cleaning_approval=ApprovalStatus.REJECTED), id="in-renholdsregisteret"
        ),
    ],
)
def test_cleaning_company_can_only_get_rh_cards(card_type, given_company):
    verdict = order(facts(company=given_company), card_type)
    assert verdict.outcome is FAIL
    assert verdict.findings[0] == Finding(R.CLEANING_COMPANY_RH_ONLY, FAIL)


def test_other_81_codes_are_not_cleaning():
    # 81.1 (combined facilities support) and 81.3 (landscaping) are not cleaning
    assert order(facts(company=company(nace_codes=("43.221", "81.100", "81.300")))).passed


# --- Car care (BP) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approval", "expected"),
    [
        pytest.param(ApprovalStatus.APPROVED, None, id="approved"),
        pytest.param(ApprovalStatus.APPLIED, PENDING, id="applied"),
        pytest.param(ApprovalStatus.APPLIED_MAY_ORDER, PENDING, id="applied-may-order"),
        pytest.param(ApprovalStatus.REJECTED, FAIL, id="rejected"),
        pytest.param(ApprovalStatus.REVOKED, FAIL, id="revoked"),
        pytest.param(None, FAIL, id="never-applied"),
    ],
)
def test_bp_card_needs_carcare_approval(approval, expected):
    verdict = order(facts(company=carcare_company(carcare_approval=approval)), "BP")
    if expected is None:
        assert verdict.passed
    else:
        assert verdict.findings == (Finding(R.CARCARE_NOT_APPROVED, expected),)


@pytest.mark.parametrize(
    ("workshop_period", "exempt"),
    [
        pytest.param(Period(day(-100)), True, id="approved-workshop"),
        pytest.param(Period(day(-100), TODAY), True, id="approval-ends-today"),
        pytest.param(Period(day(-100), day(-1)), False, id="approval-ended-yesterday"),
        pytest.param(Period(day(1)), False, id="approval-starts-tomorrow"),
    ],
)
def test_workshop_approved_by_statens_vegvesen_is_outside_the_bp_scheme(workshop_period, exempt):
    given = facts(company=carcare_company(workshop_approvals=(workshop_period,)))
    verdict = order(given, "BP")
    if exempt:
        assert verdict.findings == (Finding(R.WORKSHOP_EXEMPT, FAIL),)
    else:
        assert verdict.passed


def test_workshop_exemption_does_not_touch_construction_cards():
    given = facts(company=company(workshop_approvals=(Period(day(-100)),)))
    assert order(given, "BA").passed


def test_exempt_workshop_is_not_also_told_it_lacks_carcare_approval():
    given = facts(
        company=carcare_company(carcare_approval=None, workshop_approvals=(Period(day(-1)),))
    )
    assert order(given, "BP").reason_codes == [R.WORKSHOP_EXEMPT]


# --- UDI ------------------------------------------------------------------------------


@pytest.mark.parametrize("card_type", ["RH", "BP"])
@pytest.mark.parametrize(
    ("given_person", "needs_permit"),
    [
        pytest.param(person(citizenships=("NO",)), False, id="norwegian"),
        pytest.param(person(citizenships=("PL",)), False, id="eu"),
        pytest.param(person(citizenships=("IS",)), False, id="eea-iceland"),
        pytest.param(person(citizenships=("LI",)), False, id="eea-liechtenstein"),
        pytest.param(person(citizenships=("CH",)), False, id="efta-switzerland"),
        pytest.param(person(citizenships=("UA", "se")), False, id="dual-with-eu-lowercase"),
        pytest.param(foreign_person(), True, id="non-eea-without-permit"),
        pytest.param(person(citizenships=()), True, id="no-citizenship-recorded"),
        pytest.param(person(citizenships=("GB",)), True, id="uk-after-brexit"),
    ],
)
def test_non_eea_worker_needs_a_work_permit_for_rh_and_bp(card_type, given_person, needs_permit):
    company_ = cleaning_company() if card_type == "RH" else carcare_company()
    given = facts(company=company_, person=given_person)
    if needs_permit:
        assert order(given, card_type).findings == (Finding(R.WORK_PERMIT_MISSING, PENDING),)
        assert recheck(given, card_type).findings == (Finding(R.WORK_PERMIT_MISSING, FAIL),)
    else:
        assert order(given, card_type).passed


@pytest.mark.parametrize(
    ("given_permit", "ok"),
    [
        pytest.param(permit(valid_from=day(-200), valid_to=TODAY), True, id="valid-to-today"),
        pytest.param(permit(valid_from=day(-200), valid_to=day(1)), True, id="valid-to-tomorrow"),
        pytest.param(permit(valid_from=day(-200), valid_to=day(-1)), False, id="expired-yesterday"),
        pytest.param(permit(valid_from=TODAY, valid_to=day(300)), True, id="valid-from-today"),
        pytest.param(permit(valid_from=day(1), valid_to=day(300)), False, id="from-tomorrow"),
        pytest.param(permit(valid_from=day(-200), work=False), False, id="no-work-access"),
    ],
)
def test_work_permit_must_give_work_access_today(given_permit, ok):
    given = facts(company=cleaning_company(), person=foreign_person(given_permit))
    verdict = recheck(given, "RH")
    assert verdict.passed is ok
    if not ok:
        assert verdict.reason_codes == [R.WORK_PERMIT_MISSING]


def test_ba_cards_do_not_require_a_work_permit():
    assert order(facts(person=foreign_person())).passed


# --- Exception register -------------------------------------------------------------


def test_exception_waives_the_listed_requirement():
    # given a worker on NAV sheltered work, not in Aa-registeret, with an exception
    given = facts(employments=(), exceptions=(waiver("EMPLOYMENT"),))
    assert order(given).passed
    assert recheck(given).passed


@pytest.mark.parametrize(
    ("start", "end", "waived"),
    [
        pytest.param(day(-10), TODAY, True, id="ends-today"),
        pytest.param(day(-10), day(-1), False, id="ended-yesterday"),
        pytest.param(TODAY, None, True, id="starts-today"),
        pytest.param(day(1), None, False, id="starts-tomorrow"),
    ],
)
def test_exception_only_waives_while_valid(start, end, waived):
    given = facts(employments=(), exceptions=(waiver("EMPLOYMENT", start=start, end=end),))
    assert recheck(given).passed is waived


def test_exception_waives_only_what_it_lists():
    given = facts(
        company=old_company(),
        person=person(status=PersonStatus.DEAD),
        employments=(),
        exceptions=(waiver("EMPLOYMENT", "VAT"),),
    )
    assert order(given).reason_codes == [R.PERSON_DEAD]


def test_exceptions_can_waive_every_requirement_and_combine():
    given = facts(
        company=None,
        person=None,
        employments=(),
        exceptions=(waiver("COMPANY_ACTIVE", "VAT"), waiver("PERSON_REGISTERED", "EMPLOYMENT")),
    )
    assert order(given).passed


def test_exception_does_not_waive_scope_rules_or_existing_cards():
    given = facts(
        company=cleaning_company(),
        exceptions=(waiver(*Requirement),),
        existing_cards=(card(ExistingCardKind.PENDING, None),),
    )
    assert order(given, "BA").reason_codes == [R.CLEANING_COMPANY_RH_ONLY, R.ALREADY_ORDERED]


def test_no_exception_waives_the_photo_and_id():
    given = facts(documents=DocumentsState.MISSING, exceptions=(waiver(*Requirement),))
    assert order(given).findings == (Finding(R.DOCUMENTS_MISSING, PENDING),)


def test_work_permit_exception_lets_a_non_eea_cleaner_through():
    given = facts(
        company=cleaning_company(), person=foreign_person(), exceptions=(waiver("WORK_PERMIT"),)
    )
    assert order(given, "RH").passed


# --- Existing cards (one card per employment) -----------------------------------------


def test_pending_order_blocks_a_second_order():
    given = facts(existing_cards=(card(ExistingCardKind.PENDING, None),))
    assert order(given).findings == (Finding(R.ALREADY_ORDERED, FAIL),)


@pytest.mark.parametrize("kind", [ExistingCardKind.VALID, ExistingCardKind.INVALID])
@pytest.mark.parametrize(
    ("valid_until", "may_renew"),
    [
        # valid until 16 July: the last month starts 16 June (TODAY)
        pytest.param(dt.date(2025, 7, 16), True, id="last-month-starts-today"),
        pytest.param(dt.date(2025, 7, 17), False, id="last-month-starts-tomorrow"),
        pytest.param(dt.date(2025, 7, 15), True, id="last-month-started-yesterday"),
        pytest.param(day(1), True, id="expires-tomorrow"),
        pytest.param(TODAY, True, id="expires-today"),
        pytest.param(day(-1), True, id="expired-yesterday"),
        pytest.param(day(400), False, id="long-valid"),
        pytest.param(None, False, id="no-expiry-known"),
    ],
)
def test_no_new_card_while_one_exists_except_in_its_last_month(kind, valid_until, may_renew):
    given = facts(existing_cards=(card(kind, valid_until),))
    verdict = order(given)
    if may_renew:
        assert verdict.passed
    else:
        assert verdict.findings == (Finding(R.ALREADY_HAS_CARD, FAIL),)


@pytest.mark.parametrize(
    ("today", "valid_until", "may_renew"),
    [
        # month-end clamping: valid until 31 March -> window opens 28 Feb (2025)
        pytest.param(dt.date(2025, 2, 28), dt.date(2025, 3, 31), True, id="clamp-open"),
        pytest.param(dt.date(2025, 2, 27), dt.date(2025, 3, 31), False, id="clamp-closed"),
        pytest.param(dt.date(2025, 12, 1), dt.date(2026, 1, 1), True, id="year-open"),
        pytest.param(dt.date(2025, 11, 30), dt.date(2026, 1, 1), False, id="year-closed"),
    ],
)
def test_renewal_window_uses_calendar_months(today, valid_until, may_renew):
    given = facts(existing_cards=(card(ExistingCardKind.VALID, valid_until),))
    assert order(given, today=today).passed is may_renew


def test_new_card_after_loss_needs_the_old_card_blocked():
    # given a valid card reported lost but not blocked
    given = facts(existing_cards=(card(ExistingCardKind.VALID, day(400)),))
    # when ordering a replacement, then the order is refused
    verdict = order(given, replaces_lost_card=True)
    assert verdict.findings == (Finding(R.LOST_CARD_NOT_BLOCKED, FAIL),)
    # and once blocked, the replacement may be ordered
    blocked = facts(existing_cards=(card(ExistingCardKind.BLOCKED, day(400)),))
    assert order(blocked, replaces_lost_card=True).passed


@pytest.mark.parametrize("kind", [ExistingCardKind.BLOCKED, ExistingCardKind.ENDED])
def test_blocked_and_ended_cards_do_not_block_an_order(kind):
    assert order(facts(existing_cards=(card(kind, day(400)),))).passed


def test_existing_card_of_another_type_for_the_same_employment_blocks():
    given = facts(existing_cards=(card(ExistingCardKind.VALID, day(400), card_type="BP"),))
    assert order(given).reason_codes == [R.ALREADY_HAS_CARD]


def test_existing_cards_are_not_checked_at_recheck():
    given = facts(
        existing_cards=(
            card(ExistingCardKind.PENDING, None),
            card(ExistingCardKind.VALID, day(400)),
        )
    )
    assert recheck(given).passed
    assert order(given).reason_codes == [R.ALREADY_ORDERED, R.ALREADY_HAS_CARD]


def test_duplicate_blocking_cards_give_one_finding():
    given = facts(
        existing_cards=(
            card(ExistingCardKind.VALID, day(400)),
            card(ExistingCardKind.INVALID, day(300)),
        )
    )
    assert order(given).reason_codes == [R.ALREADY_HAS_CARD]


# --- Verdict shape ---------------------------------------------------------------------


def test_every_failed_requirement_is_reported_in_documented_order():
    # given a cleaning company and worker failing everything at once
    given = facts(
        company=company(
            nace_codes=("81.210", "78.200"),
            cleaning_approval=ApprovalStatus.APPLIED_MAY_ORDER,
            registered_on=dt.date(2020, 1, 1),
            vat_registrations=(),
            bankrupt=True,
        ),
        person=foreign_person(status=PersonStatus.EMIGRATED),
        employments=(),
        existing_cards=(card(ExistingCardKind.PENDING, None),),
    )
    # when ordering a BA card
    verdict = order(given, "BA")
    # then each problem is reported once, in order, and the outcome is FAIL
    assert verdict.outcome is FAIL
    assert verdict.findings == (
        Finding(R.CLEANING_COMPANY_RH_ONLY, FAIL),
        Finding(R.COMPANY_BANKRUPT, FAIL),
        Finding(R.VAT_UNCLEAR, PENDING),
        Finding(R.PERSON_EMIGRATED, FAIL),
        Finding(R.EMPLOYMENT_NOT_REGISTERED, PENDING),
        Finding(R.STAFFING_NOT_REGISTERED, PENDING),
        Finding(R.ALREADY_ORDERED, FAIL),
    )
    # and the same worker for an RH card shows the cleaning and UDI findings instead
    rh = order(given, "RH")
    assert rh.reason_codes == [
        R.COMPANY_BANKRUPT,
        R.VAT_UNCLEAR,
        R.PERSON_EMIGRATED,
        R.EMPLOYMENT_NOT_REGISTERED,
        R.STAFFING_NOT_REGISTERED,
        R.CLEANING_APPROVAL_AWAITED,
        R.WORK_PERMIT_MISSING,
        R.ALREADY_ORDERED,
    ]


def test_only_pending_findings_give_a_pending_verdict():
    given = facts(company=old_company(), employments=())
    verdict = order(given)
    assert verdict.outcome is PENDING
    assert verdict.reason_codes == [R.VAT_UNCLEAR, R.EMPLOYMENT_NOT_REGISTERED]


def test_missing_company_does_not_add_findings_that_need_the_company():
    given = facts(company=None)
    assert order(given, "RH").reason_codes == [R.COMPANY_NOT_FOUND]
    assert order(given, "BP").reason_codes == [R.COMPANY_NOT_FOUND]


def test_missing_person_does_not_add_a_work_permit_finding():
    given = facts(company=cleaning_company(), person=None)
    assert order(given, "RH").reason_codes == [R.PERSON_NOT_FOUND]


# --- photo and ID (DOCUMENTS) ---------------------------------------------------------


@pytest.mark.parametrize(
    "documents, expected",
    [
        (DocumentsState.APPROVED, ()),
        (DocumentsState.MISSING, (Finding(R.DOCUMENTS_MISSING, PENDING),)),
        (DocumentsState.UNDER_REVIEW, (Finding(R.DOCUMENTS_UNDER_REVIEW, PENDING),)),
        (DocumentsState.REJECTED, (Finding(R.DOCUMENTS_REJECTED, PENDING),)),
    ],
)
def test_an_order_waits_for_approved_photo_and_id(documents, expected):
    # given a worker who passes every register of each card type, with photo and ID in this state
    cases = {
        "BA": facts(documents=documents),
        "RH": facts(company=cleaning_company(), documents=documents),
        "BP": facts(company=carcare_company(), documents=documents),
    }
    for card_type, given in cases.items():
        # then the order waits (never fails) until they are approved
        verdict = order(given, card_type)
        assert verdict.findings == expected, card_type
        assert verdict.outcome is (PENDING if expected else PASS)


def test_documents_are_never_looked_at_by_the_recheck():
    # given an issued card whose order's documents were later rejected
    given = facts(documents=DocumentsState.REJECTED)
    # then the nightly re-check still passes it (documents gate production only)
    assert recheck(given, "BA").outcome is PASS


def test_documents_are_reported_after_the_register_findings():
    given = facts(person=None, documents=DocumentsState.MISSING)
    codes = [f.code for f in order(given, "BA").findings]
    assert codes == [R.PERSON_NOT_FOUND, R.DOCUMENTS_MISSING]
