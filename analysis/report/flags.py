"""flags.csv: integrity flags, each with its evidence (rating ids, device, officer, first and last time,
count), one per cause and scope. The store has already narrowed the candidates (see Facts)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from analysis.comments.redact import redact
from analysis.report.facts import Facts, Row
from analysis.report.settings import FLAGS, FLAGS_VERSION, Settings

RULE_SET = f"{FLAGS}/{FLAGS_VERSION}"

COLUMNS = ("kind", "scope_kind", "scope_code", "first_at", "last_at", "count", "detail", "evidence")
KINDS = ("burst", "fast_tap", "off_hours", "repeated_comment", "kiosk_qr_gap", "staff_entered")
EVIDENCE_IDS = 20


def _when(ms: Any, tz: ZoneInfo) -> str:
    return "" if ms is None else datetime.fromtimestamp(int(ms) / 1000, tz).isoformat(timespec="seconds")


def _flag(
    kind: str,
    scope: tuple[str, str],
    first: object,
    last: object,
    count: int,
    detail: str,
    tz: ZoneInfo,
    **evidence: object,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "scope_kind": scope[0],
        "scope_code": scope[1],
        "first_at": _when(first, tz),
        "last_at": _when(last, tz),
        "count": count,
        "detail": detail,
        "evidence": json.dumps({**evidence, "rule_set": RULE_SET}, ensure_ascii=False, sort_keys=True),
    }


def bursts(pairs: list[Row], gap_s: int, min_count: int) -> list[list[Row]]:
    """Runs of ratings at one device, each within ``gap_s`` of the one before, at least ``min_count``
    long and all top marks. ``pairs`` is ordered by device and time."""
    runs: list[list[Row]] = []
    current: list[Row] = []
    for row in pairs:
        if current and (
            row["device"] != current[-1]["device"] or row["created_at"] - current[-1]["created_at"] > gap_s * 1000
        ):
            runs.append(current)
            current = []
        current.append(row)
    if current:
        runs.append(current)
    return [run for run in runs if len(run) >= min_count and all(r["top"] for r in run)]


def _by(rows: Iterable[Row], key: str) -> dict[object, list[Row]]:
    out: dict[object, list[Row]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def rows(facts: Facts, settings: Settings, gap_tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tz = ZoneInfo(facts.tz)
    out: list[dict[str, Any]] = []
    for device, runs in _by(
        (
            {"device": run[0]["device"], "run": run}
            for run in bursts(facts.close_pairs, settings.burst_gap_s, settings.burst_min)
        ),
        "device",
    ).items():
        members = [r for item in runs for r in item["run"]]
        officers = sorted({str(r["officer"]) for r in members if r["officer"]})
        out.append(
            _flag(
                "burst",
                ("device", str(device)),
                members[0]["created_at"],
                members[-1]["created_at"],
                len(members),
                f"{len(runs)} bursts of ≥ {settings.burst_min} top ratings, "
                f"each within {settings.burst_gap_s} s of the last",
                tz,
                device=device,
                officers=officers,
                unit=members[0]["unit"],
                bursts=len(runs),
                rating_ids=[r["id"] for r in members[:EVIDENCE_IDS]],
            )
        )
    for tap in facts.taps:
        if settings.fast_tap_flagged(tap["n"], tap["fast"]):
            out.append(
                _flag(
                    "fast_tap",
                    ("device", tap["device"]),
                    tap["first_at"],
                    tap["last_at"],
                    tap["fast"],
                    f"{tap['fast']} of {tap['n']} taps faster than {settings.fast_tap_ms} ms",
                    tz,
                    device=tap["device"],
                    unit=tap["unit"],
                    rating_ids=tap["ids"],
                )
            )
    for device, found in _by(facts.off_hours, "device").items():
        if len(found) >= settings.off_hours_min:
            out.append(
                _flag(
                    "off_hours",
                    ("device", str(device)),
                    found[0]["created_at"],
                    found[-1]["created_at"],
                    len(found),
                    f"{len(found)} ratings outside opening hours (+{settings.off_hours_grace_min} min grace)",
                    tz,
                    device=device,
                    unit=found[0]["unit"],
                    officers=sorted({str(r["officer"]) for r in found if r["officer"]}),
                    rating_ids=[r["id"] for r in found[:EVIDENCE_IDS]],
                )
            )
    for r in facts.repeated:
        out.append(
            _flag(
                "repeated_comment",
                ("device", r["device"]),
                r["first_at"],
                r["last_at"],
                r["n"],
                f"the same comment {r['n']} times at this device, of {r['total']} in the whole scope",
                tz,
                device=r["device"],
                unit=r["unit"],
                comment=redact(str(r["comment"])).text,  # shown in flags.csv and the report: redacted
                rating_ids=r["ids"],
            )
        )
    for g in gap_tests:
        if g["flagged"]:
            out.append(
                _flag(
                    "kiosk_qr_gap",
                    ("officer", str(g["officer"])),
                    None,
                    None,
                    int(g["kiosk_n"]),
                    f"kiosk satisfied {g['kiosk_rate']:.1%} (n={g['kiosk_n']}) vs receipt QR {settings.gap_item} "
                    f"{g['qr_rate']:.1%} (n={g['qr_n']}; usual gap {g['usual_gap']:.1%}), BH-adjusted p = {g['q']:.2g}",
                    tz,
                    **{k: v for k, v in g.items() if k != "flagged"},
                )
            )
    out.extend(_staff(facts, settings, tz))
    return out


def _staff(facts: Facts, settings: Settings, tz: ZoneInfo) -> list[dict[str, Any]]:
    staff: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in facts.ratings:
        cell = staff[r["unit"]]
        cell[0] += r["n"]
        if r["source"] == "staff":
            cell[1] += r["n"]
    out = []
    for unit, (n, k) in sorted(staff.items()):
        if settings.staff_flagged(n, k):
            out.append(
                _flag(
                    "staff_entered",
                    ("unit", unit),
                    None,
                    None,
                    k,
                    f"{k} of {n} ratings entered by staff ({k / n:.1%}); kept out of every index",
                    tz,
                    unit=unit,
                    rating_ids=facts.staff.get(unit, []),
                )
            )
    return out
