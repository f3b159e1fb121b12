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
from analysis.stats.official import TIMELINESS_BANDS, CompositeIndex, IndexSpec, band_for, ratio_766, sipas_indices
from analysis.stats.proportions import Proportion, proportion

RATIO = "_766"  # cells [handled, failing, rated]; written as the ratio_766 and coverage measures
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
    """Timeliness shares by Circular 01 band; Decision 766 cells hold [handled, failing, rated], where a
    dossier fails when it is late or rated not satisfied (each dossier once)."""

    def scopes(r: Row) -> list[tuple[str, str]]:
        return [*units[r["unit"]], ("procedure", r["procedure"]), ("channel", r["channel"])]

    def band(margin: int) -> str:
        return band_for(margin, TIMELINESS_BANDS).code

    codes = [b.code for b in TIMELINESS_BANDS]
    for r in facts.dossiers:
        n, code = r["n"], band(r["margin"])
        for c in codes:
            _add(acc, scopes(r), f"{c}_share", r["m"], n, n if c == code else 0, 0)
        _add(acc, scopes(r), RATIO, r["m"], n, n if code == "late" else 0, 0)
    for r in facts.rated_dossiers:
        failing = r["n"] if r["unsat"] and band(r["margin"]) != "late" else 0
        _add(acc, scopes(r), RATIO, r["m"], 0, failing, r["n"])


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
    sipas: dict[tuple[str, str, str], dict[str, tuple[int, int, int]]] = defaultdict(dict)
    periods = list(facts.periods())
    min_n = settings.min_n
    for (kind, code, measure), by_month in sorted(acc.items()):
        for period, months in periods:
            cells = [by_month[m] for m in months if m in by_month]
            if not cells:
                continue
            n, x, excluded = (sum(c[i] for c in cells) for i in range(3))
            if measure == RATIO:
                ratio = ratio_766(n, x, excluded, min_n=min_n)
                out.append(_row(kind, code, period, "ratio_766", ratio.ratio))
                out.append(_row(kind, code, period, "coverage", ratio.coverage))
            elif measure.startswith("sipas_item:"):
                sipas[(kind, code, period)][measure[11:]] = (n, x, excluded)
            else:
                out.append(_row(kind, code, period, measure, proportion(x, n, excluded=excluded, min_n=min_n)))
    if sipas:
        spec = IndexSpec.from_instrument(facts.instrument)
        for (kind, code, period), items in sipas.items():
            out.extend(_sipas(kind, code, period, items, spec, min_n))
    return out


def _row(kind: str, code: str, period: str, measure: str, p: Proportion | CompositeIndex) -> dict[str, Any]:
    return {
        "scope_kind": kind,
        "scope_code": code,
        "period": period,
        "measure": measure,
        "n": p.n,
        "x": p.x,
        "value": p.value,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "excluded": getattr(p, "excluded", 0),
        "suppressed": p.suppressed,
    }


def _sipas(
    kind: str, code: str, period: str, items: dict[str, tuple[int, int, int]], spec: IndexSpec, min_n: int
) -> list[dict[str, Any]]:
    """Item, factor and service indices (analysis.stats.official): the store counted each item's valid
    answers and those in ``spec.satisfied``, which is all the item index needs."""
    hit, miss = spec.satisfied[0], next(v for v in spec.valid if v not in spec.satisfied)
    counts = {item: {hit: x, miss: n - x} for item, (n, x, _) in items.items()}
    found = sipas_indices(counts, spec, excluded={item: e for item, (_, _, e) in items.items()}, min_n=min_n)
    out = [_row(kind, code, period, f"sipas_item:{item}", p) for item, p in found.items.items() if item in items]
    for factor, index in found.factors.items():
        row = _row(kind, code, period, f"sipas_factor:{factor}", index)
        row["excluded"] = sum(items.get(i, (0, 0, 0))[2] for i in spec.factors[factor])
        out.append(row)
    out.append(_row(kind, code, period, "sipas_service", found.service))
    out[-1]["excluded"] = sum(e for _, _, e in items.values())
    return out
