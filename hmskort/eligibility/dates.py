"""Calendar arithmetic the rules need (no clock: every function takes its dates)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by a whole number of calendar months (negative: back).

    The day of month is clamped to the target month's last day, so
    31 May minus 3 months is 28 (or 29) February.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))
