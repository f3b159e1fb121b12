"""trends.csv and the period-on-period changes: a monthly Laney p′ chart of each unit's counter satisfaction
rate with the Making Data Count rules (analysis.stats.spc), and this month against the month before with a
two-proportion test, Benjamini-Hochberg-corrected across the units compared (analysis.stats.compare)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from analysis.report.facts import Facts
from analysis.report.indices import Counts
from analysis.report.settings import Settings

COLUMNS = (
    "scope_kind",
    "scope_code",
    "measure",
    "period",
    "n",
    "x",
    "value",
    "centre",
    "lower",
    "upper",
    "rule",
    "direction",
)
MEASURE = "counter_rate"


def series(facts: Facts, acc: Counts) -> dict[str, list[tuple[str, int, int]]]:
    """Each unit's monthly (month, n, x) of the counter satisfaction rate, months without ratings left out."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    for (kind, code, measure), by_month in acc.items():
        if kind == "unit" and measure == MEASURE:
            out[code] = [
                (m, by_month[m][0], by_month[m][1]) for m in facts.months if m in by_month and by_month[m][0] > 0
            ]
    return out


def chart_rows(facts: Facts, acc: Counts, settings: Settings) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """trends.csv rows, and per unit the chart's summary (variation, assurance, last rule)."""
    from analysis.stats.spc import p_chart

    rows: list[dict[str, Any]] = []
    summaries: dict[str, dict[str, Any]] = {}
    for code, points in sorted(series(facts, acc).items()):
        chart = p_chart(points, target=settings.target, min_points=settings.spc_min_points)
        for p in chart.points:
            rows.append(
                {
                    "scope_kind": "unit",
                    "scope_code": code,
                    "measure": MEASURE,
                    "period": p.period,
                    "n": p.n,
                    "x": p.x,
                    "value": p.value,
                    "centre": p.centre,
                    "lower": p.lower,
                    "upper": p.upper,
                    "rule": p.rule or "",
                    "direction": p.direction or "",
                }
            )
        summaries[code] = {
            "variation": chart.variation,
            "variation_since": chart.variation_since,
            "assurance": chart.assurance,
            "points": len(points),
            "ruleset": "/".join(chart.ruleset),
        }
    return rows, summaries


def changes(facts: Facts, acc: Counts, settings: Settings) -> list[dict[str, Any]]:
    """The last month against the one before, per unit, with BH-adjusted p-values."""
    if len(facts.months) < 2:
        return []
    last, before = facts.months[-1], facts.months[-2]
    found: list[dict[str, Any]] = []
    for (kind, code, measure), by_month in sorted(acc.items()):
        if kind != "unit" or measure != MEASURE or last not in by_month or before not in by_month:
            continue
        (n1, x1, _), (n2, x2, _) = by_month[before], by_month[last]
        if n1 >= settings.min_n and n2 >= settings.min_n:
            found.append({"unit": code, "from": before, "to": last, "n1": n1, "x1": x1, "n2": n2, "x2": x2})
    return tested(found, settings.alpha)


def tested(found: list[dict[str, Any]], alpha: float) -> list[dict[str, Any]]:
    """Each row's change from x1/n1 (before) to x2/n2 (after): its two-proportion p-value, the
    Benjamini-Hochberg q across all the rows given (one family), and ``changed`` = q < alpha."""
    from analysis.stats.compare import benjamini_hochberg, two_proportion

    for row in found:
        row["p"] = two_proportion(row["x1"], row["n1"], row["x2"], row["n2"]).p_value
    for row, q in zip(found, benjamini_hochberg([float(r["p"]) for r in found]).q_values, strict=True):
        row["q"] = q
        row["changed"] = q < alpha
    return found


def by_unit(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[str(r["scope_code"])].append(r)
    return out
