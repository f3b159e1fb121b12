"""Primary and secondary suppression of small figures (ANALYSIS.md §1, NHS England FFT style).

Primary: a member with fewer than `min_n` ratings is not shown. Secondary: when the group total is shown
and exactly one member with ratings is hidden, its figure would be the total minus the shown members, so
the next-smallest member is hidden too. A hidden member with n = 0 hides nothing and does not count as the
second. When no member is left to hide beside it (a group of one), `hide_total` says the total gives it away.

Not covered: groups that overlap (an officer in a unit and in a procedure), and the case where the hidden
members' combined rate is 0 % or 100 %, which the total then reveals for each of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
G = TypeVar("G", bound=Hashable)

MIN_N = 30


@dataclass(frozen=True, slots=True)
class Suppression(Generic[K]):
    primary: frozenset[K]
    secondary: frozenset[K]
    hide_total: bool

    @property
    def suppressed(self) -> frozenset[K]:
        return self.primary | self.secondary


def suppression(rows: Iterable[tuple[K, int, int]], *, min_n: int = MIN_N, total_shown: bool = True) -> Suppression[K]:
    """Which members of one group (key, n, x) to hide, and why."""
    members: dict[K, int] = {}
    for key, n, x in rows:
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"need 0 <= x <= n for {key!r}, got x={x}, n={n}")
        if key in members:
            raise ValueError(f"member {key!r} appears twice in one group")
        members[key] = n
    primary = frozenset(k for k, n in members.items() if n < min_n)
    hiding = [k for k in primary if members[k] > 0]
    if not total_shown or len(hiding) != 1:
        return Suppression(primary, frozenset(), False)
    others = sorted((n, str(k), k) for k, n in members.items() if k not in primary and n > 0)
    if not others:
        return Suppression(primary, frozenset(), True)
    return Suppression(primary, frozenset([others[0][2]]), False)


def suppress(rows: Iterable[tuple[K, int, int]], *, min_n: int = MIN_N, total_shown: bool = True) -> frozenset[K]:
    """The keys of one group's members (key, n, x) that must not be shown."""
    return suppression(rows, min_n=min_n, total_shown=total_shown).suppressed


def suppress_groups(
    groups: Mapping[G, Iterable[tuple[K, int, int]]], *, min_n: int = MIN_N, total_shown: bool = True
) -> dict[G, Suppression[K]]:
    """`suppression` for each of several disjoint groups (e.g. the officers of each unit)."""
    return {g: suppression(rows, min_n=min_n, total_shown=total_shown) for g, rows in groups.items()}
