"""Integrity flags over rating rows (ANALYSIS.md §5). Flags are for review, never for deleting data.

The detectors take `Row` objects or, faster, `Columns` (one list per field, as a store query returns
them transposed). They work column-wise: linear passes and one sort per flagged group, about a
microsecond per rating. Each flag carries its evidence: rating ids (capped, in time order), device,
officer, first and last time, count and a detail line. Staff-entered rows are only counted by
`staff_entered`; the other detectors look at citizens' rows.
Times are epoch milliseconds (as the store keeps them); `Row` also takes aware datetimes (naive = UTC).
Rating ids must be unique and of one type (all int or all str): ties in time are ordered by id, so the
flags do not depend on the order of the rows.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from analysis.stats.compare import benjamini_hochberg, two_proportion

RatingId = int | str
_THURSDAY = 3 * 1440  # epoch minutes + this = minutes since a Monday 00:00 (1970-01-01 was a Thursday)


@dataclass(frozen=True, slots=True)
class Row:
    id: RatingId
    created_at: int | float | datetime
    device: str | None = None
    officer: str | None = None
    unit: str | None = None
    top_box: bool = False  # the best answer: "Rất hài lòng" at the kiosk, 4–5 on the QR attitude item
    time_to_tap_ms: int | None = None
    comment: str | None = None
    source: str = "kiosk"  # "kiosk", "staff" or "integrator"
    channel: str = "kiosk"  # "kiosk" or "qr"


@dataclass(frozen=True, slots=True)
class Settings:
    burst_window_s: float = 60.0  # this many top ratings within this window …
    burst_min: int = 4  # … from one device or for one officer make a burst
    fast_tap_ms: int = 800  # a tap sooner than this after the screen showed is "fast"
    fast_tap_min: int = 5  # fast taps from one device before it is flagged
    off_hours_grace_min: int = 15  # minutes after closing still counted as open (the last citizen)
    off_hours_min: int = 3  # off-hours ratings from one device before it is flagged
    repeated_min: int = 3  # identical comments (normalised) before flagging
    repeated_min_chars: int = 12  # shorter comments ("tốt", "ok") repeat innocently
    gap_min_n: int = 30  # ratings on each side (kiosk and QR) before an officer is tested
    gap_min_difference: float = 0.10  # kiosk top-box share at least this far above the QR share …
    gap_alpha: float = 0.05  # … and BH-adjusted one-sided p at most this, across the officers tested
    max_evidence: int = 50  # rating ids kept per flag

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Open intervals per weekday (0 = Monday) in minutes after local midnight, half-open [start, end)."""

    week: Mapping[int, Sequence[tuple[int, int]]]
    utc_offset_min: int = 420  # Vietnam: UTC+7, no daylight saving

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> OpeningHours:
        """From {"utc_offset_min": 420, "week": {"0": [["07:00", "11:30"], …], …}}."""

        def minutes(text: str) -> int:
            h, m = str(text).split(":")
            return int(h) * 60 + int(m)

        week = {int(d): [(minutes(a), minutes(b)) for a, b in spans] for d, spans in dict(data.get("week", {})).items()}
        for d, spans in week.items():
            if not 0 <= d <= 6 or any(not 0 <= a < b <= 1440 for a, b in spans):
                raise ValueError(f"bad opening hours for weekday {d}: {spans}")
        return cls(week, int(data.get("utc_offset_min", 420)))


_WEEKDAY = ((7 * 60, 11 * 60 + 30), (13 * 60, 17 * 60))
VN_HOURS = OpeningHours(
    {0: _WEEKDAY, 1: _WEEKDAY, 2: _WEEKDAY, 3: _WEEKDAY, 4: _WEEKDAY, 5: ((7 * 60 + 30, 11 * 60 + 30),)}
)


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str  # burst, fast_tap, off_hours, repeated_comment, kiosk_qr_gap, staff_entered
    scope_kind: str  # device, officer, comment
    scope_code: str
    first_at: int  # epoch ms
    last_at: int
    count: int
    detail: str
    ids: tuple[RatingId, ...]  # the first `max_evidence` ratings, in time order
    device: str | None = None
    officer: str | None = None
    p_value: float | None = None
    q_value: float | None = None


def epoch_ms(t: int | float | datetime) -> int:
    if isinstance(t, datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=UTC)
        return int(t.timestamp() * 1000)
    return int(t)


