"""The identity-number wrapper (`hmskort.registers.idnumbers`): each kind of number."""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.registers import idnumbers
from hmskort.registers.identifiers import (
    nth_fnr,
    synthetic_fnr,
    valid_fnr_2032,
)

BIRTH = dt.date(1985, 3, 14)


def test_a_fodselsnummer_is_parsed_by_stdnum():
    number = nth_fnr(BIRTH, 0)
    parsed = idnumbers.parse(number)
    assert parsed.kind is idnumbers.IdKind.FNR
    assert parsed.birth_date == BIRTH
    assert not parsed.synthetic and not parsed.new_check_digits
    # spaces typed by people are fine
    assert idnumbers.is_valid(f"{number[:6]} {number[6:]}")


def test_a_d_nummer_has_day_plus_40():
    number = nth_fnr(BIRTH, 3, dnr=True)
    assert number.startswith("54")
    parsed = idnumbers.parse(number)
    assert parsed.kind is idnumbers.IdKind.DNR and parsed.birth_date == BIRTH
    assert idnumbers.is_dnumber(number) and not idnumbers.is_dnumber(nth_fnr(BIRTH, 0))


@pytest.mark.parametrize("bad", ["", "123", "1234567890a", "32018512345"])
def test_malformed_numbers_are_refused_with_a_reason(bad):
    with pytest.raises(idnumbers.InvalidIdNumber) as error:
        idnumbers.parse(bad)
    assert error.value.code in {"length", "birth_date", "checksum"}


def test_a_wrong_check_digit_is_refused():
    number = nth_fnr(BIRTH, 0)
    wrong = number[:10] + str((int(number[10]) + 1) % 10)
    assert not idnumbers.is_valid(wrong)


def test_2032_numbers_are_accepted_with_the_new_check_digit_calculation():
    number = valid_fnr_2032(BIRTH, 123)
    assert not idnumbers.classic_check_digits_valid(number)  # the old rule refuses it
    parsed = idnumbers.parse(number)
    assert parsed.new_check_digits and parsed.birth_date == BIRTH
    dnr = valid_fnr_2032(BIRTH, 124, dnr=True)
    assert idnumbers.parse(dnr).kind is idnumbers.IdKind.DNR


def test_the_2032_rule_still_checks_the_second_digit():
    number = valid_fnr_2032(BIRTH, 123)
    wrong = number[:10] + str((int(number[10]) + 1) % 10)
    assert not idnumbers.is_valid(wrong)


def test_old_numbers_satisfy_the_2032_rule_too():
    assert idnumbers.check_digits_2032_valid(nth_fnr(BIRTH, 5))


def test_gender_is_never_read_from_the_number():
    assert not hasattr(idnumbers, "gender")
    assert not hasattr(idnumbers, "get_gender")


def test_synthetic_numbers_accepted_in_a_test_environment(settings):
    settings.HMSKORT_ACCEPT_SYNTHETIC_IDS = True
    number = synthetic_fnr(BIRTH)
    assert int(number[2:4]) == BIRTH.month + 80
    parsed = idnumbers.parse(number)
    assert parsed.synthetic and parsed.birth_date == BIRTH
    assert idnumbers.birth_date(number) == BIRTH


def test_synthetic_numbers_refused_in_production_settings(settings):
    settings.HMSKORT_ACCEPT_SYNTHETIC_IDS = None
    settings.HMSKORT_ENVIRONMENT = "production"
    number = synthetic_fnr(BIRTH)
    assert not idnumbers.accept_synthetic_ids()
    with pytest.raises(idnumbers.InvalidIdNumber) as error:
        idnumbers.parse(number)
    assert error.value.code == "synthetic_not_accepted"
    assert idnumbers.birth_date(number) is None
    # real numbers still work in production
    assert idnumbers.is_valid(nth_fnr(BIRTH, 0))


def test_the_setting_wins_over_the_environment(settings):
    settings.HMSKORT_ENVIRONMENT = "production"
    settings.HMSKORT_ACCEPT_SYNTHETIC_IDS = True
    assert idnumbers.accept_synthetic_ids()
    settings.HMSKORT_ENVIRONMENT = "development"
    settings.HMSKORT_ACCEPT_SYNTHETIC_IDS = False
    assert not idnumbers.is_valid(synthetic_fnr(BIRTH))


def test_a_future_birth_date_is_refused():
    future = dt.date.today() + dt.timedelta(days=400)
    if future.year > 2039:  # pragma: no cover
        pytest.skip("outside the individual-number ranges")
    number = nth_fnr(future, 0)
    with pytest.raises(idnumbers.InvalidIdNumber):
        idnumbers.parse(number)


def test_h_numbers_are_not_person_numbers():
    number = nth_fnr(BIRTH, 0)
    h = number[:2] + f"{int(number[2:4]) + 40:02d}" + number[4:]
    assert not idnumbers.is_valid(h)


@pytest.mark.django_db
def test_the_registers_refuse_synthetic_numbers_in_production(settings):
    from hmskort.registers import services
    from hmskort.registers.services import InvalidRegisterRecord

    settings.HMSKORT_ACCEPT_SYNTHETIC_IDS = False
    with pytest.raises(InvalidRegisterRecord):
        services.person_upsert(
            identifikator=synthetic_fnr(BIRTH),
            fornavn="Test",
            etternavn="Person",
            foedselsdato=BIRTH,
            kjoenn="kvinne",
            status="bosatt",
            statsborgerskap=["NO"],
        )
    settings.HMSKORT_ACCEPT_SYNTHETIC_IDS = True
    person = services.person_upsert(
        identifikator=synthetic_fnr(BIRTH),
        fornavn="Test",
        etternavn="Person",
        foedselsdato=BIRTH,
        kjoenn="kvinne",
        status="bosatt",
        statsborgerskap=["NO"],
    )
    assert person.kjoenn == "kvinne"  # gender as the register says
