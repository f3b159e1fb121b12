from __future__ import annotations

import msgspec

from api.types import Code, Name, Title


class OfficerIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    unit: Code
    full_name: Name
    title: Title = ""
    active: bool = True


class OfficerPatch(msgspec.Struct, forbid_unknown_fields=True):
    unit: Code | msgspec.UnsetType = msgspec.UNSET
    full_name: Name | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class OfficerOut(msgspec.Struct):
    code: str
    unit: str
    full_name: str
    title: str
    active: bool