@dataclass(frozen=True, slots=True)
class Columns:
    """The rows as parallel columns, all of the same length (created_at in epoch ms)."""

    id: Sequence[RatingId]
    created_at: Sequence[int]
    device: Sequence[str | None]
    officer: Sequence[str | None]
    unit: Sequence[str | None]
    top_box: Sequence[bool]
    time_to_tap_ms: Sequence[int | None]
    comment: Sequence[str | None]
    source: Sequence[str]
    channel: Sequence[str]
    # The comments already normalised (e.g. by the comment analysis, which folds them anyway), to save
    # `normalise_comment` on every distinct comment, the costliest step here; None: normalise here.
    comment_key: Sequence[str | None] | None = None

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> Columns:
        rows = list(rows)
        return cls(
            [r.id for r in rows],
            [r.created_at if r.created_at.__class__ is int else epoch_ms(r.created_at) for r in rows],
            [r.device for r in rows],
            [r.officer for r in rows],
            [r.unit for r in rows],
            [r.top_box for r in rows],
            [r.time_to_tap_ms for r in rows],
            [r.comment for r in rows],
            [r.source for r in rows],
            [r.channel for r in rows],
        )

    def check(self) -> None:
        n = len(self.id)
        if any(len(getattr(self, f)) != n for f in self.__slots__ if getattr(self, f) is not None):
            raise ValueError("all columns must have the same length")
        if len(set(self.id)) != n:
            raise ValueError("rating ids must be unique")
        if len(set(map(type, self.id))) > 1:
            raise ValueError("rating ids must all be of one type (int or str)")


class _Data:
    """Columns plus the derived lists every detector shares."""

    def __init__(self, rows: Iterable[Row] | Columns) -> None:
        cols = rows if isinstance(rows, Columns) else Columns.from_rows(rows)
        cols.check()
        self.cols = cols
        self.citizen = [i for i, s in enumerate(cols.source) if s != "staff"]

    def when(self, i: int) -> tuple[int, RatingId]:
        return self.cols.created_at[i], self.cols.id[i]

    def flag(
        self, kind: str, scope_kind: str, code: str, idx: Sequence[int], detail: str, settings: Settings, **extra: Any
    ) -> Flag:
        """A flag over rows `idx` in any order: times and evidence ids in time order (ties by id)."""
        c = self.cols
        devices = {c.device[i] for i in idx}
        officers = {c.officer[i] for i in idx}
        try:
            first, last = min(idx, key=self.when), max(idx, key=self.when)
            shown = heapq.nsmallest(settings.max_evidence, idx, key=self.when)
        except TypeError:
            raise ValueError("rating ids must all be of one type (int or str)") from None
        return Flag(
            kind,
            scope_kind,
            code,
            c.created_at[first],
            c.created_at[last],
            len(idx),
            detail,
            tuple(c.id[i] for i in shown),
            devices.pop() if len(devices) == 1 else None,
            officers.pop() if len(officers) == 1 else None,
            **extra,
        )


def _episodes(times: list[int], window: int, least: int) -> list[tuple[int, int]]:
    """(start, end) positions, end exclusive, of the maximal runs of sorted `times` lying in windows of
    `window` ms that hold at least `least` events.

    Position i starts such a window when times[i + least − 1] − times[i] ≤ window; the union of those
    windows, split where two neighbours are more than `window` apart, gives the episodes. Equal times
    always fall in the same episode, so their order among themselves does not matter.
    """
    span = least - 1
    starts = [i for i, (a, b) in enumerate(zip(times, times[span:], strict=False)) if b - a <= window]
    found: list[tuple[int, int]] = []
    for i in starts:
        if found and i <= found[-1][1] and times[i] - times[found[-1][1] - 1] <= window:
            found[-1] = (found[-1][0], i + span + 1)
        else:
            found.append((i, i + span + 1))
    return found


def _burst(d: _Data, settings: Settings) -> list[Flag]:
    c = d.cols
    window = int(settings.burst_window_s * 1000)
    top = [i for i in d.citizen if c.top_box[i]]
    flags = []
    for scope, column in (("device", c.device), ("officer", c.officer)):
        groups: dict[str, list[int]] = defaultdict(list)
        for i in top:
            key = column[i]
            if key is not None:
                groups[str(key)].append(i)
        for code, idx in sorted(groups.items()):
            if len(idx) < settings.burst_min:
                continue
            idx.sort(key=c.created_at.__getitem__)
            for a, b in _episodes([c.created_at[i] for i in idx], window, settings.burst_min):
                episode = idx[a:b]
                span = (c.created_at[idx[b - 1]] - c.created_at[idx[a]]) / 1000
                detail = (
                    f"{len(episode)} top ratings in {span:.0f} s "
                    f"(≥ {settings.burst_min} within {settings.burst_window_s:.0f} s)"
                )
                flags.append(d.flag("burst", scope, code, episode, detail, settings))
    return flags


