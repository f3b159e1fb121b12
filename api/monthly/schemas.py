from __future__ import annotations

from datetime import date

import msgspec

from api.comments.schemas import Theme
from api.dashboard.views import Figure, OfficerScore, Overview, Spc, UnitRef


class Header(msgspec.Struct):
    """The administrative heading of Decree 30/2020/NĐ-CP: the governing body over the issuer, the issuer,
    the document's number (left blank for the clerk), place and date."""

    authority: str
    issuer: str
    symbol: str  # "BC-<unit code>": the number is written in by hand
    place: str
    issued: date


class UnitRow(msgspec.Struct):
    unit: UnitRef
    figures: list[Figure]
    spc: Spc  # over the 24 months up to the report's month


class OfficerGroups(msgspec.Struct):
    """Officers by funnel position, each list in code order: never a league table."""

    above: list[OfficerScore]
    within: list[OfficerScore]
    below: list[OfficerScore]
    suppressed: int  # officers with too few ratings (or hidden so that no hidden score can be derived)


class Flag(msgspec.Struct):
    kind: str
    scope_kind: str
    scope: str
    first_at: str
    last_at: str
    count: int
    detail: str


class Handling(msgspec.Struct):
    """Circular 01 indicator 8 over the follow-up cases due in the month."""

    on_time: int
    late: int
    pending: int
    points: int | None


class MonthlyReport(msgspec.Struct):
    month: str  # YYYY-MM
    first: date
    last: date
    header: Header
    overview: Overview
    spc: Spc  # the unit's own, over 24 months
    units: list[UnitRow]  # the units directly under it that the viewer may see
    officers: OfficerGroups
    themes: list[Theme]  # the fixed themes with the most dissatisfied comments, with redacted quotes
    flags: list[Flag]
    handling: Handling
