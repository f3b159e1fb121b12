"""Proportions with Wilson score intervals and the small-number rule (ANALYSIS.md §1)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

Z95 = 1.959964


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Proportion:
    """x of n; value and bounds are None when suppressed (fewer than the minimum n)."""

    n: int
    x: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    excluded: int = 0
    suppressed: bool = False


def _check(x: int, n: int) -> None:
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= x <= n, got x={x}, n={n}")


def with_ratings(rows: Iterable[tuple[K, int, int]]) -> list[tuple[K, int, int]]:
    """The (key, n, x) rows with n > 0, after checking 0 <= x <= n for every row."""
    kept = []
    for key, n, x in rows:
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"need 0 <= x <= n for {key!r}, got x={x}, n={n}")
        if n > 0:
            kept.append((key, n, x))
    return kept


def wilson(x: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval for x successes in n trials; (0, 1) when n = 0."""
    _check(x, n)
    if n == 0:
        return Interval(0.0, 1.0)
    z2 = z * z
    centre = (x + z2 / 2) / (n + z2)
    half = z * math.sqrt(x * (n - x) / n + z2 / 4) / (n + z2)
    low = 0.0 if x == 0 else max(0.0, centre - half)
    high = 1.0 if x == n else min(1.0, centre + half)
    return Interval(low, high)


def proportion(x: int, n: int, *, excluded: int = 0, min_n: int = 10, z: float = Z95) -> Proportion:
    """x/n with its Wilson interval, or suppressed (no value, no bounds) when n < min_n."""
    _check(x, n)
    if n < min_n or n == 0:
        return Proportion(n, x, None, None, None, excluded, True)
    ci = wilson(x, n, z)
    return Proportion(n, x, x / n, ci.low, ci.high, excluded, False)
