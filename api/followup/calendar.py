"""Working days for case deadlines: Monday to Friday, less Vietnam's public holidays (Tết included) as the
maintained ``holidays`` package lists them (``holidays.VN``). A deadline of N working days after the day a
case opens is the N-th working day after it; the opening day itself does not count."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


@cache
def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
    if days < 0:
        raise ValueError(f"need a non-negative number of working days, got {days}")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
