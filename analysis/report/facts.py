"""What the batch reads from the store, as plain rows keyed by codes (``analysis`` never sees the store).

Counts are per local month (``"2026-10"``); quarters and years are sums of months, and every unit's
figures include the units under it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None


@dataclass
class Facts:
    root: str  # the unit analysed (its whole subtree)
    units: list[Unit]
    months: list[str]
    first: str  # ISO dates of the period
    last: str
    tz: str = "Asia/Ho_Chi_Minh"
    ratings: list[Row] = field(default_factory=list)  # unit, counter, officer, source, m, n, x, top
    procedure_ratings: list[Row] = field(default_factory=list)  # unit, procedure, channel, m, n, x
    dossiers: list[Row] = field(default_factory=list)  # unit, procedure, channel, m, margin (days), n
    rated_dossiers: list[Row] = field(default_factory=list)  # … and unsat (0/1)
    answers: list[Row] = field(default_factory=list)  # unit, m, item, rows, n, sat, some
    responses: list[Row] = field(default_factory=list)  # unit, m, n
    qr_officers: list[Row] = field(default_factory=list)  # officer, n, x (the receipt-QR gap item)
    instrument: dict[str, Any] = field(default_factory=dict)  # the receipt questionnaire, as data
    close_pairs: list[Row] = field(default_factory=list)  # id, device, officer, unit, created_at, level, scale
    taps: list[Row] = field(default_factory=list)  # device, unit, n, fast, first_at, last_at, ids
    off_hours: list[Row] = field(default_factory=list)  # id, device, officer, unit, created_at
    repeated: list[Row] = field(default_factory=list)  # device, unit, comment, n, first_at, last_at, ids
    staff: dict[str, list[int]] = field(default_factory=dict)  # unit -> staff-entered rating ids (a sample)
    officer_units: dict[str, str] = field(default_factory=dict)  # officer -> unit
    counter_units: dict[str, str] = field(default_factory=dict)  # counter -> unit

    def ancestors(self) -> dict[str, list[str]]:
        """Each unit code -> itself and every unit above it, up to the root analysed."""
        parent = {u.code: u.parent for u in self.units}
        out: dict[str, list[str]] = {}
        for unit in self.units:
            chain: list[str] = []
            code: str | None = unit.code
            while code is not None and code in parent:
                chain.append(code)
                if code == self.root:
                    break
                code = parent[code]
            out[unit.code] = chain
        return out

    def periods(self) -> Iterator[tuple[str, list[str]]]:
        """Every month, quarter and year touched, with the months it covers (in order)."""
        quarters: dict[str, list[str]] = {}
        years: dict[str, list[str]] = {}
        for month in self.months:
            year, mm = month.split("-")
            quarters.setdefault(f"{year}-Q{(int(mm) - 1) // 3 + 1}", []).append(month)
            years.setdefault(year, []).append(month)
        for month in self.months:
            yield month, [month]
        yield from quarters.items()
        yield from years.items()
