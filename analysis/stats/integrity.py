"""Integrity flags over lightweight rating rows (ANALYSIS.md §5). Flags are for review, never for deleting data.

Every detector is linear or n log n in the rows (grouping by dict, one sort per group), and each flag
carries its evidence: rating ids (capped), device, officer, first and last time, count and a detail line.
Staff-entered rows are only counted by `staff_entered`; the other detectors look at citizens' rows.
Times are epoch milliseconds (as the store keeps them) or aware datetimes (naive ones are taken as UTC).
Rating ids must be unique and of one type (all int or all str): ties in time are ordered by id, so the
flags do not depend on the order of the rows.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from analysis.stats.compare import benjamini_hochberg, two_proportion

RatingId = int | str
_THURSDAY = 3 * 1440  # epoch minutes + this = minutes since a Monday 00:00 (1970-01-01 was a Thursday)
DAY_MS = 86_400_000


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


Event = tuple[int, Any, Row]  # (epoch ms, id, row): sorts by time, then id


def events(rows: Iterable[Row]) -> list[Event]:
    """Rows as time-ordered events (ties by id)."""
    out = [(r.created_at if r.created_at.__class__ is int else epoch_ms(r.created_at), r.id, r) for r in rows]  # type: ignore[misc]
    try:
        out.sort(key=itemgetter(1))  # by id, then (stable) by time: ties in time stay in id order
    except TypeError:
        raise ValueError("rating ids must be unique and all of one type (int or str)") from None
    out.sort(key=itemgetter(0))
    if len({e[1] for e in out}) != len(out):
        raise ValueError("rating ids must be unique and all of one type (int or str)")
    return out


@dataclass(slots=True)
class _Collected:
    """Everything the detectors need, gathered in one pass over the time-ordered events."""

    top_by_device: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    top_by_officer: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    per_device: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    timed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fast: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    outside: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    comments: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    gap: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    kiosk_top: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))
    staff: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))


def _run(
    rows: Iterable[Row],
    settings: Settings,
    hours: Mapping[str, OpeningHours] | None,
    builders: Sequence[Callable[[_Collected, Settings], list[Flag]]],
) -> list[Flag]:
    gc_was_on = gc.isenabled()
    gc.disable()  # millions of small tuples: the cyclic collector would rescan them over and over
    try:
        c = _gather(rows, settings, hours or {})
        flags = [f for build in builders for f in build(c, settings)]
    except TypeError:
        raise ValueError("rating ids must be unique and all of one type (int or str)") from None
    finally:
        if gc_was_on:
            gc.enable()
    return sorted(flags, key=lambda f: (f.kind, f.scope_kind, f.scope_code, f.first_at))


def _gather(rows: Iterable[Row], settings: Settings, hours: Mapping[str, OpeningHours]) -> _Collected:
    """One pass in the rows' own order (memory-friendly); only the lists that become flags are sorted later."""
    c = _Collected()
    staff, per_device, top_by_device, timed, fast, outside = (
        c.staff,
        c.per_device,
        c.top_by_device,
        c.timed,
        c.fast,
        c.outside,
    )
    top_by_officer, gap, kiosk_top, comments = c.top_by_officer, c.gap, c.kiosk_top, c.comments
    tables: dict[Any, tuple[int, bytes]] = {}
    folded: dict[str, str] = {}
    fast_ms, min_chars = settings.fast_tap_ms, settings.repeated_min_chars
    ids = set()
    n_rows = 0
    for r in rows:
        n_rows += 1
        t = r.created_at
        e = (t if t.__class__ is int else epoch_ms(t), r.id, r)
        ids.add(r.id)
        if r.source == "staff":
            staff[r.officer if r.officer is not None else "-"].append(e)
            continue
        device, officer, top = r.device, r.officer, r.top_box
        if device is not None:
            per_device[device] += 1
            if top:
                top_by_device[device].append(e)
            tap = r.time_to_tap_ms
            if tap is not None:
                timed[device] += 1
                if tap < fast_ms:
                    fast[device].append(e)
            table = tables.get(r.unit)
            if table is None:
                h = hours.get(str(r.unit), VN_HOURS)
                table = tables[r.unit] = (h.utc_offset_min + _THURSDAY, _week_table(h, settings.off_hours_grace_min))
            if not table[1][(e[0] // 60_000 + table[0]) % 10_080]:
                outside[device].append(e)
        if officer is not None:
            if top:
                top_by_officer[officer].append(e)
            channel = r.channel
            if channel == "kiosk":
                g = gap[officer]
                g[1] += 1
                if top:
                    g[0] += 1
                    kiosk_top[officer].append(e)
            elif channel == "qr":
                g = gap[officer]
                g[3] += 1
                if top:
                    g[2] += 1
        text = r.comment
        if text:
            key = folded.get(text)
            if key is None:
                key = folded[text] = normalise_comment(text)
            if len(key) >= min_chars:
                comments[key].append(e)
    if len(ids) != n_rows:
        raise ValueError("rating ids must be unique and all of one type (int or str)")
    return c


def _flag(
    kind: str, scope_kind: str, code: str, evs: Sequence[Event], detail: str, settings: Settings, **extra: Any
) -> Flag:
    """A flag over events in any order: times and evidence ids are taken in time order (ties by id)."""
    devices = {e[2].device for e in evs}
    officers = {e[2].officer for e in evs}
    when = itemgetter(0, 1)
    return Flag(
        kind,
        scope_kind,
        code,
        min(evs, key=when)[0],
        max(evs, key=when)[0],
        len(evs),
        detail,
        tuple(e[1] for e in heapq.nsmallest(settings.max_evidence, evs, key=when)),
        devices.pop() if len(devices) == 1 else None,
        officers.pop() if len(officers) == 1 else None,
        **extra,
    )


def _episodes(evs: list[Event], window: int, least: int) -> list[list[Event]]:
    """Maximal runs of time-sorted events lying in windows of `window` ms that hold at least `least` events.

    Event i starts such a window when times[i + least − 1] − times[i] ≤ window; the union of those
    windows, split where two neighbours are more than `window` apart, gives the episodes. Events with
    equal times always fall in the same episode, so their order among themselves does not matter.
    """
    times = [e[0] for e in evs]
    span = least - 1
    starts = [i for i, (a, b) in enumerate(zip(times, times[span:], strict=False)) if b - a <= window]
    found: list[list[Event]] = []
    end = -1  # last index already taken
    for i in starts:
        if found and i <= end + 1 and times[i] - times[end] <= window:
            found[-1].extend(evs[end + 1 : i + span + 1])
        else:
            found.append(evs[i : i + span + 1])
        end = i + span
    return found


def _burst(c: _Collected, settings: Settings) -> list[Flag]:
    window = int(settings.burst_window_s * 1000)
    flags = []
    for scope, groups in (("device", c.top_by_device), ("officer", c.top_by_officer)):
        for code, evs in groups.items():
            if len(evs) < settings.burst_min:
                continue
            evs.sort(key=itemgetter(0))
            for episode in _episodes(evs, window, settings.burst_min):
                span = (episode[-1][0] - episode[0][0]) / 1000
                detail = (
                    f"{len(episode)} top ratings in {span:.0f} s "
                    f"(≥ {settings.burst_min} within {settings.burst_window_s:.0f} s)"
                )
                flags.append(_flag("burst", scope, code, episode, detail, settings))
    return flags


def burst(rows: Iterable[Row], settings: Settings = Settings()) -> list[Flag]:
    """Episodes where at least `burst_min` top ratings fall within `burst_window_s`, per device and per officer."""
    return _run(rows, settings, None, [_burst])


def _device_flags(
    kind: str, groups: dict[str, list[Event]], least: int, what: str, totals: dict[str, int], settings: Settings
) -> list[Flag]:
    return [
        _flag(kind, "device", code, evs, f"{len(evs)} of {totals[code]} {what}", settings)
        for code, evs in sorted(groups.items())
        if len(evs) >= least
    ]


def _fast_tap(c: _Collected, settings: Settings) -> list[Flag]:
    what = f"timed ratings tapped in under {settings.fast_tap_ms} ms"
    return _device_flags("fast_tap", c.fast, settings.fast_tap_min, what, c.timed, settings)


def fast_tap(rows: Iterable[Row], settings: Settings = Settings()) -> list[Flag]:
    """Devices with at least `fast_tap_min` ratings tapped sooner than `fast_tap_ms`."""
    return _run(rows, settings, None, [_fast_tap])


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


def _off_hours(c: _Collected, settings: Settings) -> list[Flag]:
    what = "ratings outside opening hours"
    return _device_flags("off_hours", c.outside, settings.off_hours_min, what, c.per_device, settings)


def off_hours(
    rows: Iterable[Row], settings: Settings = Settings(), hours: Mapping[str, OpeningHours] | None = None
) -> list[Flag]:
    """Devices with at least `off_hours_min` ratings outside their unit's opening hours (VN_HOURS by default;
    `hours` maps unit codes to their own), `off_hours_grace_min` after each closing still counting as open."""
    return _run(rows, settings, hours, [_off_hours])


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


def _repeated_comment(c: _Collected, settings: Settings) -> list[Flag]:
    flags = []
    for key, evs in c.comments.items():
        if len(evs) >= settings.repeated_min:
            devices = len({e[2].device for e in evs})
            code = hashlib.sha256(key.encode()).hexdigest()[:10]
            detail = f"the same comment ({len(key)} characters) {len(evs)} times from {devices} device(s)"
            flags.append(_flag("repeated_comment", "comment", code, evs, detail, settings))
    return flags


def repeated_comment(rows: Iterable[Row], settings: Settings = Settings()) -> list[Flag]:
    """Comments identical after normalising, repeated at least `repeated_min` times. The flag names the comment by
    a short hash, not its text (which may hold personal data until redacted); its ratings are the evidence."""
    return _run(rows, settings, None, [_repeated_comment])


def _kiosk_qr_gap(c: _Collected, settings: Settings) -> list[Flag]:
    tested = sorted(o for o, g in c.gap.items() if g[1] >= settings.gap_min_n and g[3] >= settings.gap_min_n)
    tests = [two_proportion(*c.gap[o], alternative="greater") for o in tested]
    adjusted = benjamini_hochberg([t.p_value for t in tests], alpha=settings.gap_alpha)
    flags = []
    for o, t, q, hit in zip(tested, tests, adjusted.q_values, adjusted.rejected, strict=True):
        if hit and t.difference >= settings.gap_min_difference:
            detail = (
                f"kiosk top box {t.x1}/{t.n1} = {t.x1 / t.n1:.1%} vs receipt QR {t.x2}/{t.n2} = {t.x2 / t.n2:.1%}; "
                f"one-sided p = {t.p_value:.2g}, BH q = {q:.2g} over {len(tested)} officers"
            )
            flags.append(
                _flag(
                    "kiosk_qr_gap",
                    "officer",
                    o,
                    c.kiosk_top[o],
                    detail,
                    settings,
                    p_value=t.p_value,
                    q_value=q,
                )
            )
    return flags


def kiosk_qr_gap(rows: Iterable[Row], settings: Settings = Settings()) -> list[Flag]:
    """Officers whose kiosk top-box share is far above their receipt-QR share: one-sided two-proportion test per
    officer with at least `gap_min_n` on each side, Benjamini–Hochberg across the officers tested."""
    return _run(rows, settings, None, [_kiosk_qr_gap])


def _staff_entered(c: _Collected, settings: Settings) -> list[Flag]:
    return [
        _flag("staff_entered", "officer", code, evs, f"{len(evs)} ratings entered by staff", settings)
        for code, evs in c.staff.items()
    ]


def staff_entered(rows: Iterable[Row], settings: Settings = Settings()) -> list[Flag]:
    """Ratings keyed in by staff (source = staff), counted per officer ("-" when none is named)."""
    return _run(rows, settings, None, [_staff_entered])


def detect(
    rows: Iterable[Row], settings: Settings = Settings(), hours: Mapping[str, OpeningHours] | None = None
) -> list[Flag]:
    """Every detector over one pass of the rows; flags sorted by kind, scope and first time."""
    return _run(
        rows, settings, hours, [_burst, _fast_tap, _off_hours, _repeated_comment, _kiosk_qr_gap, _staff_entered]
    )
