"""The monthly report: one unit (its whole subtree) and one calendar month, in the layout of Decree 30/2020/
NĐ-CP, assembled from the figures every other view shows (api/dashboard/views.py for indices, SPC and
officers; api/comments for themes; api/followup for indicator 8; the newest stored run for integrity flags).
Nothing is computed here that another view computes; this module only chooses and orders.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from api.comments import service as comments
from api.dashboard import views
from api.db import Row, Store, Tx
from api.errors import Invalid
from api.followup.service import handling
from api.monthly.schemas import Flag, Handling, Header, MonthlyReport, OfficerGroups, UnitRow
from api.viewer import Viewer, subtree, visible_unit

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TOP_THEMES = 5
SPC_MONTHS = 24


def month_span(month: str) -> tuple[date, date]:
    found = MONTH.match(month)
    if found is None:
        raise Invalid(f"month {month!r} is not a month; write it as YYYY-MM, e.g. 2026-10.", code="bad-month")
    first = date(int(found[1]), int(found[2]), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def months_back(last: date, count: int) -> date:
    """The first day of the month ``count - 1`` months before ``last``'s."""
    index = last.year * 12 + last.month - 1 - (count - 1)
    return date(index // 12, index % 12 + 1, 1)


async def default_month(store: Store, tz: str) -> str:
    """The last complete month; if it has no rating, the newest month that has some (a demo ends earlier)."""
    today = datetime.now(ZoneInfo(tz)).date()
    last_month = date(today.year, today.month, 1) - timedelta(days=1)
    row = await store.fetch_one("SELECT max(created_at) AS t FROM ratings")
    if row is None or row["t"] is None:
        return f"{last_month:%Y-%m}"
    newest = datetime.fromtimestamp(int(row["t"]) / 1000, ZoneInfo(tz)).date()
    return f"{min(newest, last_month):%Y-%m}"


def _place(name: str) -> str:
    for prefix in ("Tỉnh ", "Thành phố ", "TP. "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


async def _header(tx: Tx, unit: Row, issued: date) -> Header:
    chain = await tx.fetch_all(
        "WITH RECURSIVE up(id, parent_id, name, depth) AS (SELECT id, parent_id, name, 0 FROM units WHERE id = :u"
        " UNION ALL SELECT p.id, p.parent_id, p.name, up.depth + 1 FROM units p JOIN up ON p.id = up.parent_id)"
        " SELECT name FROM up ORDER BY depth",
        {"u": unit["id"]},
    )
    names = [str(r["name"]) for r in chain]
    authority = names[1] if len(names) > 1 else ""
    return Header(authority, names[0], f"BC-{unit['code']}", _place(names[-1]), issued)


def _flags(rows: list[Row], scopes: set[str], first: date, last: date) -> list[Flag]:
    out = []
    for stored in rows:
        for f in json.loads(str(stored["data"])):
            when = str(f.get("last_at", ""))[:10]
            if str(f.get("scope_code")) in scopes and first.isoformat() <= when <= last.isoformat():
                out.append(
                    Flag(
                        str(f["kind"]),
                        str(f["scope_kind"]),
                        str(f["scope_code"]),
                        str(f["first_at"]),
                        str(f["last_at"]),
                        int(f["count"]),
                        str(f.get("detail", "")),
                    )
                )
    return sorted(out, key=lambda f: (f.kind, f.scope))


async def monthly(
    store: Store, viewer: Viewer, unit_code: str | None, month: str | None, issued: date | None = None
) -> MonthlyReport:
    async def find(tx: Tx) -> tuple[Row, frozenset[int], set[str], list[Row], Header]:
        unit = await visible_unit(tx, viewer, unit_code)
        ids = await subtree(tx, int(unit["id"]))
        listed = ", ".join(str(i) for i in sorted(ids))
        scopes = {
            str(r["code"])
            for table, column in (("units", "id"), ("counters", "unit_id"), ("officers", "unit_id"))
            for r in await tx.fetch_all(f"SELECT code FROM {table} WHERE {column} IN ({listed})")  # noqa: S608
        } | {
            str(r["code"])
            for r in await tx.fetch_all(
                f"SELECT v.code FROM devices v JOIN counters c ON c.id = v.counter_id WHERE c.unit_id IN ({listed})"  # noqa: S608
            )
        }
        flags = await tx.fetch_all(
            "SELECT data FROM analysis_results WHERE file = 'flags' AND run_id = (SELECT max(id) FROM analysis_runs)"
        )
        tz = ZoneInfo(str(unit["timezone"]))
        return unit, ids, scopes, flags, await _header(tx, unit, issued or datetime.now(tz).date())

    unit, ids, scopes, flag_rows, header = await store.read(find)
    code, tz = str(unit["code"]), str(unit["timezone"])
    month = month or await default_month(store, tz)
    first, last = month_span(month)
    overview = await views.overview(store, viewer, code, first, last)
    since = months_back(last, SPC_MONTHS)
    own = (await views.trends(store, viewer, code, since, last)).spc
    drill = await views.drilldown(store, viewer, code, first, last)
    units = [
        UnitRow(child.unit, child.figures, (await views.trends(store, viewer, child.unit.code, since, last)).spc)
        for child in drill.children
    ]
    scores = (await views.officer_scores(store, viewer, code, first, last)).officers
    shown = [s for s in scores if not s.suppressed]
    officers = OfficerGroups(
        [s for s in shown if (s.funnel or "").startswith("above")],
        [s for s in shown if s.funnel == "within"],
        [s for s in shown if (s.funnel or "").startswith("below")],
        len(scores) - len(shown),
    )
    found = await comments.themes(store, viewer, code, first, last)
    themes = sorted((t for t in found.themes if t.kind == "fixed" and t.n), key=lambda t: (-t.n, t.code))
    cases = await handling(store, ids, first, last)
    return MonthlyReport(
        month,
        first,
        last,
        header,
        overview,
        own,
        units,
        officers,
        themes[:TOP_THEMES],
        _flags(flag_rows, scopes, first, last),
        Handling(cases.on_time, cases.late, cases.pending, cases.points),
    )
