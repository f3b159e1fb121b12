from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from api.types import Code

Channel = Literal["direct", "online", "postal"]
Result = Literal["approved", "refused", "withdrawn"]


class DossierIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    unit: Code
    procedure: Code
    channel: Channel
    received_at: datetime
    due_at: datetime
    officer: Code | None = None


class DossierPatch(msgspec.Struct, forbid_unknown_fields=True):
    returned_at: datetime | msgspec.UnsetType | None = msgspec.UNSET
    result: Result | msgspec.UnsetType | None = msgspec.UNSET
    due_at: datetime | msgspec.UnsetType = msgspec.UNSET


class DossierOut(msgspec.Struct):
    code: str
    unit: str
    procedure: str
    officer: str | None
    channel: str
    received_at: datetime
    due_at: datetime
    returned_at: datetime | None
    result: str | None
    survey_url: str | None = None
