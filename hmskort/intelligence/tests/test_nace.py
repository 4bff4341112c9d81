import pytest

from hmskort.intelligence.nace import hms_nace_prefixes, nace_fits_card_type


@pytest.mark.parametrize(
    ("nace", "card_type", "fits"),
    [
        (["43.221"], "BA", True),
        (["41.200"], "BA", True),
        (["81.210"], "RH", True),
        (["81.210"], "BA", False),  # cleaning companies may only get RH [003 §6.3]
        (["43.221", "81.210"], "BA", False),  # also when they have a construction code
        (["43.221", "81.210"], "RH", True),
        (["45.200"], "BP", True),
        (["45.200"], "BA", False),
        (["43.221"], "RH", False),
        (["78.200"], "BA", True),  # staffing agencies hire out to every industry
        (["78.200"], "RH", True),
        ([], "BA", False),
        (["", None], "BA", False),
        (["43.221"], "XX", False),
        ([" 43.221 "], "ba", True),
    ],
)
def test_nace_fits_card_type(nace, card_type, fits):
    assert nace_fits_card_type(nace, card_type) is fits


def test_hms_prefixes_cover_the_scheme():
    assert set(hms_nace_prefixes()) >= {"41", "42", "43", "81.2", "45.2"}