def _device_flags(d: _Data, kind: str, idx: Iterable[int], least: int, what: str, settings: Settings) -> list[Flag]:
    groups: dict[str, list[int]] = defaultdict(list)
    device = d.cols.device
    for i in idx:
        if device[i] is not None:
            groups[str(device[i])].append(i)
    flagged = {code: g for code, g in groups.items() if len(g) >= least}
    if not flagged:
        return []
    totals = Counter(device[i] for i in d.citizen if device[i] in flagged)
    return [
        d.flag(kind, "device", code, g, f"{len(g)} of {totals[code]} {what}", settings)
        for code, g in sorted(flagged.items())
    ]


def _fast_tap(d: _Data, settings: Settings) -> list[Flag]:
    taps, limit = d.cols.time_to_tap_ms, settings.fast_tap_ms
    fast = [i for i in d.citizen if (t := taps[i]) is not None and t < limit]
    what = f"ratings on this device tapped in under {limit} ms"
    return _device_flags(d, "fast_tap", fast, settings.fast_tap_min, what, settings)


def _week_table(hours: OpeningHours, grace_min: int) -> bytes:
    """10 080 bytes, one per minute of the week from Monday 00:00: 1 where open (with the grace after closing)."""
    week = bytearray(7 * 1440)
    for day in range(7):
        for a, b in hours.week.get(day, ()):
            for m in range(a, min(b + grace_min, 1440)):
                week[day * 1440 + m] = 1
    return bytes(week)


