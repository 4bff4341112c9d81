"""Industries (card types) are data."""

from __future__ import annotations

import pytest
from django.utils import translation

from hmskort.eligibility.industries import (
    INDUSTRIES,
    Industry,
    card_valid_for,
    get_industry,
    is_staffing_agency,
    register_industry,
    unregister_industry,
)
from hmskort.eligibility.reasons import ReasonCode
from hmskort.eligibility.requirements import Requirement as Req

from .builders import company, employment, facts, order, recheck

BASE = {
    Req.COMPANY_ACTIVE,
    Req.VAT,
    Req.PERSON_REGISTERED,
    Req.EMPLOYMENT,
    Req.STAFFING_REGISTRATION,
    Req.NACE_FIT,
    Req.DOCUMENTS,
}


def test_the_three_industries_and_their_requirements():
    assert set(INDUSTRIES) >= {"BA", "RH", "BP"}
    assert get_industry("BA").requirements == BASE
    assert get_industry("RH").requirements == BASE | {Req.CLEANING_APPROVAL, Req.WORK_PERMIT}
    assert get_industry("BP").requirements == BASE | {Req.CARCARE_APPROVAL, Req.WORK_PERMIT}
    assert get_industry("BP").exempt_if_workshop_approved
    assert not get_industry("BA").exempt_if_workshop_approved
    assert not get_industry("RH").exempt_if_workshop_approved


@pytest.mark.parametrize(
    ("nace", "industry", "fits"),
    [
        ("41.200", "BA", True),
        ("42.110", "BA", True),
        ("43.221", "BA", True),
        ("44.000", "BA", False),
        ("81.210", "RH", True),
        ("81.220", "RH", True),
        ("81.300", "RH", False),
        ("45.201", "BP", True),
        ("45.110", "BP", False),
    ],
)
def test_nace_codes_that_fit_each_industry(nace, industry, fits):
    assert get_industry(industry).nace_fits([nace]) is fits


@pytest.mark.parametrize(
    ("card_type", "site", "valid"),
    [
        ("BA", "BA", True),
        ("RH", "RH", True),
        ("BP", "BP", True),
        ("RH", "BA", True),  # a cleaning card is valid on a construction site
        ("BA", "RH", False),  # never the laxer card for the stricter scheme
        ("BA", "BP", False),
        ("BP", "BA", False),
        ("RH", "BP", False),
        ("XX", "BA", False),
        ("BA", "XX", False),
    ],
)
def test_where_a_card_is_valid(card_type, site, valid):
    assert card_valid_for(card_type, site) is valid


def test_lookup_normalises_the_code_and_tolerates_unknown_ones():
    assert get_industry(" rh ") is get_industry("RH")
    assert get_industry("XX") is None
    assert get_industry("") is None
    assert get_industry(None) is None


def test_names_follow_the_language():
    with translation.override("en"):
        assert get_industry("BP").name() == "Car care, tyre change and tyre storage"
    assert get_industry("BP").name("nb") == "Bilpleie, hjulskift og hjullagring"


@pytest.mark.parametrize(
    ("codes", "staffing"),
    [(("78.200",), True), (("43.221", "78.100"), True), (("43.221",), False), ((), False)],
)
def test_staffing_agencies_are_nace_78(codes, staffing):
    assert is_staffing_agency(codes) is staffing


@pytest.fixture
def goods_transport():
    industry = Industry(
        code="GT",
        name_nb="Godstransport på vei",
        name_en="Goods transport by road",
        nace_prefixes=("49.41", "53.2"),
        requirements=frozenset(BASE),
    )
    register_industry(industry)
    yield industry
    unregister_industry("GT")


def test_a_new_industry_is_a_data_change(goods_transport):
    # given a fourth industry registered as data
    assert get_industry("gt") is goods_transport
    # when ordering its card, then the rules apply its requirements
    assert order(facts(company=company(nace_codes=("53.200",))), "GT").passed
    assert recheck(facts(employments=()), "GT").reason_codes == [
        ReasonCode.EMPLOYMENT_NOT_REGISTERED
    ]
    # and its cards are valid only where it says
    assert card_valid_for("GT", "GT") and not card_valid_for("GT", "BA")


def test_unregistered_industry_is_unknown_again(goods_transport):
    unregister_industry("GT")
    assert order(facts(employments=(employment(),)), "GT").reason_codes == [
        ReasonCode.UNKNOWN_CARD_TYPE
    ]
    unregister_industry("GT")  # unknown codes are ignored
