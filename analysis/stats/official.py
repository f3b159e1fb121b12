"""Vietnamese official-style figures, all labelled unofficial (ANALYSIS.md §7, SIPAS.md §1c and §2).

- Decision 766/QĐ-TTg ratio (handled − dissatisfied-or-complained-or-late)/handled, beside the coverage
  rated/handled: an unrated dossier counts as satisfied in the ratio, so it is never shown alone.
- Circular 01/2018/TT-VPCP indicator 1 (early / on time / late, 2 / 1 / 0 points) by half-open bands given
  as data, and indicator 8 (all feedback handled on time → 2, ≥ 90 % → 1, else 0).
- SIPAS-style item, factor and service indices; the aggregation rule and weights are data shaped like the
  instrument JSON (its "items" list, plus an optional "index" object, see `IndexSpec.from_instrument`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from analysis.stats.proportions import Proportion, proportion

UNOFFICIAL = "unofficial"
MIN_N = 10


# ---- bands ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """[low, high) with None for an open end; `points` for scored classes."""

    code: str
    low: float | None
    high: float | None
    points: int = 0

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


def bands_from_data(rows: Iterable[Mapping[str, Any]]) -> tuple[Band, ...]:
    """Bands from data rows {"code", "low", "high", "points"}; they must tile the line with no gap or overlap."""
    bands = tuple(Band(str(r["code"]), _num(r.get("low")), _num(r.get("high")), int(r.get("points", 0))) for r in rows)
    check_bands(bands)
    return bands


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def check_bands(bands: Sequence[Band]) -> None:
    """Refuse bands that leave a gap, overlap or do not reach both ends (the gap at 15 seen in provincial code)."""
    if not bands:
        raise ValueError("need at least one band")
    ordered = sorted(bands, key=lambda b: float("-inf") if b.low is None else b.low)
    if ordered[0].low is not None or ordered[-1].high is not None:
        raise ValueError("bands must reach from −∞ to +∞ (leave the outer ends open)")
    for a, b in itertools.pairwise(ordered):
        if a.high is None or b.low is None or a.high != b.low:
            raise ValueError(f"bands {a.code!r} and {b.code!r} must meet exactly (half-open [low, high))")


def band_for(value: float, bands: Sequence[Band]) -> Band:
    """The band holding value."""
    for b in bands:
        if b.holds(value):
            return b
    raise ValueError(f"no band holds {value}")


# Indicator 1: margin = due date − finish date in whole local calendar days (≥ 1 early, 0 on the day, < 0 late).
TIMELINESS_BANDS = (
    Band("early", 1.0, None, 2),
    Band("on_time", 0.0, 1.0, 1),
    Band("late", None, 0.0, 0),
)
# Decision 766 bands on the 0–100 score (SIPAS.md §2).
BANDS_766 = (
    Band("xuat_sac", 90.0, None),
    Band("tot", 80.0, 90.0),
    Band("kha", 70.0, 80.0),
    Band("trung_binh", 50.0, 70.0),
    Band("yeu", None, 50.0),
)


# ---- Decision 766 --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ratio766:
    ratio: Proportion  # x = handled − failing, n = handled
    coverage: Proportion  # x = rated, n = handled
    label: str = UNOFFICIAL


def ratio_766(handled: int, failing: int, rated: int, *, min_n: int = MIN_N) -> Ratio766:
    """`failing` counts each handled dossier once if rated "Không hài lòng", complained about, or late."""
    if not 0 <= failing <= handled or not 0 <= rated <= handled:
        raise ValueError(
            f"need 0 <= failing, rated <= handled; got handled={handled}, failing={failing}, rated={rated}"
        )
    return Ratio766(proportion(handled - failing, handled, min_n=min_n), proportion(rated, handled, min_n=min_n))


# ---- Circular 01 ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timeliness:
    counts: dict[str, int]  # per band code
    shares: dict[str, Proportion]  # per band code, n = all dossiers classified
    points: int  # sum of the dossiers' points
    mean_points: float | None
    label: str = UNOFFICIAL


def timeliness(margins: Iterable[float], bands: Sequence[Band] = TIMELINESS_BANDS, *, min_n: int = MIN_N) -> Timeliness:
    """Indicator 1 over dossiers' margins (see TIMELINESS_BANDS for the default unit)."""
    check_bands(bands)
    counts = dict.fromkeys((b.code for b in bands), 0)
    for m in margins:
        counts[band_for(m, bands).code] += 1
    return timeliness_of_counts(counts, bands, min_n=min_n)


def timeliness_of_counts(
    counts: Mapping[str, int], bands: Sequence[Band] = TIMELINESS_BANDS, *, min_n: int = MIN_N
) -> Timeliness:
    """Indicator 1 from the number of dossiers in each band (what the store's GROUP BY gives)."""
    known = {b.code: b for b in bands}
    if set(counts) - set(known) or any(c < 0 for c in counts.values()):
        raise ValueError(f"counts must be non-negative and per band {sorted(known)}, got {dict(counts)}")
    full = {code: int(counts.get(code, 0)) for code in known}
    total = sum(full.values())
    points = sum(known[code].points * c for code, c in full.items())
    shares = {code: proportion(c, total, min_n=min_n) for code, c in full.items()}
    return Timeliness(full, shares, points, points / total if total else None)


def indicator_8(on_time: int, total: int) -> int | None:
    """Feedback handled: all on time → 2, at least 90 % → 1, else 0; None when there was none to handle."""
    if not 0 <= on_time <= total:
        raise ValueError(f"need 0 <= on_time <= total, got {on_time}, {total}")
    if total == 0:
        return None
    if on_time == total:
        return 2
    return 1 if 10 * on_time >= 9 * total else 0


@dataclass(frozen=True, slots=True)
class FeedbackHandling:
    """Indicator 8 over follow-up cases: a case is *due* once handled (answered or dismissed) or once its
    deadline has passed; it was handled on time when handled on or before its deadline (a local date).
    Cases still open and not yet due are pending and not scored."""

    on_time: int
    late: int  # handled after the deadline, or still open past it
    pending: int
    points: int | None  # indicator_8(on_time, on_time + late)
    label: str = UNOFFICIAL

    @property
    def due(self) -> int:
        return self.on_time + self.late


def feedback_handling(cases: Iterable[tuple[date, date | None]], as_of: date) -> FeedbackHandling:
    """``cases``: (deadline, the day it was handled or None); ``as_of``: the day the figure is taken."""
    on_time = late = pending = 0
    for deadline, handled in cases:
        if handled is not None and handled <= as_of:
            if handled <= deadline:
                on_time += 1
            else:
                late += 1
        elif deadline < as_of:
            late += 1
        else:
            pending += 1
    return FeedbackHandling(on_time, late, pending, indicator_8(on_time, on_time + late))


# ---- SIPAS-style indices -------------------------------------------------------------------------------


def choice_share(
    counts: Mapping[int, int], hits: Collection[int], valid: Collection[int], *, excluded: int = 0, min_n: int = MIN_N
) -> Proportion:
    """Share of answers in `hits` among `valid` answers; answers outside `valid` join the excluded count."""
    n = sum(c for v, c in counts.items() if v in valid)
    x = sum(c for v, c in counts.items() if v in valid and v in hits)
    extra = sum(c for v, c in counts.items() if v not in valid)
    return proportion(x, n, excluded=excluded + extra, min_n=min_n)


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """How SIPAS-style indices are aggregated: data, versioned with the instrument."""

    factors: dict[str, tuple[str, ...]]  # factor (section) code → its scale items, in order
    satisfied: tuple[int, ...] = (4, 5)
    valid: tuple[int, ...] = (1, 2, 3, 4, 5)
    item_weights: dict[str, float] = field(default_factory=dict)  # missing → 1
    factor_weights: dict[str, float] = field(default_factory=dict)  # missing → 1
    version: str = ""

    @classmethod
    def from_instrument(cls, instrument: Mapping[str, Any]) -> IndexSpec:
        """From an instrument dict: "scale" items grouped by "section", and an optional
        "index": {"satisfied": [4, 5], "item_weights": {...}, "factor_weights": {...}, "version": "..."}
        (SIPAS.md §2: plain means unless the data say otherwise)."""
        factors: dict[str, list[str]] = {}
        for item in instrument.get("items", []):
            if item.get("kind") == "scale":
                factors.setdefault(str(item["section"]), []).append(str(item["code"]))
        if not factors:
            raise ValueError("the instrument has no scale items to index")
        idx = instrument.get("index") or {}
        scale = [int(s["value"]) for s in instrument.get("scale", [])] or [1, 2, 3, 4, 5]
        spec = cls(
            {k: tuple(v) for k, v in factors.items()},
            tuple(int(v) for v in idx.get("satisfied", (4, 5))),
            tuple(scale),
            {str(k): float(v) for k, v in idx.get("item_weights", {}).items()},
            {str(k): float(v) for k, v in idx.get("factor_weights", {}).items()},
            str(idx.get("version", instrument.get("version", ""))),
        )
        for w in (*spec.item_weights.values(), *spec.factor_weights.values()):
            if w < 0:
                raise ValueError(f"index weights must not be negative, got {w}")
        return spec


@dataclass(frozen=True, slots=True)
class CompositeIndex:
    """A weighted mean of component indices. Its interval is the same mean of their Wilson bounds: conservative,
    at least as wide as a normal-approximation interval whatever the correlation between items that the
    same people answered (the sd of a weighted mean is at most the weighted mean of the sds)."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int  # valid answers over the components used
    x: int  # satisfied answers over the components used
    used: tuple[str, ...]
    missing: tuple[str, ...]  # components too small to show
    suppressed: bool


@dataclass(frozen=True, slots=True)
class SipasIndices:
    items: dict[str, Proportion]
    factors: dict[str, CompositeIndex]
    service: CompositeIndex
    version: str
    label: str = "SIPAS-style (unofficial)"


def _composite(
    parts: Mapping[str, tuple[float | None, float | None, float | None, int, int]],
    weights: Mapping[str, float],
    *,
    need_all: bool,
) -> CompositeIndex:
    used = tuple(k for k, p in parts.items() if p[0] is not None)
    missing = tuple(k for k in parts if k not in used)
    total_w = sum(weights.get(k, 1.0) for k in used)
    if not used or total_w <= 0 or (need_all and missing):
        return CompositeIndex(None, None, None, 0, 0, used, missing, True)

    def mean(i: int) -> float:
        return sum(weights.get(k, 1.0) * float(parts[k][i] or 0.0) for k in used) / total_w

    n = sum(parts[k][3] for k in used)
    x = sum(parts[k][4] for k in used)
    return CompositeIndex(mean(0), mean(1), mean(2), n, x, used, missing, False)


def sipas_indices(
    item_counts: Mapping[str, Mapping[int, int]],
    spec: IndexSpec,
    *,
    excluded: Mapping[str, int] | None = None,
    min_n: int = MIN_N,
) -> SipasIndices:
    """Item index = share of 4–5 among valid answers (blank/not applicable excluded and counted); factor
    index = weighted mean of its items shown (suppressed when none is); service index = weighted mean of
    the factor indices, suppressed unless every factor is shown."""
    excluded = excluded or {}
    items: dict[str, Proportion] = {}
    factors: dict[str, CompositeIndex] = {}
    for factor, codes in spec.factors.items():
        for code in codes:
            counts = item_counts.get(code, {})
            items[code] = choice_share(counts, spec.satisfied, spec.valid, excluded=excluded.get(code, 0), min_n=min_n)
        parts = {c: (items[c].value, items[c].ci_low, items[c].ci_high, items[c].n, items[c].x) for c in codes}
        factors[factor] = _composite(parts, spec.item_weights, need_all=False)
    fparts = {f: (c.value, c.ci_low, c.ci_high, c.n, c.x) for f, c in factors.items()}
    service = _composite(fparts, spec.factor_weights, need_all=True)
    return SipasIndices(items, factors, service, spec.version)
