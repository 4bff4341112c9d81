"""Builders for valid Norwegian identity numbers (synthetic data, tests, demos).

Every number built here is accepted by python-stdnum (`stdnum.no.orgnr`,
`stdnum.no.fodselsnummer`). The population generator and the test factories
share these functions so both produce the same kind of numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_FNR_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

#: How many distinct organisation numbers `valid_orgnr` can build.
ORGNR_CAPACITY = 2_000_000


def _orgnr_check_digit(body: str) -> int | None:
    """The mod-11 check digit for an 8-digit body; None when the body has none (remainder 1)."""
    rest = sum(w * int(d) for w, d in zip(_ORGNR_WEIGHTS, body, strict=True)) % 11
    check = (11 - rest) % 11
    return None if check == 10 else check


def valid_orgnr(n: int) -> str:
    """The n-th synthetic organisation number (0 <= n < ORGNR_CAPACITY).

    Injective: different n give different numbers. The number starts with 8 or
    9 like real ones; its eighth digit is chosen so a check digit exists.
    """
    if not 0 <= n < ORGNR_CAPACITY:
        raise ValueError(f"n must be in [0, {ORGNR_CAPACITY}), got {n}")
    top = str(8_000_000 + n)  # seven digits: 8000000 .. 9999999
    for eighth in range(10):
        body = f"{top}{eighth}"
        check = _orgnr_check_digit(body)
        if check is not None:
            return f"{body}{check}"
    raise AssertionError("unreachable: at most one eighth digit lacks a check digit")


def _individual_ranges(year: int) -> list[range]:
    """Individual numbers (digits 7-9) that encode the birth century of `year`."""
    if 1854 <= year <= 1899:
        return [range(500, 750)]
    if 1900 <= year <= 1939:
        return [range(0, 500)]
    if 1940 <= year <= 1999:
        return [range(0, 500), range(900, 1000)]
    if 2000 <= year <= 2039:
        return [range(500, 1000)]
    raise ValueError(f"birth year {year} cannot be encoded in a fødselsnummer")


def fnr_check_digits(first9: str) -> str | None:
    """The two check digits for the first nine digits; None when no valid pair exists."""
    k1 = (11 - sum(w * int(d) for w, d in zip(_FNR_W1, first9, strict=True)) % 11) % 11
    if k1 == 10:
        return None
    ten = f"{first9}{k1}"
    k2 = (11 - sum(w * int(d) for w, d in zip(_FNR_W2, ten, strict=True)) % 11) % 11
    if k2 == 10:
        return None
    return f"{k1}{k2}"


def valid_fnr(birth_date: dt.date, individual: int, dnr: bool = False) -> str:
    """A fødselsnummer (or D-nummer: day + 40) for this birth date and individual number.

    `individual` (0-999) must match the birth century (e.g. 500-999 for 2000-2039).
    Raises ValueError if the individual number does not fit the century or gives
    no valid check digits (about 1 in 6 do not); `iter_fnr` yields only valid ones.
    """
    if not any(individual in r for r in _individual_ranges(birth_date.year)):
        raise ValueError(
            f"individual number {individual} does not fit birth year {birth_date.year}"
        )
    day = birth_date.day + (40 if dnr else 0)
    first9 = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{individual:03d}"
    check = fnr_check_digits(first9)
    if check is None:
        raise ValueError(f"{first9} has no valid check digits")
    return f"{first9}{check}"


def iter_fnr(birth_date: dt.date, *, dnr: bool = False) -> Iterator[str]:
    """Every valid fødselsnummer (or D-nummer) for this birth date, in individual-number order."""
    for r in _individual_ranges(birth_date.year):
        for individual in r:
            try:
                yield valid_fnr(birth_date, individual, dnr)
            except ValueError:
                continue


def nth_fnr(birth_date: dt.date, n: int, *, dnr: bool = False) -> str:
    """The n-th valid number for this birth date (raises IndexError past the last one)."""
    for i, number in enumerate(iter_fnr(birth_date, dnr=dnr)):
        if i == n:
            return number
    raise IndexError(f"only {i + 1} valid numbers for {birth_date}")


def mask_identifier(identifier: str) -> str:
    """First six digits and asterisks: 010190*****."""
    return f"{identifier[:6]}*****" if identifier else ""


# Validation lives in `hmskort.registers.idnumbers` (the wrapper around
# python-stdnum); these names stay for existing callers.


def person_identifier_birth_date(number: str, *, allow_synthetic: bool = False) -> dt.date | None:
    """The birth date a fødselsnummer / D-nummer encodes (see `idnumbers.birth_date`)."""
    from hmskort.registers import idnumbers

    return idnumbers.birth_date(number, accept_synthetic=allow_synthetic)


def is_valid_person_identifier(number: str, *, allow_synthetic: bool = False) -> bool:
    """A valid fødselsnummer or D-nummer, old or 2032 check digits (see `idnumbers.parse`)."""
    from hmskort.registers import idnumbers

    return idnumbers.is_valid(number, accept_synthetic=allow_synthetic)


def is_dnr(number: str) -> bool:
    from hmskort.registers import idnumbers

    return idnumbers.is_dnumber(number)


def valid_fnr_2032(birth_date: dt.date, individual: int, *, dnr: bool = False) -> str:
    """A number under the 2032 rule whose check digits the old rule refuses (test data)."""
    from hmskort.registers import idnumbers

    day = birth_date.day + (40 if dnr else 0)
    first9 = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{individual:03d}"
    classic = fnr_check_digits(first9)
    for pair in idnumbers.calc_check_digits_2032(first9):
        if pair != classic:
            return f"{first9}{pair}"
    raise ValueError(f"{first9} has no 2032-only check digits")


def synthetic_fnr(birth_date: dt.date, n: int = 0, *, dnr: bool = False) -> str:
    """A test-environment number (month + 80) with valid check digits (test data)."""
    day = birth_date.day + (40 if dnr else 0)
    found = -1
    for r in _individual_ranges(birth_date.year):
        for individual in r:
            first9 = (
                f"{day:02d}{birth_date.month + 80:02d}{birth_date.year % 100:02d}{individual:03d}"
            )
            check = fnr_check_digits(first9)
            if check is None:
                continue
            found += 1
            if found == n:
                return f"{first9}{check}"
    raise IndexError(n)
