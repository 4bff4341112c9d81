"""Business days in Norway: Monday to Friday, except public holidays.

Public holidays (helligdager, lov om 1. og 17. mai som høgtidsdager and
helligdagsloven): 1 January, Maundy Thursday, Good Friday, Easter Monday,
1 May, Ascension Day, 17 May, Whit Monday, 25 and 26 December. Easter Sunday
and Whit Sunday always fall on a Sunday and need no entry.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


def easter_sunday(year: int) -> dt.date:
    """Western (Gregorian) Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=64)
def norwegian_public_holidays(year: int) -> frozenset[dt.date]:
    easter = easter_sunday(year)
    moving = (-3, -2, 1, 39, 50)  # Maundy Thu, Good Fri, Easter Mon, Ascension, Whit Mon
    fixed = ((1, 1), (5, 1), (5, 17), (12, 25), (12, 26))
    return frozenset(
        [easter + dt.timedelta(days=n) for n in moving]
        + [dt.date(year, month, day) for month, day in fixed]
    )


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in norwegian_public_holidays(day.year)


def add_business_days(day: dt.date, days: int) -> dt.date:
    """The date `days` business days after `day` (`day` itself is not counted)."""
    if days < 0:
        raise ValueError("add_business_days: days must not be negative")
    current = day
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current
