"""The fast counter alert rule (ANALYSIS.md §4, the HappyOrNot way): a sliding window over one counter's
ratings. Pure Python: the API process evaluates it as ratings arrive.

At the moment ``t`` of each rating, the window holds the counter's ratings with ``t − width < time ≤ t``;
it *breaches* when it holds at least ``min_n`` ratings and at least ``threshold`` of them are "Không hài
lòng" (the lowest level). A counter has recovered once a full window has passed since its last breach: no
window ending in the last ``width`` reached the threshold (a quiet counter has recovered too).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Point:
    id: int
    at: int  # epoch ms
    unhappy: bool


@dataclass(frozen=True, slots=True)
class Breach:
    at: int  # the end of the window (the time of the rating that completed it)
    n: int
    unhappy: int
    ids: tuple[int, ...]  # the window's "Không hài lòng" ratings


def breached(n: int, unhappy: int, threshold: float, min_n: int) -> bool:
    return n >= min_n and n > 0 and unhappy >= threshold * n


def last_breach(
    points: Sequence[Point], at: Iterable[int], width_ms: int, threshold: float, min_n: int
) -> Breach | None:
    """The latest breaching window among those ending at the instants ``at``. ``points`` are one counter's
    ratings ordered by time, covering at least ``width_ms`` before the earliest instant."""
    times = [p.at for p in points]
    found: Breach | None = None
    for end in sorted(set(at)):
        inside = points[bisect_right(times, end - width_ms) : bisect_right(times, end)]
        bad = [p.id for p in inside if p.unhappy]
        if breached(len(inside), len(bad), threshold, min_n):
            found = Breach(end, len(inside), len(bad), tuple(bad))
    return found


def recovered(last_breach_at: int, now: int, width_ms: int) -> bool:
    """A full window has passed since the last breach (and, since every rating is checked as it arrives,
    none breached meanwhile)."""
    return now - last_breach_at >= width_ms