def is_open(at_ms: int, hours: OpeningHours, grace_min: int = 0) -> bool:
    """Whether a moment falls in the opening hours (plus `grace_min` after each closing), in local time."""
    return bool(_week_table(hours, grace_min)[(at_ms // 60_000 + hours.utc_offset_min + _THURSDAY) % 10_080])


def _off_hours(d: _Data, settings: Settings, hours: Mapping[str, OpeningHours] | None) -> list[Flag]:
    c = d.cols
    hours = hours or {}
    tables: dict[Any, tuple[int, bytes]] = {}
    for unit in set(c.unit):
        h = hours.get(str(unit), VN_HOURS)
        tables[unit] = (h.utc_offset_min + _THURSDAY, _week_table(h, settings.off_hours_grace_min))
    times, units = c.created_at, c.unit
    outside = [i for i in d.citizen if not (tab := tables[units[i]])[1][(times[i] // 60_000 + tab[0]) % 10_080]]
    return _device_flags(d, "off_hours", outside, settings.off_hours_min, "ratings outside opening hours", settings)


_NOT_WORD = re.compile(r"[\W_]+")


def _fold_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "d"}
    for cp in range(0xC0, 0x2000):
        c = chr(cp)
        bare = "".join(ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch))
        if bare != c and bare.isascii():
            table[cp] = bare
    return table


_FOLD = _fold_table()


def normalise_comment(text: str) -> str:
    """NFC, lower case, diacritics folded (đ → d), punctuation and spacing collapsed."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFC", text).lower().translate(_FOLD)).strip()


def _repeated_comment(d: _Data, settings: Settings) -> list[Flag]:
    given = d.cols.comment_key
    comments = d.cols.comment if given is None else given
    by_text: dict[str, list[int]] = defaultdict(list)
    for i in d.citizen:
        if text := comments[i]:
            by_text[text].append(i)
    groups: dict[str, list[int]] = defaultdict(list)
    for text, idx in by_text.items():
        key = normalise_comment(text) if given is None else text
        if len(key) >= settings.repeated_min_chars:
            groups[key].extend(idx)
    flags = []
    for key, idx in sorted(groups.items()):
        if len(idx) >= settings.repeated_min:
            devices = len({d.cols.device[i] for i in idx})
            code = hashlib.sha256(key.encode()).hexdigest()[:10]
            detail = f"the same comment ({len(key)} characters) {len(idx)} times from {devices} device(s)"
            flags.append(d.flag("repeated_comment", "comment", code, idx, detail, settings))
    return flags


def _kiosk_qr_gap(d: _Data, settings: Settings) -> list[Flag]:
    c = d.cols
    tally = Counter((c.officer[i], c.channel[i], bool(c.top_box[i])) for i in d.citizen)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # kiosk x, n, qr x, n
    for (officer, channel, top), k in tally.items():
        if officer is not None and channel in ("kiosk", "qr"):
            side = 0 if channel == "kiosk" else 2
            counts[officer][side + 1] += k
            counts[officer][side] += k if top else 0
    tested = sorted(o for o, g in counts.items() if g[1] >= settings.gap_min_n and g[3] >= settings.gap_min_n)
    tests = [two_proportion(*counts[o], alternative="greater") for o in tested]
    adjusted = benjamini_hochberg([t.p_value for t in tests], alpha=settings.gap_alpha)
    hits = {
        o: (t, q)
        for o, t, q, hit in zip(tested, tests, adjusted.q_values, adjusted.rejected, strict=True)
        if hit and t.difference >= settings.gap_min_difference
    }
    evidence: dict[str, list[int]] = defaultdict(list)
    if hits:
        for i in d.citizen:
            if c.officer[i] in hits and c.channel[i] == "kiosk" and c.top_box[i]:
                evidence[str(c.officer[i])].append(i)
    flags = []
    for o, (t, q) in sorted(hits.items()):
        detail = (
            f"kiosk top box {t.x1}/{t.n1} = {t.x1 / t.n1:.1%} vs receipt QR {t.x2}/{t.n2} = {t.x2 / t.n2:.1%}; "
            f"one-sided p = {t.p_value:.2g}, BH q = {q:.2g} over {len(tested)} officers"
        )
        flags.append(d.flag("kiosk_qr_gap", "officer", o, evidence[o], detail, settings, p_value=t.p_value, q_value=q))
    return flags


def _staff_entered(d: _Data, settings: Settings) -> list[Flag]:
    c = d.cols
    groups: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(c.source):
        if s == "staff":
            groups[str(c.officer[i] or "-")].append(i)
    return [
        d.flag("staff_entered", "officer", code, idx, f"{len(idx)} ratings entered by staff", settings)
        for code, idx in sorted(groups.items())
    ]


def _sorted(flags: list[Flag]) -> list[Flag]:
    return sorted(flags, key=lambda f: (f.kind, f.scope_kind, f.scope_code, f.first_at))


def burst(rows: Iterable[Row] | Columns, settings: Settings = Settings()) -> list[Flag]:
    """Episodes where at least `burst_min` top ratings fall within `burst_window_s`, per device and per officer."""
    return _sorted(_burst(_Data(rows), settings))


def fast_tap(rows: Iterable[Row] | Columns, settings: Settings = Settings()) -> list[Flag]:
    """Devices with at least `fast_tap_min` ratings tapped sooner than `fast_tap_ms`."""
    return _sorted(_fast_tap(_Data(rows), settings))


def off_hours(
    rows: Iterable[Row] | Columns, settings: Settings = Settings(), hours: Mapping[str, OpeningHours] | None = None
) -> list[Flag]:
    """Devices with at least `off_hours_min` ratings outside their unit's opening hours (VN_HOURS by default;
    `hours` maps unit codes to their own), `off_hours_grace_min` after each closing still counting as open."""
    return _sorted(_off_hours(_Data(rows), settings, hours))


def repeated_comment(rows: Iterable[Row] | Columns, settings: Settings = Settings()) -> list[Flag]:
    """Comments identical after normalising, repeated at least `repeated_min` times. The flag names the comment by
    a short hash, not its text (which may hold personal data until redacted); its ratings are the evidence."""
    return _sorted(_repeated_comment(_Data(rows), settings))


def kiosk_qr_gap(rows: Iterable[Row] | Columns, settings: Settings = Settings()) -> list[Flag]:
    """Officers whose kiosk top-box share is far above their receipt-QR share: one-sided two-proportion test per
    officer with at least `gap_min_n` on each side, Benjamini–Hochberg across the officers tested."""
    return _sorted(_kiosk_qr_gap(_Data(rows), settings))


def staff_entered(rows: Iterable[Row] | Columns, settings: Settings = Settings()) -> list[Flag]:
    """Ratings keyed in by staff (source = staff), counted per officer ("-" when none is named)."""
    return _sorted(_staff_entered(_Data(rows), settings))


def detect(
    rows: Iterable[Row] | Columns, settings: Settings = Settings(), hours: Mapping[str, OpeningHours] | None = None
) -> list[Flag]:
    """Every detector; flags sorted by kind, scope and first time."""
    d = _Data(rows)
    return _sorted(
        [
            *_burst(d, settings),
            *_fast_tap(d, settings),
            *_off_hours(d, settings, hours),
            *_repeated_comment(d, settings),
            *_kiosk_qr_gap(d, settings),
            *_staff_entered(d, settings),
        ]
    )
