"""The fast counter alert rule (ANALYSIS.md §4, the HappyOrNot way): a sliding window over each counter's
ratings, kept as they arrive. Pure Python: the API process evaluates it.

At the moment ``t`` of each rating, the window holds the counter's ratings with ``t − width < time ≤ t``;
it *breaches* when it holds at least ``min_n`` ratings and at least ``threshold`` of them are "Không hài
lòng" (the lowest level). A counter has recovered once a full window has passed since its last breach: no
window ending in the last ``width`` reached the threshold (a quiet counter has recovered too).

:class:`Windows` keeps each counter's recent ratings in sorted lists, so that adding a rating and counting a
window cost a binary search each, however busy the counter (a load test sends thousands a second to one).
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field

EVIDENCE_IDS = 20


@dataclass(frozen=True, slots=True)
class Breach:
    at: int  # the end of the window (the time of the rating that completed it)
    n: int
    unhappy: int
    ids: tuple[int, ...]  # the window's latest "Không hài lòng" ratings (at most EVIDENCE_IDS)


def breached(n: int, unhappy: int, threshold: float, min_n: int) -> bool:
    return n >= min_n and n > 0 and unhappy >= threshold * n


def recovered(last_breach_at: int, now: int, width_ms: int) -> bool:
    """A full window has passed since the last breach (and, since every rating is checked as it arrives,
    none breached meanwhile)."""
    return now - last_breach_at >= width_ms


@dataclass(slots=True)
class CounterWindow:
    times: list[int] = field(default_factory=list)  # every recent rating's time, sorted
    bad: list[tuple[int, int]] = field(default_factory=list)  # (time, id) of the "Không hài lòng" ones, sorted

    def count(self, end: int, width_ms: int) -> tuple[int, int]:
        """Ratings, and "Không hài lòng" ones, in ``(end − width, end]``."""
        n = bisect_right(self.times, end) - bisect_right(self.times, end - width_ms)
        last, first = bisect_right(self.bad, (end, 2**63)), bisect_right(self.bad, (end - width_ms, 2**63))
        return n, last - first

    def unhappy_ids(self, end: int, width_ms: int) -> tuple[int, ...]:
        last, first = bisect_right(self.bad, (end, 2**63)), bisect_right(self.bad, (end - width_ms, 2**63))
        return tuple(i for _, i in self.bad[max(first, last - EVIDENCE_IDS) : last])


class Windows:
    """Every counter's recent ratings. ``add`` each rating once it is stored (a rating added twice counts once),
    ``check`` the window that ends at it, ``trim`` what no window can reach any more."""

    def __init__(self, width_ms: int, threshold: float, min_n: int) -> None:
        self.width, self.threshold, self.min_n = width_ms, threshold, min_n
        self.counters: dict[int, CounterWindow] = {}
        self.seen: dict[int, int] = {}  # rating id → its time, for the ratings held

    def add(self, counter: int, rating_id: int, at: int, unhappy: bool) -> None:
        if rating_id in self.seen:
            return
        self.seen[rating_id] = at
        window = self.counters.setdefault(counter, CounterWindow())
        insort(window.times, at)
        if unhappy:
            insort(window.bad, (at, rating_id))

    def check(self, counter: int, end: int) -> Breach | None:
        """The window of ``counter`` ending at ``end``, if it breaches."""
        window = self.counters.get(counter)
        if window is None:
            return None
        n, k = window.count(end, self.width)
        if not breached(n, k, self.threshold, self.min_n):
            return None
        return Breach(end, n, k, window.unhappy_ids(end, self.width))

    def trim(self, before: int) -> None:
        """Forget the ratings at or before ``before``."""
        for counter, window in list(self.counters.items()):
            cut = bisect_right(window.times, before)
            if cut:
                del window.times[:cut]
                del window.bad[: bisect_right(window.bad, (before, 2**63))]
            if not window.times:
                del self.counters[counter]
        self.seen = {i: at for i, at in self.seen.items() if at > before}
