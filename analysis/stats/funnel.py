"""Funnel plots for proportions (Spiegelhalter 2005), as NHS-R FunnelPlotR does for `data_type = "PR"`.

Facts followed (FunnelPlotR R/od_adjustment.R, calculate_limits.R, outliers_func.R, funnel_plot.R):
- target T = asin(√(Σx/Σn)), Yᵢ = asin(√(xᵢ/nᵢ)), sᵢ = 1/(2√nᵢ), zᵢ = (Yᵢ − T)/sᵢ;
- z Winsorised at the `trim` and 1 − `trim` quantiles (R's default quantile, type 7);
- φ = mean of the Winsorised z²; τ² = max(0, (kφ − (k − 1)) / (Σw − Σw²/Σw)), w = 1/s², and τ² = 0 when
  kφ < k − 1; FunnelPlotR also draws unadjusted limits when φ ≤ 1, and so do we;
- limits sin²(T ± z_α·√(s² + τ²)) for z_α = 1.959964 and 3.090232, clipped to [0, 1]; where the angle
  leaves [0, π/2] at small n the limit is 0 or 1 (FunnelPlotR truncates that non-monotonic part too);
- a point on a limit is within it.
Members with n = 0 are left out.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from analysis.stats.proportions import with_ratings

K = TypeVar("K", bound=Hashable)

Z95 = 1.959964
Z998 = 3.090232
TRIM = 0.1
POSITIONS = ("within", "above_95", "above_998", "below_95", "below_998")


@dataclass(frozen=True, slots=True)
class Limits:
    lower95: float
    upper95: float
    lower998: float
    upper998: float


@dataclass(frozen=True, slots=True)
class FunnelPoint(Generic[K]):
    key: K
    n: int
    x: int
    rate: float
    z: float  # unadjusted z on the arcsine scale
    limits: Limits
    position: str


@dataclass(frozen=True, slots=True)
class Funnel(Generic[K]):
    target: float
    phi: float
    tau2: float
    adjusted: bool
    points: tuple[FunnelPoint[K], ...]


def quantile7(values: list[float], p: float) -> float:
    """R's default sample quantile (type 7: linear between order statistics)."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def overdispersion(z: list[float], n: list[int], *, trim: float = TRIM) -> tuple[float, float]:
    """(φ, τ²) from the unadjusted z-scores and sizes of k members."""
    k = len(z)
    if k == 0:
        return 0.0, 0.0
    low, high = quantile7(z, trim), quantile7(z, 1.0 - trim)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / k
    if k * phi < k - 1:
        return phi, 0.0
    w = [4.0 * m for m in n]  # 1/s² with s = 1/(2√n)
    sw = sum(w)
    spread = sw - sum(v * v for v in w) / sw
    if spread <= 0:
        return phi, 0.0
    return phi, max(0.0, (k * phi - (k - 1)) / spread)


def limits(n: int, target: float, tau2: float = 0.0) -> Limits:
    """The 95 % and 99.8 % limits at size n around the target proportion."""
    if n <= 0:
        raise ValueError(f"funnel limits need n > 0, got {n}")
    centre = math.asin(math.sqrt(target))
    spread = math.sqrt(1.0 / (4.0 * n) + tau2)

    def at(angle: float) -> float:
        return math.sin(min(max(angle, 0.0), math.pi / 2)) ** 2

    return Limits(
        at(centre - Z95 * spread), at(centre + Z95 * spread), at(centre - Z998 * spread), at(centre + Z998 * spread)
    )


def position(rate: float, lim: Limits) -> str:
    """Where a rate stands against its limits, in words: one of POSITIONS."""
    if rate > lim.upper998:
        return "above_998"
    if rate > lim.upper95:
        return "above_95"
    if rate < lim.lower998:
        return "below_998"
    if rate < lim.lower95:
        return "below_95"
    return "within"


def funnel(
    rows: Iterable[tuple[K, int, int]], *, trim: float = TRIM, adjust: bool = True, target: float | None = None
) -> Funnel[K]:
    """Place each member (key, n, x) of a comparison group on the group's funnel."""
    members = with_ratings(rows)
    total_n = sum(n for _, n, _ in members)
    if target is None:
        target = sum(x for _, _, x in members) / total_n if total_n else 0.0
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must be a proportion, got {target}")
    centre = math.asin(math.sqrt(target))
    z = [(math.asin(math.sqrt(x / n)) - centre) * 2.0 * math.sqrt(n) for _, n, x in members]
    phi, tau2 = overdispersion(z, [n for _, n, _ in members], trim=trim)
    adjusted = adjust and phi > 1.0 and tau2 > 0.0
    used = tau2 if adjusted else 0.0
    points = []
    for (key, n, x), zi in zip(members, z, strict=True):
        lim = limits(n, target, used)
        points.append(FunnelPoint(key, n, x, x / n, zi, lim, position(x / n, lim)))
    return Funnel(target, phi, tau2 if adjusted else 0.0, adjusted, tuple(points))
