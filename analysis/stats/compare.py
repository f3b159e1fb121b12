"""Period-on-period changes: the two-proportion z-test and Benjamini–Hochberg correction (ANALYSIS.md §3)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

ALPHA = 0.05
ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True, slots=True)
class TwoProportion:
    x1: int
    n1: int
    x2: int
    n2: int
    difference: float  # p1 − p2, 0 when either side has no ratings
    z: float
    p_value: float


@dataclass(frozen=True, slots=True)
class Adjusted:
    q_values: tuple[float, ...]  # BH-adjusted p-values, in the order given
    rejected: tuple[bool, ...]  # q ≤ alpha


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def normal_cdf(z: float) -> float:
    """P(Z ≤ z) for a standard normal Z."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def two_proportion(x1: int, n1: int, x2: int, n2: int, *, alternative: str = "two-sided") -> TwoProportion:
    """Pooled two-proportion z-test of x1/n1 against x2/n2; "greater" tests p1 > p2, "less" p1 < p2.

    With no ratings on a side, or a pooled rate of 0 or 1, there is no evidence: z = 0 and p = 1
    (one-sided: 0.5 for z = 0 would suggest a coin toss; 1 says plainly "nothing to see").
    """
    for x, n in ((x1, n1), (x2, n2)):
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"need 0 <= x <= n, got x={x}, n={n}")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}, got {alternative!r}")
    if n1 == 0 or n2 == 0:
        return TwoProportion(x1, n1, x2, n2, 0.0, 0.0, 1.0)
    diff = x1 / n1 - x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return TwoProportion(x1, n1, x2, n2, diff, 0.0, 1.0)
    z = diff / se
    if alternative == "greater":
        p = normal_sf(z)
    elif alternative == "less":
        p = normal_cdf(z)
    else:
        p = min(1.0, 2.0 * normal_sf(abs(z)))
    return TwoProportion(x1, n1, x2, n2, diff, z, p)


def benjamini_hochberg(p_values: Sequence[float], *, alpha: float = ALPHA) -> Adjusted:
    """BH step-up: q₍ᵢ₎ = min over j ≥ i of m·p₍ⱼ₎/j, capped at 1; rejected where q ≤ alpha."""
    m = len(p_values)
    for p in p_values:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-values must be in [0, 1], got {p}")
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, m * p_values[i] / rank)
        q[i] = running
    return Adjusted(tuple(q), tuple(v <= alpha for v in q))
