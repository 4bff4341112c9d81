"""The reason catalogue: every code has its texts in bokmål and English."""

from __future__ import annotations

import pytest
from django.utils import translation

from hmskort.eligibility.reasons import (
    REASONS,
    ReasonCode,
    action_text,
    blocks_auto_cancel,
    get_reason,
    inspector_text,
    is_known,
    public_text,
)

NORWEGIAN_PREFIXES = ("Ugyldig – ", "Uklart – ", "Venter – ", "Avslått – ", "Kansellert – ")
ENGLISH_PREFIXES = ("Invalid – ", "Unclear – ", "Pending – ", "Rejected – ", "Cancelled – ")


def test_catalogue_and_codes_match_exactly():
    assert set(REASONS) == set(ReasonCode)
    assert all(code.value == code.name for code in ReasonCode)


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_reason_has_distinct_norwegian_and_english_texts(code):
    reason = get_reason(code)
    assert reason.code == code
    for nb, en in [
        (reason.public_nb, reason.public_en),
        (reason.inspector_nb, reason.inspector_en),
        (reason.action_nb, reason.action_en),
    ]:
        assert nb.strip() and en.strip()
        assert nb != en
    # the public text is short and says what the status is
    assert reason.public_nb.startswith(NORWEGIAN_PREFIXES)
    assert reason.public_en.startswith(ENGLISH_PREFIXES)
    assert len(reason.public_nb) <= 90 and len(reason.public_en) <= 90
    # the inspector text says more than the public one
    assert len(reason.inspector_nb) > len(reason.public_nb) / 2


def test_texts_follow_the_active_language():
    code = ReasonCode.EMPLOYMENT_NOT_REGISTERED
    with translation.override("nb"):
        assert public_text(code) == (
            "Ugyldig – arbeidsforholdet er ikke registrert i Aa-registeret eller OAR"
        )
    with translation.override("en"):
        assert (
            public_text(code)
            == "Invalid – the employment is not registered in Aa-registeret or OAR"
        )
        assert inspector_text(code) == get_reason(code).inspector_en
        assert action_text(code) == get_reason(code).action_en


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", "Ugyldig – utløpt"),
        ("en", "Invalid – expired"),
        ("en-gb", "Invalid – expired"),
        ("en_US", "Invalid – expired"),
        ("nn", "Ugyldig – utløpt"),
        ("de", "Ugyldig – utløpt"),
    ],
)
def test_explicit_language_wins_and_others_fall_back_to_bokmaal(language, expected):
    with translation.override("en"):
        assert public_text(ReasonCode.CARD_EXPIRED, language) == expected


@pytest.mark.parametrize("active", ["en", "de", None])
def test_without_a_language_the_active_one_decides(active):
    expected = "Invalid – expired" if active == "en" else "Ugyldig – utløpt"
    with translation.override(active):
        assert public_text(ReasonCode.CARD_EXPIRED) == expected
        assert public_text(ReasonCode.CARD_EXPIRED, "") == expected


def test_unknown_code_gives_a_generic_text_instead_of_crashing():
    assert not is_known("NO_SUCH_CODE")
    assert public_text("NO_SUCH_CODE", "nb") == "Ugyldig – ukjent årsak"
    assert public_text("NO_SUCH_CODE", "en") == "Invalid – unknown reason"
    assert "NO_SUCH_CODE" in inspector_text("NO_SUCH_CODE", "nb")
    assert action_text("NO_SUCH_CODE", "en")
    assert get_reason("NO_SUCH_CODE").blocks_auto_cancel is False


def test_codes_compare_equal_to_their_stored_strings():
    # codes are stored as plain strings (JSON) by the cards app
    assert public_text("CARD_EXPIRED", "nb") == public_text(ReasonCode.CARD_EXPIRED, "nb")
    assert is_known("CARD_EXPIRED")


def test_only_orders_awaiting_an_approval_escape_auto_cancel():
    # the cleaning approval, or a caseworker's decision (NACE justification, documents)
    blocking = {code for code in ReasonCode if get_reason(code).blocks_auto_cancel}
    assert blocking == {
        ReasonCode.CLEANING_APPROVAL_AWAITED,
        ReasonCode.NACE_JUSTIFICATION_PENDING,
        ReasonCode.DOCUMENTS_UNDER_REVIEW,
    }
    assert blocks_auto_cancel(["VAT_UNCLEAR", "CLEANING_APPROVAL_AWAITED"])
    assert not blocks_auto_cancel(["VAT_UNCLEAR", "EMPLOYMENT_NOT_REGISTERED"])
    assert not blocks_auto_cancel([])
