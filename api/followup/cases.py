"""Follow-up cases: which feedback opens one, for which unit, with which deadline; and how a case moves.

A case opens for a "Không hài lòng" rating (the lowest level of its scale) that names a dossier or carries a
comment, and for a questionnaire response that reports harassment or informal payments ("some" or "many").
It belongs to the responsible unit: the dossier's unit, else the counter's. Its deadline is the
``case_working_days``-th working day (api/followup/calendar.py) after the local day the feedback arrived.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from api.db import Row
from api.followup.calendar import add_working_days

STATES = ("open", "in_progress", "answered", "dismissed")
HANDLED = ("answered", "dismissed")
# Where a case may go from each state. Answered and dismissed cases may be reopened (a citizen writes back).
MOVES: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "answered", "dismissed"),
    "in_progress": ("open", "answered", "dismissed"),
    "answered": ("in_progress",),
    "dismissed": ("open",),
}


def local_day(ms: int, timezone: str) -> str:
    return datetime.fromtimestamp(ms / 1000, ZoneInfo(timezone)).date().isoformat()


def _case(
    kind: str, row: Row, reasons: list[str], at: int, unit_id: int, timezone: str, days: int, now: int
) -> dict[str, Any]:
    opened_on = local_day(at, timezone)
    deadline = add_working_days(datetime.fromisoformat(opened_on).date(), days)
    return {
        "source_kind": kind,
        "source_id": int(row["id"]),
        "reasons": ",".join(reasons),
        "dossier_id": row.get("dossier_id"),
        "unit_id": unit_id,
        "counter_id": row.get("counter_id"),
        "opened_at": at,
        "opened_on": opened_on,
        "deadline": deadline.isoformat(),
        "now": now,
    }


def opens_case(rating: Row) -> bool:
    """A "Không hài lòng" rating (the lowest level of either scale) that names a dossier or carries a comment."""
    return int(rating["level"]) == 1 and (rating["dossier_id"] is not None or bool(int(rating["has_comment"])))


def from_ratings(ratings: list[Row], days: int, now: int) -> list[dict[str, Any]]:
    """``ratings`` with their place (api/followup/queries.with_places)."""
    out = []
    for r in ratings:
        if not opens_case(r):
            continue
        reasons = ["unsatisfied"] + (["dossier"] if r["dossier_id"] is not None else [])
        reasons += ["comment"] if int(r["has_comment"]) else []
        out.append(
            _case("rating", r, reasons, int(r["created_at"]), int(r["case_unit"]), str(r["timezone"]), days, now)
        )
    return out


def from_responses(rows: list[Row], days: int, now: int) -> list[dict[str, Any]]:
    """``rows``: one per (response, reported item) from api/followup/queries.new_responses."""
    items: dict[int, list[str]] = defaultdict(list)
    first: dict[int, Row] = {}
    for r in rows:
        items[int(r["id"])].append(str(r["item"]))
        first.setdefault(int(r["id"]), r)
    return [
        _case(
            "response",
            {"id": rid, "dossier_id": r["dossier_id"]},
            sorted(items[rid]),
            int(r["submitted_at"]),
            int(r["unit_id"]),
            str(r["timezone"]),
            days,
            now,
        )
        for rid, r in first.items()
    ]
