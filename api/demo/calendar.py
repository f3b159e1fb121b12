"""The demo calendar: working days up to 2026-10-31 (24 months for the small demo, 12 for the province),
Vietnamese holidays and Tết, opening hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST = date(2024, 11, 1)  # the small demo's first day (24 months)
YEAR_FIRST = date(2025, 11, 1)  # the province demo's first day (one year)
LAST = date(2026, 10, 31)
DROP_FROM = date(2026, 8, 1)  # the planted district's satisfaction drops from here on
TET = date(2026, 2, 17)  # Tết Bính Ngọ
TETS = (date(2025, 1, 29), TET)  # Tết Ất Tỵ, Tết Bính Ngọ
HOLIDAYS = frozenset(
    [date(2025, 1, 1), date(2025, 4, 7), date(2025, 4, 30), date(2025, 5, 1), date(2025, 9, 1), date(2025, 9, 2)]
    + [date(2026, 1, 1), date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 1), date(2026, 9, 2)]
    + [tet + timedelta(days=d) for tet in TETS for d in range(-1, 4)]
)
MONTH = {11: 1.0, 12: 1.12, 1: 1.08, 2: 0.9, 3: 1.0, 4: 0.95, 5: 0.95, 6: 1.0, 7: 1.05, 8: 1.05, 9: 0.95, 10: 1.0}
WEEKDAY = (1.2, 1.05, 1.0, 0.95, 0.85)
# Opening hours 7:30-11:30 and 13:30-17:00 in half-hour slots (seconds after midnight), busiest mid-morning.
SLOTS = tuple(range(27_000, 41_400, 1800)) + tuple(range(48_600, 61_200, 1800))
SLOT_CUM = tuple(accumulate((0.6, 1.0, 1.3, 1.4, 1.3, 1.1, 0.9, 0.5, 0.6, 1.0, 1.1, 1.0, 0.8, 0.6, 0.35)))
PEAK = frozenset(SLOTS[2:5])
DAY_MS = 86_400_000


class Day(NamedTuple):
    n: int  # index among working days
    day: date
    start_ms: int  # local midnight as UTC epoch ms
    factor: float  # relative dossier volume
    week: int
    progress: float  # 0 at the start of the year, 1 at its end
    pre_tet: bool


def midnight_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=TZ).timestamp()) * 1000


def _to_tet(day: date) -> int:
    """Days until the nearest Tết (negative after it)."""
    return min(((tet - day).days for tet in TETS), key=abs)


def working_days(until: date = LAST, first: date = YEAR_FIRST) -> list[Day]:
    """Every working day from ``first`` to ``until`` (past LAST too, for due dates)."""
    days: list[Day] = []
    current = first
    span = (LAST - first).days
    while current <= until:
        if current.weekday() < 5 and current not in HOLIDAYS:
            to_tet = _to_tet(current)
            factor = MONTH[current.month] * WEEKDAY[current.weekday()]
            if 0 < to_tet <= 21:
                factor *= 1.3  # everyone wants their papers before Tết
            elif -10 <= to_tet <= 0:
                factor *= 0.5  # the slow restart after the holiday
            days.append(
                Day(
                    len(days),
                    current,
                    midnight_ms(current),
                    factor,
                    (current - FIRST).days // 7,
                    min(1.0, (current - first).days / span),
                    0 < to_tet <= 21,
                )
            )
        current += timedelta(days=1)
    return days


LAST_MS = midnight_ms(LAST) + DAY_MS - 1
FIRST_MS = midnight_ms(FIRST)
