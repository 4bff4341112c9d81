import datetime as dt

import pytest

from hmskort.production.business_days import (
    add_business_days,
    easter_sunday,
    is_business_day,
    norwegian_public_holidays,
)

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2038, D(2038, 4, 25))],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_holidays_2026():
    assert norwegian_public_holidays(2026) == {
        D(2026, 1, 1),
        D(2026, 4, 2),  # skjærtorsdag
        D(2026, 4, 3),  # langfredag
        D(2026, 4, 6),  # 2. påskedag
        D(2026, 5, 1),
        D(2026, 5, 14),  # Kristi himmelfartsdag
        D(2026, 5, 17),
        D(2026, 5, 25),  # 2. pinsedag
        D(2026, 12, 25),
        D(2026, 12, 26),
    }


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 3, 2), D(2026, 3, 6)),  # Monday -> Friday
        (D(2026, 3, 6), D(2026, 3, 12)),  # Friday -> Thursday (weekend skipped)
        (D(2026, 3, 7), D(2026, 3, 12)),  # Saturday -> Thursday
        (D(2026, 4, 1), D(2026, 4, 10)),  # Easter: Thu, Fri, Mon are holidays
        (D(2026, 12, 23), D(2026, 12, 30)),  # 24th counts; 25th is a holiday
    ],
)
def test_four_business_days(start, expected):
    assert add_business_days(start, 4) == expected


def test_business_day():
    assert is_business_day(D(2026, 5, 18))
    assert not is_business_day(D(2026, 5, 17))
    assert not is_business_day(D(2026, 5, 16))
