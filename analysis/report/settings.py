"""The analysis settings: every threshold is here, stated in the report and recorded with each run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.stats.spc import RULESET

RULES, RULES_VERSION = RULESET  # NHS "Making Data Count" rules on a Laney p′ chart (NHSRplotthedots 0.2.2)
FLAGS = "hailong-integrity"
FLAGS_VERSION = "1"
# Opening hours by default: Monday to Friday 7:30-11:30 and 13:30-17:00 (weekday 0 = Monday, local minutes).
OPENING_HOURS = tuple((d, o, c) for d in range(5) for o, c in ((450, 690), (810, 1020)))


@dataclass(frozen=True)
class Settings:
    min_n: int = 10  # unit, counter, procedure figures below this are "too few to judge"
    officer_min_n: int = 30  # officer scores below this are suppressed (and one more, secondary)
    target: float = 0.9  # assurance target for satisfaction
    spc_min_points: int = 12  # no control limits on fewer months
    alpha: float = 0.05  # period-on-period changes, after Benjamini-Hochberg
    burst_gap_s: int = 10  # ratings this close at one device form a burst…
    burst_min: int = 5  # …of at least this many, all top marks
    fast_tap_ms: int = 300  # a tap faster than a person reads the screen
    fast_tap_min: int = 5  # a device is flagged with at least this many fast taps…
    fast_tap_share: float = 0.05  # …making at least this share of its taps
    off_hours_grace_min: int = 15  # after closing time, ratings still count as in hours
    off_hours_min: int = 10  # a device is flagged with at least this many ratings out of hours
    repeated_min: int = 5  # the same comment at one device at least this many times…
    repeated_share: float = 0.5  # …making at least this share of all its occurrences…
    repeated_min_chars: int = 20  # …and at least this long ("Rất hài lòng" repeats innocently)
    gap_item: str = "III.1"  # the receipt-QR item compared with the kiosk rating (officer politeness)
    gap_min: float = 0.2  # kiosk share above the receipt-QR share by this much more than the usual gap…
    gap_alpha: float = 0.01  # …and significant at this level after Benjamini-Hochberg
    gap_min_qr: int = 20  # receipt-QR answers needed before an officer is tested
    staff_min: int = 10  # a unit is flagged with at least this many staff-entered ratings…
    staff_share: float = 0.02  # …making at least this share of its ratings
    opening_hours: tuple[tuple[int, int, int], ...] = field(default=OPENING_HOURS)

    def fast_tap_flagged(self, n: int, fast: int) -> bool:
        return fast >= self.fast_tap_min and n > 0 and fast / n >= self.fast_tap_share

    def staff_flagged(self, n: int, staff: int) -> bool:
        return staff >= self.staff_min and n > 0 and staff / n >= self.staff_share

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
