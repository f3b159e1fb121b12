from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from api.types import Code, Name

Days = Annotated[int, Meta(ge=0, le=365, description="legal processing time in working days")]


class ProcedureIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: Annotated[str, Meta(min_length=1, max_length=500)]
    field: Name
    legal_days: Days


class ProcedurePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(min_length=1, max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    field: Name | msgspec.UnsetType = msgspec.UNSET
    legal_days: Days | msgspec.UnsetType = msgspec.UNSET


class ProcedureOut(msgspec.Struct):
    code: str
    name: str
    field: str
    legal_days: int
