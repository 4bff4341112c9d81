"""Goods transport (VT) in the statistics, the risk list's NACE data and NACE
consistency (issue 10, issue 8 item 2)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hmskort.cards.tests.factories import CardFactory
from hmskort.intelligence.justification import justification_needed
from hmskort.intelligence.nace import hms_nace_prefixes, industries_for_nace
from hmskort.intelligence.statistics import active_cards_by_type, coverage_by_size_band


def test_goods_transport_codes_make_cards_mandatory():
    prefixes = hms_nace_prefixes()
    assert {"49.41", "49.42", "53.2"} <= set(prefixes)
    assert "78" not in prefixes  # staffing agencies are judged by what they supply
    assert industries_for_nace(["53.200"]) == ("VT",)
    assert industries_for_nace(["78.200"]) == ()


@pytest.mark.parametrize(
    "nace, card_type, needed",
    [
        (["53.200"], "VT", False),
        (["78.200"], "VT", False),
        (["43.221"], "VT", True),
        (["53.200"], "BA", True),
        ([], "VT", False),  # nothing to compare
    ],
)
def test_when_an_order_needs_a_justification(nace, card_type, needed):
    assert justification_needed(nace, card_type) is needed


@pytest.mark.django_db
def test_statistics_count_vt_cards():
    CardFactory(active=True, card_type="VT")
    CardFactory(active=True, card_type="BA")
    series = active_cards_by_type(today=timezone.localdate())
    text = repr(series)
    assert "VT" in text
    assert "VT" in coverage_by_size_band()["industries"]
