"""Issue 10's rules: goods transport (VT), NACE justifications, own employer,
the D-number grace period."""

from __future__ import annotations

import pytest

from hmskort.eligibility.facts import JustificationState, NaceJustification, PersonStatus
from hmskort.eligibility.industries import (
    BA,
    VT,
    card_valid_for,
    get_industry,
    industry_choices,
    nace_fits_card_type,
)
from hmskort.eligibility.reasons import ReasonCode, public_text
from hmskort.eligibility.requirements import Requirement as Req
from hmskort.eligibility.verdict import Outcome

from .builders import TODAY, company, day, facts, order, person, recheck

R = ReasonCode


def courier(**overrides):
    return company(name="Bud og Bil AS", nace_codes=("53.200",), **overrides)


# --- goods transport as data -------------------------------------------------------


def test_goods_transport_is_an_industry_like_construction_without_an_approval_register():
    vt = get_industry("vt")
    assert vt is VT and vt.name("nb") == "Varetransport" and vt.name("en") == "Goods transport"
    assert vt.requirements == BA.requirements
    assert not {Req.CLEANING_APPROVAL, Req.CARCARE_APPROVAL} & vt.requirements
    assert "VT" in dict(industry_choices())
    # its cards are valid where VT is required, and nowhere else
    assert card_valid_for("VT", "VT") and not card_valid_for("VT", "BA")
    assert not card_valid_for("BA", "VT")


@pytest.mark.parametrize(
    "nace, fits",
    [
        ("49.410", True),  # road freight
        ("49.420", True),  # removals
        ("53.200", True),  # courier
        ("78.200", True),  # staffing agency hiring out drivers
        ("43.221", False),  # construction
        ("10.710", False),  # a baker delivering its own bread
    ],
)
def test_nace_codes_that_fit_goods_transport(nace, fits):
    assert nace_fits_card_type([nace], "VT") is fits


def test_a_courier_orders_a_vt_card_for_a_driver():
    assert order(facts(company=courier()), "VT").passed
    assert recheck(facts(company=courier()), "VT").passed


def test_vt_needs_an_employment_as_construction_does():
    verdict = recheck(facts(company=courier(), employments=()), "VT")
    assert verdict.reason_codes == [R.EMPLOYMENT_NOT_REGISTERED]


# --- NACE justification at order time -------------------------------------------------


def test_wrong_nace_without_justification_waits_for_one():
    verdict = order(facts(), "VT")  # a construction company (43.221) orders VT
    assert verdict.outcome is Outcome.PENDING
    assert verdict.reason_codes == [R.NACE_JUSTIFICATION_MISSING]


@pytest.mark.parametrize(
    "state, outcome, codes",
    [
        (JustificationState.SUBMITTED, Outcome.PENDING, [R.NACE_JUSTIFICATION_PENDING]),
        (JustificationState.APPROVED, Outcome.PASS, []),
        (JustificationState.REJECTED, Outcome.FAIL, [R.NACE_JUSTIFICATION_REJECTED]),
    ],
)
def test_wrong_nace_follows_the_caseworker(state, outcome, codes):
    given = facts(nace_justifications=(NaceJustification("VT", state),))
    verdict = order(given, "VT")
    assert verdict.outcome is outcome and verdict.reason_codes == codes


def test_a_justification_for_another_card_type_does_not_count():
    given = facts(
        company=courier(),
        nace_justifications=(NaceJustification("VT", JustificationState.APPROVED),),
    )
    assert order(given, "BA").reason_codes == [R.NACE_JUSTIFICATION_MISSING]


def test_nace_is_not_rechecked_and_a_company_without_nace_codes_is_not_judged():
    assert recheck(facts(), "VT").passed
    assert order(facts(company=company(nace_codes=())), "VT").passed


