from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from api.types import Code

COMMENT_MAX = 500

RatingLevel = Annotated[int, Meta(ge=1, le=5, description="counter-3: 1 Không hài lòng, 2 Hài lòng, 3 Rất hài lòng")]
ReasonCode = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[a-z_]+$(?!\n)")]
Comment = Annotated[str, Meta(max_length=COMMENT_MAX, description=f"at most {COMMENT_MAX} characters")]


class RatingIn(msgspec.Struct, forbid_unknown_fields=True):
    idempotency_key: uuid.UUID
    level: RatingLevel
    counter: Code | None = None
    dossier_code: Code | None = None
    reasons: Annotated[list[ReasonCode], Meta(max_length=12)] = []
    comment: Comment | None = None
    client_time: datetime | None = None
    time_to_tap_ms: Annotated[int, Meta(ge=0, le=86_400_000)] | None = None
    device: Annotated[str, Meta(max_length=100)] | None = None


class RatingOut(msgspec.Struct):
    id: int
    idempotency_key: str
    instrument: str
    unit: str
    counter: str
    officer: str | None
    dossier_code: str | None
    level: int
    scale: int
    reasons: list[str]
    comment: str | None
    source: str
    device: str | None
    created_at: datetime
    client_time: datetime | None
    time_to_tap_ms: int | None


class RatingPage(msgspec.Struct):
    items: list[RatingOut]
    next_cursor: str | None
