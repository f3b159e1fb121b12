from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

AlertState = Literal["open", "acknowledged", "closed"]
CaseState = Literal["open", "in_progress", "answered", "dismissed"]
Note = Annotated[str, Meta(min_length=1, max_length=2000, pattern=r"\S", description="a non-blank note")]
Username = Annotated[str, Meta(min_length=1, max_length=64)]


class Acknowledgement(msgspec.Struct):
    note: str
    by: str
    at: datetime


class AlertOut(msgspec.Struct):
    id: int
    cause: str
    scope_kind: str
    scope: str  # the counter's, unit's, device's or officer's code
    unit: str  # the unit that sees it
    unit_name: str
    state: AlertState
    opened_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
    evidence: dict[str, Any]
    acknowledged: Acknowledgement | None
    run_id: int | None


class AcknowledgeIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Note


class DigestUnit(msgspec.Struct):
    unit: str
    unit_name: str
    opened: list[AlertOut]
    acknowledged: list[AlertOut]
    closed: list[AlertOut]


class Digest(msgspec.Struct):
    day: date
    time_zone: str
    opened: int
    acknowledged: int
    closed: int
    units: list[DigestUnit]


class CaseEventOut(msgspec.Struct):
    at: datetime
    by: str
    action: str
    from_state: str | None
    to_state: str | None
    assignee: str | None
    note: str | None


class CaseOut(msgspec.Struct):
    id: int
    source_kind: Literal["rating", "response"]
    source_id: int
    reasons: list[str]
    dossier_code: str | None
    unit: str
    unit_name: str
    counter: str | None
    opened_at: datetime
    opened_on: date
    deadline: date
    overdue: bool
    state: CaseState
    assignee: str | None
    response: str | None
    dismissal_reason: str | None
    handled_at: datetime | None
    events: list[CaseEventOut] = []


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    to: CaseState
    note: Note | None = None
    response: Note | None = None  # required to answer
    reason: Note | None = None  # required to dismiss


class AssignIn(msgspec.Struct, forbid_unknown_fields=True):
    assignee: Username | None  # a user's username; null to unassign
    note: Note | None = None


class Timeliness(msgspec.Struct):
    """Circular 01/2018 indicator 8 (unofficial): feedback handled on time."""

    as_of: date
    on_time: int
    late: int
    pending: int
    points: int | None  # 2 all on time, 1 at least 90 %, 0 below; null with nothing due
    label: str


class RatingFeedback(msgspec.Struct):
    id: int
    counter: str
    officer: str | None
    level: int
    scale: int
    reasons: list[str]
    comment: str | None  # redacted; None also when hidden
    created_at: datetime
    comment_hidden: bool = False  # it names a person, and this role may not read names


class Answer(msgspec.Struct):
    item: str
    value: int | None
    text: str | None  # redacted; None also when hidden
    hidden: bool = False  # it names a person, and this role may not read names


class ResponseFeedback(msgspec.Struct):
    id: int
    instrument: str
    submitted_at: datetime
    answers: list[Answer]


class DossierFeedback(msgspec.Struct):
    code: str
    unit: str
    procedure: str
    received_at: datetime
    due_at: datetime
    returned_at: datetime | None
    ratings: list[RatingFeedback]
    responses: list[ResponseFeedback]
    cases: list[CaseOut]
