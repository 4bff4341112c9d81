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


def gender_digit_is_male(identifier: str) -> bool:
    """The legacy gender digit (ninth digit odd = male). Only for numbers issued before 2032:
    newer numbers carry no gender, so production code takes gender from the register."""
    return int(identifier[8]) % 2 == 1


def mask_identifier(identifier: str) -> str:
    """First six digits and asterisks: 010190*****."""
    return f"{identifier[:6]}*****" if identifier else ""


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=True))


def person_identifier_birth_date(number: str, *, allow_synthetic: bool = False) -> dt.date | None:
    """The birth date a fødselsnummer / D-nummer encodes, or None if it encodes none.

    Synthetic numbers from the national test environments (month + 80) are read
    only when `allow_synthetic` is set.
    """
    from stdnum.exceptions import ValidationError
    from stdnum.no import fodselsnummer

    month = int(number[2:4])
    if allow_synthetic and month > 80:
        number = f"{number[:2]}{month - 80:02d}{number[4:]}"
    try:
        return fodselsnummer.get_birth_date(number)
    except (ValidationError, ValueError):
        return None


def is_valid_person_identifier(number: str, *, allow_synthetic: bool = False) -> bool:
    """A fødselsnummer or D-nummer with valid check digits and a real birth date.

    Both check-digit rules are accepted: the classic one (as python-stdnum) and
    the rule for numbers issued from 2032, where the first check digit may take
    any value that leaves remainder 0-3 (the weighted sum including K1 mod 11),
    and the individual number carries no gender.
    """
    if len(number) != 11 or not number.isdigit():
        return False
    birth_date = person_identifier_birth_date(number, allow_synthetic=allow_synthetic)
    if birth_date is None or birth_date > dt.date.today():
        return False
    classic = number[9:] == (fnr_check_digits(number[:9]) or "")
    if classic:
        return True
    k1_ok = _weighted(number[:10], (*_FNR_W1, 1)) % 11 in {0, 1, 2, 3}
    k2_ok = _weighted(number, (*_FNR_W2, 1)) % 11 == 0
    return k1_ok and k2_ok


def is_dnr(number: str) -> bool:
    return int(number[0]) >= 4
