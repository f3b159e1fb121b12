"""Month boundaries in a unit's time zone, and the SQL that turns an instant into a month number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

DAY_MS = 86_400_000


def local_ms(day: date, tz: ZoneInfo) -> int:
    """Local midnight of ``day`` as UTC epoch milliseconds."""
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()) * 1000


@dataclass(frozen=True)
class Months:
    """The calendar months from ``first`` to ``last`` (inclusive) in one time zone."""

    tz: str
    labels: tuple[str, ...]  # "2026-10"
    starts: tuple[int, ...]  # epoch ms of each month's first local midnight, plus the end of the last
    lo: int  # first instant counted (local midnight of the ``from`` day)
    hi: int  # first instant not counted (local midnight after the ``to`` day)
    offset: int  # the zone's UTC offset at ``hi`` in ms (for time-of-day and day numbers)

    def case(self, column: str) -> str:
        """SQL giving the month number (0-based) of ``column``; rows are already limited to [lo, hi)."""
        whens = " ".join(f"WHEN {column} < {start} THEN {i}" for i, start in enumerate(self.starts[1:-1]))
        last = len(self.labels) - 1
        # One month: an expression, not a bare 0, which SQLite's GROUP BY would read as a column number.
        return f"(CASE {whens} ELSE {last} END)" if whens else "(0 + 0)"

    def local_day(self, column: str) -> str:
        return f"(({column} + {self.offset}) / {DAY_MS})"


def months(first: date, last: date, tz_name: str) -> Months:
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    tz = ZoneInfo(tz_name)
    labels: list[str] = []
    starts: list[int] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        labels.append(f"{year:04d}-{month:02d}")
        starts.append(local_ms(date(year, month, 1), tz))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    starts.append(local_ms(date(year, month, 1), tz))
    lo = local_ms(first, tz)
    hi = local_ms(date.fromordinal(last.toordinal() + 1), tz)
    utc = datetime.fromtimestamp(hi / 1000, tz).utcoffset()
    offset = int(utc.total_seconds()) * 1000 if utc else 0
    return Months(tz_name, tuple(labels), tuple(starts), lo, hi, offset)