def test_nace_justification_can_be_waived_by_an_exception():
    from hmskort.eligibility.facts import ExceptionFacts, Period

    waiver = ExceptionFacts(waives=frozenset({"NACE_FIT"}), valid=Period())
    assert order(facts(exceptions=(waiver,)), "VT").passed


def test_the_pending_justification_is_not_auto_cancelled():
    from hmskort.eligibility.reasons import blocks_auto_cancel

    assert blocks_auto_cancel([R.NACE_JUSTIFICATION_PENDING])
    assert not blocks_auto_cancel([R.NACE_JUSTIFICATION_MISSING])


# --- own employer --------------------------------------------------------------------------


def enk(**overrides):
    return company(name="Snekker Olsen", organisation_form="ENK", **overrides)


@pytest.mark.parametrize("card_type", ["BA", "VT"])
def test_the_owner_of_an_enk_needs_no_employment(card_type):
    nace = ("43.320",) if card_type == "BA" else ("53.200",)
    given = facts(company=enk(nace_codes=nace), employments=(), roles=("INNH",))
    assert order(given, card_type).passed
    assert recheck(given, card_type).passed


@pytest.mark.parametrize("form", ["ANS", "DA"])
@pytest.mark.parametrize("role", ["DTPR", "DTSO"])
def test_partners_of_an_ans_or_da_need_no_employment(form, role):
    given = facts(company=company(organisation_form=form), employments=(), roles=(role,))
    assert order(given, "BA").passed


def test_an_owner_role_only_counts_in_its_organisation_form():
    given = facts(company=company(organisation_form="AS"), employments=(), roles=("INNH",))
    assert order(given, "BA").reason_codes == [R.EMPLOYMENT_NOT_REGISTERED]


def test_owner_no_longer_innh_makes_the_card_invalid_with_its_own_reason():
    given = facts(company=enk(), employments=(), roles=(), ended_roles=("INNH",))
    verdict = recheck(given, "BA")
    assert verdict.outcome is Outcome.FAIL
    assert verdict.reason_codes == [R.OWNER_ROLE_MISSING]
    assert "innehaver" in public_text(R.OWNER_ROLE_MISSING, "nb")


def test_former_owner_now_employed_keeps_the_card():
    from .builders import employment

    given = facts(company=enk(), employments=(employment(),), roles=(), ended_roles=("INNH",))
    assert recheck(given, "BA").passed


def test_an_enk_employee_without_a_role_is_an_ordinary_employment_case():
    given = facts(company=enk(), employments=(), roles=())
    assert recheck(given, "BA").reason_codes == [R.EMPLOYMENT_NOT_REGISTERED]


def test_owner_of_a_deleted_enk_gets_company_deleted():
    given = facts(company=enk(deleted_on=day(-1)), employments=(), roles=("INNH",))
    assert recheck(given, "BA").reason_codes == [R.COMPANY_DELETED]


# --- D-number inactive: 30 days of grace for an issued card ---------------------------


def _inactive_since(days_ago: int):
    return facts(
        person=person(status=PersonStatus.INACTIVE, status_since=day(-days_ago)),
    )


@pytest.mark.parametrize("days, valid", [(0, True), (29, True), (30, True), (31, False)])
def test_dnumber_inactive_grace_period(days, valid):
    verdict = recheck(_inactive_since(days), "BA")
    assert verdict.passed is valid
    if not valid:
        assert verdict.reason_codes == [R.DNUMBER_INACTIVE]


def test_dnumber_inactive_refuses_a_new_order_at_once():
    assert order(_inactive_since(1), "BA").reason_codes == [R.DNUMBER_INACTIVE]


def test_dnumber_reactivated_is_valid_again():
    reactivated = facts(person=person(status=PersonStatus.TEMPORARY, status_since=TODAY))
    assert recheck(reactivated, "BA").passed


def test_dnumber_inactive_text_names_folkeregisteret():
    assert public_text(R.DNUMBER_INACTIVE, "nb").endswith(
        "D-nummeret er ikke aktivt i Folkeregisteret"
    )
