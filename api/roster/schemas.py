from __future__ import annotations

from datetime import datetime

import msgspec

from api.types import Code


class ShiftIn(msgspec.Struct, forbid_unknown_fields=True):
    counter: Code
    officer: Code
    starts: datetime
    ends: datetime


class ShiftOut(msgspec.Struct):
    id: int
    counter: str
    officer: str
    officer_name: str
    starts: datetime
    ends: datetime
    created_by: str


class CounterDuty(msgspec.Struct):
    counter: str
    name: str
    unit: str
    officer: str | None  # on duty now
    officer_name: str | None
    since: datetime | None
    by_shift: bool  # put there by a shift of the roster (else set by hand)


class Roster(msgspec.Struct):
    unit: str
    since: datetime
    until: datetime
    counters: list[CounterDuty]
    shifts: list[ShiftOut]
