"""Theme spikes (ANALYSIS.md §4, slow alerts): a fixed theme whose share among a unit's dissatisfied comments
rises beyond its own limits in the last month of the run, on a Laney p′ chart of its monthly shares
(analysis.stats.spc, lower is better; the last point outside the upper limit). Pure Python: counted from the
scored comments of the run (comments.csv rows), for the analysed unit and each unit directly under it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def theme_spikes(
    comments: Iterable[Mapping[str, Any]],
    months: Sequence[str],
    root: str,
    top_unit: Mapping[str, str],
    min_points: int,
) -> list[dict[str, Any]]:
    """``comments``: rows with unit_code, period (month), dissatisfied (0/1) and themes (``;``-separated);
    ``top_unit`` maps a unit to the unit directly under ``root`` that holds it."""
    from analysis.stats.spc import p_chart

    if not months:
        return []
    totals: Counter[tuple[str, str]] = Counter()  # (unit, month) → dissatisfied comments
    themed: Counter[tuple[str, str, str]] = Counter()  # (unit, theme, month) → of them with the theme
    for c in comments:
        if not int(c["dissatisfied"]):
            continue
        units = {root, top_unit.get(str(c["unit_code"]), root)}
        themes = [t for t in str(c["themes"]).split(";") if t]
        for unit in units:
            totals[(unit, str(c["period"]))] += 1
            for theme in themes:
                themed[(unit, theme, str(c["period"]))] += 1
    last = months[-1]
    out: list[dict[str, Any]] = []
    for unit, theme in sorted({(u, t) for u, t, _ in themed}):
        series = [(m, totals[(unit, m)], themed[(unit, theme, m)]) for m in months if totals[(unit, m)]]
        chart = p_chart(series, target=None, higher_is_better=False, min_points=min_points)
        end = chart.points[-1] if chart.points else None
        if end is None or end.period != last or end.rule != "outside_limits" or end.direction != "concern":
            continue
        out.append(
            {
                "theme": theme,
                "scope_kind": "unit",
                "scope_code": unit,
                "period": last,
                "n": end.n,
                "x": end.x,
                "share": round(end.value, 4),
                "centre": None if end.centre is None else round(end.centre, 4),
                "upper": None if end.upper is None else round(end.upper, 4),
            }
        )
    return out
