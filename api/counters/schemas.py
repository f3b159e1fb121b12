from __future__ import annotations

from datetime import datetime

import msgspec

from api.types import Code, Name


class CounterIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    unit: Code
    name: Name
    active: bool = True


class CounterPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    unit: Code | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class CounterOut(msgspec.Struct):
    code: str
    unit: str
    name: str
    active: bool
    officer_on_duty: str | None


class DutyIn(msgspec.Struct, forbid_unknown_fields=True):
    officer: Code | None


class DutyOut(msgspec.Struct):
    counter: str
    officer: str | None
    officer_name: str | None
    since: datetime | None
