"""ID documents: the passport MRZ read by OCR (models shipped in the wheel),
bank cards refused, and anything unreadable sent to manual review."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hmskort.photocheck import check_id_document
from hmskort.photocheck import findings as F
from hmskort.photocheck.iddoc import looks_like_bank_card
from hmskort.photocheck.testset import document_bytes, person_record

TODAY = dt.date(2026, 6, 1)


def _check(name, document_type="passport", person="kari"):
    who = person_record() if person == "kari" else person
    return check_id_document(document_bytes(name), document_type, who, today=TODAY)


def test_valid_passport_of_the_person_is_accepted_without_review():
    report = _check("passport_valid.jpg")
    assert report.ok and not report.needs_manual_review
    assert report.verified == (F.MRZ_VALID,)
    assert report.mrz["expiry"] == "2034-06-30"


def test_expired_passport_is_refused():
    assert _check("passport_expired.jpg").codes == [F.ID_EXPIRED]


def test_broken_check_digit_goes_to_manual_review_not_refusal():
    report = _check("passport_bad_check_digit.jpg")
    assert report.ok
    assert report.review_codes == [F.REVIEW_MRZ_CHECK_DIGITS]


def test_unreadable_passport_goes_to_manual_review_with_why():
    report = _check("passport_unreadable.jpg")
    assert report.ok
    assert report.review_codes == [F.REVIEW_MRZ_UNREADABLE, F.REVIEW_EXPIRY_UNREADABLE]


def test_another_persons_passport_is_refused_by_birth_date():
    other = dataclasses.replace(person_record(), foedselsdato=dt.date(1990, 1, 1))
    assert F.ID_BIRTH_DATE_MISMATCH in _check("passport_valid.jpg", person=other).codes


def test_a_different_name_goes_to_manual_review():
    other = dataclasses.replace(person_record(), fornavn="Ola", etternavn="Hansen")
    report = _check("passport_valid.jpg", person=other)
    assert report.ok and F.REVIEW_NAME_MISMATCH in report.review_codes


def test_without_a_register_record_a_person_decides():
    assert F.REVIEW_NO_PERSON in _check("passport_valid.jpg", person=None).review_codes


def test_bank_card_is_refused_by_type_and_by_content():
    assert _check("bank_card.jpg", "bank_card").codes == [F.ID_BANK_CARD]
    assert _check("bank_card.jpg", "national_id").codes == [F.ID_BANK_CARD]


def test_other_document_types_go_to_manual_review():
    report = _check("passport_valid.jpg", "driving_licence")
    assert report.ok and report.review_codes == [F.REVIEW_NOT_PASSPORT]


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7", b"GIF89a"])
def test_not_an_image_is_refused(data):
    assert check_id_document(data, "passport", None).codes == [F.ID_FORMAT]


def test_card_numbers_need_a_valid_luhn_digit():
    assert looks_like_bank_card(["5412 7512 3412 3452"])
    assert not looks_like_bank_card(["5412 7512 3412 3456"])
    assert not looks_like_bank_card(["PA12345673NOR8504179F3406304"])
