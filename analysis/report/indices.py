"""indices.csv: every measure per scope (unit subtree-inclusive, counter, procedure, channel) and period.

Counts are summed first (months into quarters and years, units into the units above them); each figure
is then one proportion x/n with its Wilson interval and the small-number rule (analysis.stats).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from analysis.report.facts import Facts
from analysis.report.settings import Settings
from analysis.stats.official import TIMELINESS_BANDS, CompositeIndex, IndexSpec, band_for, ratio_766, sipas_indices
from analysis.stats.proportions import Proportion, proportion

DOSSIERS = "_dossiers"  # written as ratio_766, coverage and one share per timeliness band
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
Counts = dict[Key, dict[str, list[int]]]  # -> month -> [n, x, excluded] (DOSSIERS: see _dossiers)


def _add(acc: Counts, scopes: Iterable[tuple[str, str]], measure: str, month: str, *values: int) -> None:
    for kind, code in scopes:
        cell = acc[(kind, code, measure)].setdefault(month, [0] * len(values))
        for i, v in enumerate(values):
            cell[i] += v


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
    """One DOSSIERS cell per scope and month: [handled, failing, rated, then one count per Circular 01 band].
    A dossier fails Decision 766 when it is late or rated not satisfied (counted once). Rows are combined
    before they are spread over their scopes."""
    bands = [b.code for b in TIMELINESS_BANDS]
    band_of: dict[int, int] = {}
    combined: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0] * (3 + len(bands)))
    for r in facts.dossiers:
        margin = r["margin"]
        if margin not in band_of:
            band_of[margin] = bands.index(band_for(margin, TIMELINESS_BANDS).code)
        cell = combined[(r["unit"], r["procedure"], r["channel"], r["m"])]
        cell[0] += r["n"]
        cell[3 + band_of[margin]] += r["n"]
        if bands[band_of[margin]] == "late":
            cell[1] += r["n"]
    for r in facts.rated_dossiers:
        cell = combined[(r["unit"], r["procedure"], r["channel"], r["m"])]
        cell[2] += r["n"]
        if r["unsat"] and band_for(r["margin"], TIMELINESS_BANDS).code != "late":
            cell[1] += r["n"]
    for (unit, procedure, channel, month), cell in combined.items():
        _add(acc, [*units[unit], ("procedure", procedure), ("channel", channel)], DOSSIERS, month, *cell)


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


def rows(
    facts: Facts,
    settings: Settings,
    acc: Counts | None = None,
    periods: list[tuple[str, list[str]]] | None = None,
    scopes: set[tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Every measure of every scope and period: by default the months, quarters and years touched
    (``Facts.periods``); the dashboard asks for one period (all its months) and a few scopes."""
    acc = counts(facts) if acc is None else acc
    out: list[dict[str, Any]] = []
    sipas: dict[tuple[str, str, str], dict[str, tuple[int, int, int]]] = defaultdict(dict)
    periods = list(facts.periods()) if periods is None else periods
    min_n = settings.min_n
    for (kind, code, measure), by_month in sorted(acc.items()):
        if scopes is not None and (kind, code) not in scopes:
            continue
        for period, months in periods:
            cells = [by_month[m] for m in months if m in by_month]
            if not cells:
                continue
            total = [sum(c[i] for c in cells) for i in range(len(cells[0]))]
            n, x, excluded = total[:3]
            if measure == DOSSIERS:
                ratio = ratio_766(n, x, excluded, min_n=min_n)
                out.append(_row(kind, code, period, "ratio_766", ratio.ratio))
                out.append(_row(kind, code, period, "coverage", ratio.coverage))
                for band, k in zip(TIMELINESS_BANDS, total[3:], strict=True):
                    out.append(_row(kind, code, period, f"{band.code}_share", proportion(k, n, min_n=min_n)))
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
