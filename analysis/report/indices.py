"""indices.csv: every measure per scope (unit subtree-inclusive, counter, procedure, channel) and period.

Counts are summed first (months into quarters and years, units into the units above them); each figure
is then one proportion x/n with its Wilson interval and the small-number rule (analysis.stats).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from analysis.report.facts import Facts, Row
from analysis.report.settings import Settings
from analysis.stats.proportions import proportion

COLUMNS = (
    "scope_kind",
    "scope_code",
    "period",
    "measure",
    "n",
    "x",
    "value",
    "ci_low",
    "ci_high",
    "excluded",
    "suppressed",
)
Key = tuple[str, str, str]  # scope_kind, scope_code, measure
Counts = dict[Key, dict[str, list[int]]]  # -> month -> [n, x, excluded]


def _add(acc: Counts, scopes: Iterable[tuple[str, str]], measure: str, month: str, n: int, x: int, excl: int) -> None:
    for kind, code in scopes:
        cell = acc[(kind, code, measure)].setdefault(month, [0, 0, 0])
        cell[0] += n
        cell[1] += x
        cell[2] += excl


def counts(facts: Facts) -> Counts:
    """Monthly n, x and excluded for every scope and measure."""
    acc: Counts = defaultdict(dict)
    up = facts.ancestors()
    units = {u: [("unit", a) for a in chain] for u, chain in up.items()}
    for r in facts.ratings:
        staff = r["source"] == "staff"
        scopes = [*units[r["unit"]], ("counter", r["counter"])]
        _add(
            acc, scopes, "counter_rate", r["m"], 0 if staff else r["n"], 0 if staff else r["x"], r["n"] if staff else 0
        )
    for r in facts.procedure_ratings:
        _add(acc, [("procedure", r["procedure"]), ("channel", r["channel"])], "counter_rate", r["m"], r["n"], r["x"], 0)
    _dossiers(acc, facts, units)
    _answers(acc, facts, units)
    return acc


def _dossiers(acc: Counts, facts: Facts, units: dict[str, list[tuple[str, str]]]) -> None:
    def scopes(r: Row) -> list[tuple[str, str]]:
        return [*units[r["unit"]], ("procedure", r["procedure"]), ("channel", r["channel"])]

    for r in facts.dossiers:
        n, late = r["n"], r["timeliness"] == "late"
        for t in ("early", "on_time", "late"):
            _add(acc, scopes(r), f"{t}_share", r["m"], n, n if r["timeliness"] == t else 0, 0)
        # Decision 766: handled minus (late or rated not satisfied); the rated part is added below
        _add(acc, scopes(r), "ratio_766", r["m"], n, 0 if late else n, 0)
        _add(acc, scopes(r), "coverage", r["m"], n, 0, 0)
    for r in facts.rated_dossiers:
        n = r["n"]
        _add(acc, scopes(r), "coverage", r["m"], 0, n, 0)
        if r["unsat"] and r["timeliness"] != "late":
            _add(acc, scopes(r), "ratio_766", r["m"], 0, -n, 0)


def _answers(acc: Counts, facts: Facts, units: dict[str, list[tuple[str, str]]]) -> None:
    responses: dict[tuple[str, str], int] = defaultdict(int)
    for r in facts.responses:
        responses[(r["unit"], r["m"])] += r["n"]
    for r in facts.answers:
        item, scopes = r["item"], units[r["unit"]]
        excluded = responses[(r["unit"], r["m"])] - r["n"]  # not applicable, or left blank
        if item == "harassment":
            _add(acc, scopes, "harassment_share", r["m"], r["n"], r["some"], excluded)
        elif item == "informal_payment":
            _add(acc, scopes, "payment_share", r["m"], r["n"], r["some"], excluded)
        else:
            _add(acc, scopes, f"sipas_item:{item}", r["m"], r["n"], r["sat"], excluded)


def rows(facts: Facts, settings: Settings, acc: Counts | None = None) -> list[dict[str, Any]]:
    acc = counts(facts) if acc is None else acc
    out: list[dict[str, Any]] = []
    periods = list(facts.periods())
    for (kind, code, measure), by_month in sorted(acc.items()):
        for period, months in periods:
            cells = [by_month[m] for m in months if m in by_month]
            if not cells:
                continue
            n, x, excluded = (sum(c[i] for c in cells) for i in range(3))
            out.append(_row(kind, code, period, measure, n, x, excluded, settings.min_n))
    out.extend(sipas_indices(facts, out, settings))
    return out


def _row(kind: str, code: str, period: str, measure: str, n: int, x: int, excluded: int, min_n: int) -> dict[str, Any]:
    p = proportion(x, n, excluded=excluded, min_n=min_n)
    return {
        "scope_kind": kind,
        "scope_code": code,
        "period": period,
        "measure": measure,
        "n": n,
        "x": x,
        "value": p.value,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "excluded": excluded,
        "suppressed": p.suppressed,
    }


def sipas_indices(facts: Facts, item_rows: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    """Factor index = mean of its item indices, service index = mean of the factor indices (SIPAS.md §2,
    unofficial). n and x are the pooled answers; the interval is the pooled Wilson interval."""
    items: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in item_rows:
        measure = str(r["measure"])
        if measure.startswith("sipas_item:"):
            items[(str(r["scope_kind"]), str(r["scope_code"]), str(r["period"]))][measure[11:]] = r
    out = []
    for (kind, code, period), found in items.items():
        factors: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item, row in found.items():
            factors[facts.sipas_items.get(item, "?")].append(row)
        factor_rows = [
            _mean(kind, code, period, f"sipas_factor:{f}", rs, settings) for f, rs in sorted(factors.items())
        ]
        out.extend(factor_rows)
        out.append(_mean(kind, code, period, "sipas_service", factor_rows, settings))
    return out


def _mean(
    kind: str, code: str, period: str, measure: str, parts: list[dict[str, Any]], settings: Settings
) -> dict[str, Any]:
    n = sum(int(p["n"]) for p in parts)
    x = sum(int(p["x"]) for p in parts)
    excluded = sum(int(p["excluded"]) for p in parts)
    row = _row(kind, code, period, measure, n, x, excluded, settings.min_n)
    values = [float(p["value"]) for p in parts if p["value"] is not None]
    if row["value"] is not None and len(values) == len(parts):
        row["value"] = sum(values) / len(values)
    else:
        row.update(value=None, ci_low=None, ci_high=None, suppressed=True)
    return row
