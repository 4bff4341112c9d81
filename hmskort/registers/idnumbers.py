"""Norwegian person identity numbers: the one thin wrapper around python-stdnum.

Every place that reads or validates a fødselsnummer or D-nummer calls this
module (never `stdnum.no.fodselsnummer` directly), so the rules below live in
one place:

- **Fødselsnummer** (birth date + individual number + two check digits) and
  **D-nummer** (day + 40): python-stdnum's check digits and birth dates.
- **2032 numbers.** From 2032 Folkeregisteret issues numbers whose first check
  digit is computed differently (Skatteetaten's Folkeregister API
  documentation): the weighted sum of the first ten digits (weights 3 7 6 1 8
  9 4 5 2 1) may leave remainder 0, 1, 2 or 3 modulo 11 instead of only 0, so
  the first check digit can take up to four values; the second check digit is
  unchanged. The individual number no longer carries gender. Both the old and
  the new calculation are accepted (the old one is the new one's remainder 0).
- **Synthetic numbers** of the national test environments (Tenor, TestID:
  month + 80) are accepted only when the deployment says it is a test
  environment (`settings.HMSKORT_ACCEPT_SYNTHETIC_IDS`; by default true
  everywhere except `HMSKORT_ENVIRONMENT = "production"`), and refused
  otherwise.
- **Gender** is never read from the number: take it from Folkeregisteret
  (`Person.kjoenn`). This module deliberately has no gender function.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from django.conf import settings
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.no import fodselsnummer

#: Tenor / TestID synthetic numbers add this to the month.
SYNTHETIC_MONTH_OFFSET = 80
#: D-numbers add this to the day.
DNUMBER_DAY_OFFSET = 40
#: Remainders modulo 11 the first check digit may leave under the 2032 rule.
K1_REMAINDERS_2032 = frozenset({0, 1, 2, 3})

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


class IdKind(enum.StrEnum):
    FNR = "FNR"
    DNR = "DNR"


class InvalidIdNumber(ValueError):
    """The number is not a valid fødselsnummer / D-nummer here; `code` says why."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class IdNumber:
    number: str  # 11 digits, compact
    kind: IdKind
    birth_date: dt.date
    synthetic: bool  # a test-environment number (month + 80)
    # True when only the 2032 check-digit rule accepts it (a new-style number).
    new_check_digits: bool


def accept_synthetic_ids() -> bool:
    """Whether this deployment accepts test-environment numbers (month + 80)."""
    configured = getattr(settings, "HMSKORT_ACCEPT_SYNTHETIC_IDS", None)
    if configured is not None:
        return bool(configured)
    return getattr(settings, "HMSKORT_ENVIRONMENT", "development") != "production"


def compact(number: str) -> str:
    """Digits only: spaces, dashes and colons removed (stdnum's `compact`)."""
    return fodselsnummer.compact(number or "")


def is_synthetic(number: str) -> bool:
    number = compact(number)
    return len(number) == 11 and number.isdigit() and int(number[2:4]) > SYNTHETIC_MONTH_OFFSET


def is_dnumber(number: str) -> bool:
    """A D-nummer (first digit 4-7: day + 40)."""
    number = compact(number)
    return bool(number) and number[0].isdigit() and 4 <= int(number[0]) <= 7


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=False))


def classic_check_digits_valid(number: str) -> bool:
    """The pre-2032 rule, exactly as python-stdnum computes it."""
    return (
        fodselsnummer.calc_check_digit1(number[:9]) == number[9]
        and fodselsnummer.calc_check_digit2(number[:10]) == number[10]
    )


def check_digits_2032_valid(number: str) -> bool:
    """The 2032 rule: first check digit leaves remainder 0-3, second unchanged."""
    return (
        _weighted(number[:10], _W1) % 11 in K1_REMAINDERS_2032 and _weighted(number, _W2) % 11 == 0
    )


def calc_check_digits_2032(first9: str) -> list[str]:
    """Every valid check-digit pair for `first9` under the 2032 rule (test data)."""
    pairs = []
    for k1 in range(10):
        ten = f"{first9}{k1}"
        if _weighted(ten, _W1) % 11 not in K1_REMAINDERS_2032:
            continue
        k2 = (11 - _weighted(ten, _W2[:10]) % 11) % 11
        if k2 < 10:
            pairs.append(f"{k1}{k2}")
    return pairs


def parse(
    number: str, *, accept_synthetic: bool | None = None, today: dt.date | None = None
) -> IdNumber:
    """Validate and describe a fødselsnummer / D-nummer; raise `InvalidIdNumber`.

    `accept_synthetic` defaults to the deployment's setting (`accept_synthetic_ids`).
    """
    number = compact(number)
    if len(number) != 11 or not number.isdigit():
        raise InvalidIdNumber("Nummeret må ha 11 siffer.", "length")
    if accept_synthetic is None:
        accept_synthetic = accept_synthetic_ids()
    synthetic = is_synthetic(number)
    if synthetic and not accept_synthetic:
        raise InvalidIdNumber(
            "Syntetiske testnumre godtas bare i testmiljøet.", "synthetic_not_accepted"
        )
    dated = number
    if synthetic:
        month = int(number[2:4]) - SYNTHETIC_MONTH_OFFSET
        dated = f"{number[:2]}{month:02d}{number[4:]}"
    if int(dated[2:4]) > 12:  # H-numbers (month + 40) and other series: not accepted
        raise InvalidIdNumber("Nummeret har ingen gyldig fødselsdato.", "birth_date")
    try:
        birth_date = fodselsnummer.get_birth_date(dated)
    except (StdnumValidationError, ValueError) as exc:
        raise InvalidIdNumber("Nummeret har ingen gyldig fødselsdato.", "birth_date") from exc
    if birth_date > (today or dt.date.today()):
        raise InvalidIdNumber("Fødselsdatoen i nummeret er fram i tid.", "birth_date")
    classic = classic_check_digits_valid(number)
    if not classic and not check_digits_2032_valid(number):
        raise InvalidIdNumber("Kontrollsifrene stemmer ikke.", "checksum")
    return IdNumber(
        number=number,
        kind=IdKind.DNR if is_dnumber(number) else IdKind.FNR,
        birth_date=birth_date,
        synthetic=synthetic,
        new_check_digits=not classic,
    )


def is_valid(number: str, *, accept_synthetic: bool | None = None) -> bool:
    try:
        parse(number, accept_synthetic=accept_synthetic)
    except InvalidIdNumber:
        return False
    return True


def birth_date(number: str, *, accept_synthetic: bool | None = None) -> dt.date | None:
    """The birth date the number encodes (None if it encodes none, or if it is a
    synthetic number this deployment refuses). Check digits are not required."""
    number = compact(number)
    if len(number) != 11 or not number.isdigit():
        return None
    if accept_synthetic is None:
        accept_synthetic = accept_synthetic_ids()
    if is_synthetic(number):
        if not accept_synthetic:
            return None
        number = f"{number[:2]}{int(number[2:4]) - SYNTHETIC_MONTH_OFFSET:02d}{number[4:]}"
    try:
        return fodselsnummer.get_birth_date(number)
    except (StdnumValidationError, ValueError):
        return None


def kind(number: str) -> IdKind:
    return IdKind.DNR if is_dnumber(number) else IdKind.FNR


def mask(number: str) -> str:
    """First six digits and asterisks: 010190*****."""
    return f"{number[:6]}*****" if number else ""
