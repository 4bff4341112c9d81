from __future__ import annotations

import datetime as dt

import pytest

from hmskort.eligibility.dates import add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 6, 16), -3, dt.date(2025, 3, 16)),
        (dt.date(2025, 5, 31), -3, dt.date(2025, 2, 28)),
        (dt.date(2024, 5, 31), -3, dt.date(2024, 2, 29)),
        (dt.date(2025, 3, 31), -1, dt.date(2025, 2, 28)),
        (dt.date(2025, 2, 15), -3, dt.date(2024, 11, 15)),
        (dt.date(2025, 1, 1), -1, dt.date(2024, 12, 1)),
        (dt.date(2024, 12, 31), 2, dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 31), 0, dt.date(2025, 1, 31)),
        (dt.date(2023, 6, 16), 24, dt.date(2025, 6, 16)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected
