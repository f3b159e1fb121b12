"""Laney p′ chart with the "Making Data Count" special-cause rules (ANALYSIS.md §3).

Limits (Laney p′): p̄ = Σx/Σn, zᵢ = (pᵢ − p̄)/σᵢ with σᵢ = √(p̄(1−p̄)/nᵢ); moving ranges |zᵢ − zᵢ₋₁| at or
above 3.267 × their mean are screened out, σ_z = mean of the rest / 1.128; limits p̄ ± 3σ_zσᵢ, near
limits p̄ ± 2σ_zσᵢ, all clipped to [0, 1]. No limits on fewer than `MIN_POINTS` points.

The rules follow NHSRplotthedots v0.2.2 (R/ptd_calculate_point_type.R, R/ptd_spc_standard.R):
- a point is outside when strictly beyond a 3σ limit, "near" when not outside and strictly beyond a
  2σ limit; its side is the sign of pᵢ − p̄, 0 on the centre line (compared exactly, in integers);
- trend: 7 points with 6 strictly rising (or falling) steps; a tie breaks it; every point of such a run
  is labelled; a point in a run is given the direction of the step to its right when the next point
  is in a run too, else of the step to its left (so a tie there reads as falling, as in the package);
- two_of_three: in some window of 3 consecutive points at least 2 are near and all 3 are on the same
  side (none on the line); only the near points of the window are labelled;
- shift: 7 consecutive points on one side; a point on the line breaks it; every point of the run;
- one label per point, in the precedence outside_limits, trend, two_of_three, shift.
Variation comes from the last point's label; assurance compares the target with the last point's
limits (target beyond a limit: consistently met or missed; otherwise hit and miss).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from analysis.stats.proportions import with_ratings

RULESET = ("mdc-pprime", "1")
MIN_POINTS = 12
TARGET = 0.9
RULES = ("outside_limits", "trend", "two_of_three", "shift")
RUN = 7


@dataclass(frozen=True, slots=True)
class SpcPoint:
    period: str
    n: int
    x: int
    value: float
    centre: float | None
    lower: float | None
    upper: float | None
    lower_near: float | None
    upper_near: float | None
    rule: str | None  # one of RULES
    direction: str | None  # "improvement" or "concern"


@dataclass(frozen=True, slots=True)
class SpcResult:
    points: tuple[SpcPoint, ...]
    centre: float | None
    sigma_z: float | None
    enough_history: bool  # False: fewer than MIN_POINTS points, shown without limits or rules
    variation: str | None  # "common_cause", "improvement" or "concern"; None without enough history
    variation_since: str | None  # first period of the run of special-cause points that ends at the last point
    assurance: str | None  # "consistently_met", "consistently_missed", "hit_and_miss"; None without a target
    target: float | None
    ruleset: tuple[str, str] = RULESET


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


def _runs(flags: list[int]) -> list[bool]:
    """Mark every point of each run that ends where `flags` is set (the run and the RUN − 1 points before)."""
    out = [False] * len(flags)
    for i, f in enumerate(flags):
        if f:
            for j in range(max(0, i - RUN + 1), i + 1):
                out[j] = True
    return out


def _trend_ends(steps: list[int]) -> list[int]:
    """+1/−1 at point i when the 6 steps up to i all rise/fall; steps[i] = sign(pᵢ − pᵢ₋₁), steps[0] = 0."""
    ends = [0] * len(steps)
    for i in range(RUN - 1, len(steps)):
        window = steps[i - RUN + 2 : i + 1]
        if all(s == 1 for s in window):
            ends[i] = 1
        elif all(s == -1 for s in window):
            ends[i] = -1
    return ends


def _shift_ends(side: list[int]) -> list[int]:
    return [
        1 if i >= RUN - 1 and side[i] != 0 and all(s == side[i] for s in side[i - RUN + 1 : i]) else 0
        for i in range(len(side))
    ]


def _two_of_three(near: list[bool], side: list[int]) -> list[bool]:
    k = len(near)
    hit = [False] * k
    for start in range(k - 2):
        window = range(start, start + 3)
        if sum(near[i] for i in window) >= 2 and abs(sum(side[i] for i in window)) == 3:
            for i in window:
                hit[i] = hit[i] or near[i]
    return hit


def labels(
    values: list[tuple[int, int]], centre: tuple[int, int], outside: list[int], near: list[bool]
) -> list[tuple[str | None, int]]:
    """(rule, +1 up / −1 down) for each point, from exact counts (x, n), the centre (Σx, Σn), the side of
    each point beyond the 3σ limits (+1/−1/0) and whether it is near (beyond 2σ, not outside)."""
    big_x, big_n = centre
    side = [_sign(x * big_n - big_x * n) for x, n in values]
    steps = [0] + [
        _sign(values[i][0] * values[i - 1][1] - values[i - 1][0] * values[i][1]) for i in range(1, len(values))
    ]
    in_trend = _runs(_trend_ends(steps))
    in_shift = _runs(_shift_ends(side))
    in_two = _two_of_three(near, side)
    out: list[tuple[str | None, int]] = []
    for i in range(len(values)):
        if outside[i]:
            out.append(("outside_limits", 1 if side[i] == 1 else -1))
        elif in_trend[i]:
            step = steps[i + 1] if i + 1 < len(values) and in_trend[i + 1] else steps[i]
            out.append(("trend", 1 if step == 1 else -1))
        elif in_two[i]:
            out.append(("two_of_three", 1 if side[i] > 0 else -1))
        elif in_shift[i]:
            out.append(("shift", 1 if side[i] > 0 else -1))
        else:
            out.append((None, 0))
    return out


def _sigma_z(z: list[float]) -> float:
    ranges = [abs(z[i] - z[i - 1]) for i in range(1, len(z))]
    mean_range = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * mean_range]
    return (sum(kept) / len(kept) if kept else 0.0) / 1.128


def _clip(v: float) -> float:
    return min(max(v, 0.0), 1.0)


def p_chart(
    rows: Iterable[tuple[str, int, int]],
    *,
    target: float | None = TARGET,
    higher_is_better: bool = True,
    min_points: int = MIN_POINTS,
) -> SpcResult:
    """A p′ chart over (period, n, x) rows; periods sort as strings ("2026-09" < "2026-10"); n = 0 is skipped."""
    data = with_ratings(rows)
    data.sort(key=lambda r: r[0])
    if len({p for p, _, _ in data}) != len(data):
        raise ValueError("each period may appear only once")
    if len(data) < max(min_points, 2):
        bare = tuple(SpcPoint(p, n, x, x / n, None, None, None, None, None, None, None) for p, n, x in data)
        return SpcResult(bare, None, None, False, None, None, None, target)
    big_x, big_n = sum(x for _, _, x in data), sum(n for _, n, _ in data)
    p_bar = big_x / big_n
    spread = [math.sqrt(p_bar * (1.0 - p_bar) / n) for _, n, _ in data]
    z = [(x / n - p_bar) / s if s > 0 else 0.0 for (_, n, x), s in zip(data, spread, strict=True)]
    sigma_z = _sigma_z(z)
    bands = [
        (p_bar - 3 * sigma_z * s, p_bar + 3 * sigma_z * s, p_bar - 2 * sigma_z * s, p_bar + 2 * sigma_z * s)
        for s in spread
    ]
    values = [x / n for _, n, x in data]
    outside = [1 if v > hi else -1 if v < lo else 0 for v, (lo, hi, _, _) in zip(values, bands, strict=True)]
    near = [not o and (v > nh or v < nl) for v, o, (_, _, nl, nh) in zip(values, outside, bands, strict=True)]
    good = 1 if higher_is_better else -1
    found = labels([(x, n) for _, n, x in data], (big_x, big_n), outside, near)
    points = []
    for (period, n, x), v, (lo, hi, nl, nh), (rule, way) in zip(data, values, bands, found, strict=True):
        direction = None if rule is None else ("improvement" if way * good > 0 else "concern")
        points.append(SpcPoint(period, n, x, v, p_bar, _clip(lo), _clip(hi), _clip(nl), _clip(nh), rule, direction))
    last = points[-1]
    variation = last.direction or "common_cause"
    since = None
    if last.direction is not None:
        i = len(points) - 1
        while i > 0 and points[i - 1].direction == last.direction:
            i -= 1
        since = points[i].period
    assurance = None
    if target is not None:
        lo, hi = bands[-1][0], bands[-1][1]
        if target > hi:
            assurance = "consistently_missed" if higher_is_better else "consistently_met"
        elif target < lo:
            assurance = "consistently_met" if higher_is_better else "consistently_missed"
        else:
            assurance = "hit_and_miss"
    return SpcResult(tuple(points), p_bar, sigma_z, True, variation, since, assurance, target)
