from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.types import Code, Name, TimeZone

UnitKind = Literal["province", "centre", "department", "district", "commune"]
Scale = Annotated[int, Meta(ge=3, le=5, description="3 (national convention) or 5 levels")]


class UnitIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: Name
    kind: UnitKind
    parent: Code | None = None
    timezone: TimeZone | None = None
    rating_scale: Literal[3, 5] = 3


class UnitPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: UnitKind | msgspec.UnsetType = msgspec.UNSET
    parent: Code | msgspec.UnsetType | None = msgspec.UNSET
    timezone: TimeZone | msgspec.UnsetType = msgspec.UNSET
    rating_scale: Literal[3, 5] | msgspec.UnsetType = msgspec.UNSET


class UnitOut(msgspec.Struct):
    code: str
    name: str
    kind: str
    parent: str | None
    timezone: str
    rating_scale: int
