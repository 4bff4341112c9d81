"""ICAO 9303 machine-readable zones: check digits, parsing, OCR tolerance."""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.photocheck.mrz import check_digit, find_td3, mrz_td3, parse_td3, transliterate

# The specimen of ICAO Doc 9303 part 4 (Utopia, Anna Maria Eriksson).
SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)


@pytest.mark.parametrize(
    "field, digit",
    [("L898902C3", "6"), ("740812", "2"), ("120415", "9"), ("ZE184226B<<<<<", "1"), ("<<<", "0")],
)
def test_check_digits_of_the_icao_specimen(field, digit):
    assert check_digit(field) == digit


def test_the_specimen_parses_and_verifies():
    td3 = parse_td3(*SPECIMEN, today=dt.date(2010, 1, 1))
    assert td3.valid
    assert (td3.surname, td3.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert td3.birth_date == dt.date(1974, 8, 12)
    assert td3.expiry == dt.date(2012, 4, 15)
    assert td3.number == "L898902C3" and td3.nationality == "UTO" and td3.sex == "F"


@pytest.mark.parametrize(
    "position, name",
    [(9, "number"), (19, "birth_date"), (27, "expiry"), (42, "personal_number"), (43, "composite")],
)
def test_a_changed_check_digit_is_caught(position, name):
    line2 = SPECIMEN[1]
    wrong = line2[:position] + str((int(line2[position]) + 1) % 10) + line2[position + 1 :]
    assert name in parse_td3(SPECIMEN[0], wrong).failed_checks


def test_a_changed_birth_date_breaks_its_check_digit_and_the_composite():
    line2 = SPECIMEN[1].replace("740812", "740813")
    assert {"birth_date", "composite"} <= set(parse_td3(SPECIMEN[0], line2).failed_checks)


def test_generated_zones_verify_and_transliterate_norwegian_letters():
    lines = mrz_td3(
        surname="Ødegård",
        given_names="Kjærstin Åse",
        number="FX123456",
        nationality="NOR",
        birth_date=dt.date(2001, 12, 3),
        sex="F",
        expiry=dt.date(2031, 1, 9),
        issuing_state="NOR",
    )
    assert all(len(line) == 44 for line in lines)
    assert lines[0].startswith("P<NOROEDEGAARD<<KJAERSTIN<AASE<")
    assert parse_td3(*lines, today=dt.date(2026, 1, 1)).valid
    assert transliterate("Anne-Marie Müller") == "ANNE<MARIE<MUELLER"


def test_find_tolerates_ocr_noise():
    noisy = [
        "PASS / PASSPORT",
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<",  # fillers lost at the end
        "L898902C36UT07408122F12O4159ZE184226B<<<<<10".replace("UT0", "UTO"),  # O for 0
    ]
    td3 = find_td3(noisy, today=dt.date(2010, 1, 1))
    assert td3 is not None and td3.valid
    assert td3.expiry == dt.date(2012, 4, 15)


def test_no_zone_in_ordinary_text():
    assert find_td3(["NORGE", "Etternavn", "NORDMANN"]) is None
