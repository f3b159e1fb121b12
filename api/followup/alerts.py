"""Which alerts to open, move on or close: fast counter alerts from new ratings (analysis.stats.window), and slow
alerts from a stored analysis run (SPC concerns, theme spikes, integrity flags). Planning only reads; the
follow-up task writes the plan in one transaction (api/followup/task.py)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from analysis.stats.window import Breach, Windows, recovered
from api.db import Row, Tx
from api.followup import queries
from api.settings import Settings
from api.viewer import subtree

COUNTER = "counter_unhappy"
SPC = "spc_concern"
THEME = "theme_spike:"
FLAG = "integrity:"
MINUTE_MS = 60_000


def open_key(cause: str, scope_kind: str, scope_id: int) -> str:
    return f"{cause}|{scope_kind}|{scope_id}"


def alert(
    cause: str, scope: tuple[str, int, int], at: int, evidence: dict[str, Any], run_id: int | None = None
) -> dict[str, Any]:
    kind, scope_id, unit_id = scope
    return {
        "cause": cause,
        "scope_kind": kind,
        "scope_id": scope_id,
        "unit_id": unit_id,
        "open_key": open_key(cause, kind, scope_id),
        "opened_at": at,
        "last_seen_at": at,
        "run_id": run_id,
        "evidence": json.dumps(evidence, ensure_ascii=False, sort_keys=True),
    }


def counter_alerts(windows: Windows, ratings: list[Row], now: int, settings: Settings) -> list[dict[str, Any]]:
    """Feed the new ratings to the counters' windows (analysis/stats/window.py) and check the window ending at
    each one of the last window's: one alert per counter that breached, at its latest breach. A breach older
    than a window has recovered already, so ratings that old only fill the windows."""
    width = windows.width
    latest: dict[int, tuple[Breach, int]] = {}
    for r in sorted(ratings, key=lambda r: (int(r["created_at"]), int(r["id"]))):
        at, counter = int(r["created_at"]), int(r["counter_id"])
        if now - at >= 2 * width:
            continue
        windows.add(counter, int(r["id"]), at, int(r["level"]) == 1)
        if now - at < width:
            found = windows.check(counter, at)
            if found is not None:
                latest[counter] = (found, int(r["unit_id"]))
    out = []
    for counter_id, (found, unit_id) in sorted(latest.items()):
        evidence = {
            "window_minutes": settings.alert_window_minutes,
            "share_at_least": settings.alert_share,
            "min_ratings": settings.alert_min_ratings,
            "ratings": found.n,
            "unsatisfied": found.unhappy,
            "window_end": found.at,
            "rating_ids": list(found.ids),
        }
        out.append(alert(COUNTER, ("counter", counter_id, unit_id), found.at, evidence))
    return out


def new_windows(settings: Settings) -> Windows:
    return Windows(settings.alert_window_minutes * MINUTE_MS, settings.alert_share, settings.alert_min_ratings)


async def recovered_counters(tx: Tx, now: int, settings: Settings, extended: Collection[str]) -> list[int]:
    """Open counter alerts with a full window since their last breach (not extended in this same pass)."""
    width = settings.alert_window_minutes * MINUTE_MS
    return [
        int(a["id"])
        for a in await queries.open_alerts(tx, [COUNTER])
        if recovered(int(a["last_seen_at"]), now, width)
        and open_key(COUNTER, a["scope_kind"], int(a["scope_id"])) not in extended
    ]


async def run_alerts(tx: Tx, run: Row) -> tuple[list[dict[str, Any]], list[int]]:
    """The alerts a stored run raises, and the open run-derived alerts within its scope that it no longer
    supports (they close: the data recovered)."""
    run_id, at = int(run["id"]), int(run["as_of"])
    summary = json.loads(run["summary"] or "{}")
    known = await queries.scopes(tx)
    wanted: list[dict[str, Any]] = []
    for code, chart in sorted((summary.get("trends") or {}).items()):
        scope = known.get(("unit", code))
        if scope and chart.get("variation") == "concern":
            wanted.append(alert(SPC, ("unit", *scope), at, {"run_id": run_id, "unit": code, **chart}, run_id))
    for spike in summary.get("theme_spikes") or []:
        scope = known.get(("unit", str(spike["scope_code"])))
        if scope:
            wanted.append(alert(THEME + str(spike["theme"]), ("unit", *scope), at, {"run_id": run_id, **spike}, run_id))
    for row in await queries.run_rows(tx, run_id, "flags"):
        scope = known.get((str(row["scope_kind"]), str(row["scope_code"])))
        if not scope:
            continue
        for flag in json.loads(row["data"]):
            evidence = {**flag, "evidence": json.loads(flag.get("evidence") or "{}"), "run_id": run_id}
            wanted.append(alert(FLAG + str(flag["kind"]), (str(row["scope_kind"]), *scope), at, evidence, run_id))
    root = known.get(("unit", str(run["unit_code"])))
    within = await subtree(tx, root[0]) if root else frozenset()
    keys = {a["open_key"] for a in wanted}
    stale = [
        int(a["id"])
        for a in await queries.open_alerts(tx)
        if str(a["cause"]).startswith((SPC, THEME, FLAG))
        and int(a["unit_id"]) in within
        and open_key(a["cause"], a["scope_kind"], int(a["scope_id"])) not in keys
    ]
    return wanted, stale
