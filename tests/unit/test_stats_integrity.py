"""Integrity detectors on small hand-made rows: each flag fires on its pattern, not on its near miss."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.integrity import (
    VN_HOURS,
    Columns,
    OpeningHours,
    Row,
    Settings,
    burst,
    detect,
    fast_tap,
    is_open,
    kiosk_qr_gap,
    normalise_comment,
    off_hours,
    repeated_comment,
    staff_entered,
)

ICT = timezone(timedelta(hours=7))
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=ICT)  # a Monday, 09:00 in Vietnam
T0 = int(MONDAY.timestamp() * 1000)


def at(seconds: float) -> int:
    return T0 + int(seconds * 1000)


def test_burst_per_device_and_per_officer() -> None:
    rows = [Row(i, at(10 * i), device="K1", top_box=True) for i in range(5)]  # 5 top ratings in 40 s
    rows += [Row(10, at(200), device="K1", top_box=True)]  # a lone one later
    rows += [Row(20 + i, at(15 * i), device="K2", top_box=True) for i in range(3)]  # only 3 in a minute
    rows += [Row(30 + i, at(5 * i), device="K3", top_box=False) for i in range(6)]  # not top ratings
    flags = burst(rows)
    assert [(f.scope_code, f.count, f.ids) for f in flags] == [("K1", 5, (0, 1, 2, 3, 4))]
    f = flags[0]
    assert (f.first_at, f.last_at, f.device, f.kind, f.scope_kind) == (at(0), at(40), "K1", "burst", "device")
    # The same ratings for one officer make an officer burst too.
    officer_rows = [Row(i, at(10 * i), device=f"K{i}", officer="O1", top_box=True) for i in range(4)]
    assert [(f.scope_kind, f.scope_code, f.officer, f.device) for f in burst(officer_rows)] == [
        ("officer", "O1", "O1", None)
    ]


def test_burst_episodes_chain_and_split() -> None:
    # Every 20 s for 10 ratings: one episode. Then, 5 minutes later, another 4 within 30 s: a second episode.
    rows = [Row(i, at(20 * i), device="K", top_box=True) for i in range(10)]
    rows += [Row(100 + i, at(480 + 10 * i), device="K", top_box=True) for i in range(4)]
    flags = burst(rows)
    assert [(f.count, f.first_at, f.last_at) for f in flags] == [(10, at(0), at(180)), (4, at(480), at(510))]
    # Staff rows never count here.
    assert burst([Row(i, at(i), device="K", top_box=True, source="staff") for i in range(9)]) == []


def test_burst_windows_by_hand() -> None:
    # At least 3 within 10 s. Times 0, 5, 10, 30, 100, 101, 102, 103, 200 s: windows start at 0 s (0–10 holds 3)
    # and at 100 s and 101 s (3 each, overlapping) → episodes {0, 5, 10} and {100 … 103}; 30 s and 200 s stand alone.
    times = [0, 5, 10, 30, 100, 101, 102, 103, 200]
    rows = [Row(i, at(t), device="K", top_box=True) for i, t in enumerate(times)]
    flags = burst(rows, Settings(burst_min=3, burst_window_s=10))
    assert [f.ids for f in flags] == [(0, 1, 2), (4, 5, 6, 7)]
    # Equal times are never split: the tie at 10 s joins the episode (ids in order, whatever the row order).
    rows = [
        Row(9, at(10), device="K", top_box=True),
        Row(3, at(10), device="K", top_box=True),
        Row(1, at(0), device="K"),
    ]
    assert [f.ids for f in burst(rows, Settings(burst_min=2, burst_window_s=5))] == [(3, 9)]


def test_fast_taps() -> None:
    rows = [Row(i, at(60 * i), device="K1", time_to_tap_ms=300 + i) for i in range(5)]
    rows += [Row(9, at(999), device="K1", time_to_tap_ms=4000), Row(8, at(998), device="K1")]
    rows += [Row(20 + i, at(60 * i), device="K2", time_to_tap_ms=500) for i in range(4)]  # 4: below the minimum
    rows += [Row(30, at(0), device="K2", time_to_tap_ms=800)]  # exactly the threshold is not fast
    flags = fast_tap(rows)
    assert [(f.scope_code, f.count) for f in flags] == [("K1", 5)]
    assert "5 of 7 ratings" in flags[0].detail


def local(day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(2026, 11, day, hour, minute, tzinfo=ICT).timestamp() * 1000)


def test_opening_hours_vietnamese_default() -> None:
    # Monday 30/11/2026: open 07:00–11:30 and 13:00–17:00; Saturday 28/11 07:30–11:30; Sunday 29/11 closed.
    assert is_open(local(30, 7, 0), VN_HOURS) and not is_open(local(30, 6, 59), VN_HOURS)
    assert not is_open(local(30, 11, 30), VN_HOURS)  # half-open: closing time is closed
    assert is_open(local(30, 11, 40), VN_HOURS, grace_min=15) and not is_open(local(30, 11, 50), VN_HOURS, 15)
    assert not is_open(local(30, 12, 30), VN_HOURS, 15)
    assert is_open(local(28, 7, 30), VN_HOURS) and not is_open(local(28, 7, 29), VN_HOURS)
    assert not is_open(local(28, 14, 0), VN_HOURS)
    assert not is_open(local(29, 9, 0), VN_HOURS)


def test_off_hours_per_device_with_unit_hours() -> None:
    evening = [Row(i, local(30, 20, i), device="K1", unit="U1") for i in range(3)]
    day = [Row(10 + i, local(30, 9, i), device="K1", unit="U1") for i in range(5)]
    flags = off_hours(evening + day)
    assert [(f.scope_code, f.count, f.ids) for f in flags] == [("K1", 3, (0, 1, 2))]
    # A unit open in the evening (hours as data) is not flagged.
    late = OpeningHours.from_data({"week": {"0": [["07:00", "22:00"]]}, "utc_offset_min": 420})
    assert off_hours(evening + day, hours={"U1": late}) == []


def test_repeated_comments_after_normalising() -> None:
    texts = ["Cán bộ rất nhiệt tình, chu đáo!", "can bo rat nhiet tinh chu dao", "CÁN BỘ  RẤT NHIỆT TÌNH  chu đáo."]
    rows = [Row(i, at(i), device=f"K{i}", comment=t) for i, t in enumerate(texts)]
    rows += [Row(10 + i, at(i), comment="Tốt") for i in range(6)]  # short: repeats innocently
    rows += [Row(20 + i, at(i), comment="Phải chờ quá lâu hôm nay") for i in range(2)]  # only twice
    flags = repeated_comment(rows)
    assert [(f.count, f.ids) for f in flags] == [(3, (0, 1, 2))]
    assert "nhiet" not in flags[0].detail and "3 device(s)" in flags[0].detail
    assert normalise_comment("Đợi  lâu!!") == "doi lau"


def gap_rows(officer: str, kiosk: tuple[int, int], qr: tuple[int, int], start: int) -> list[Row]:
    rows: list[Row] = []
    for channel, (x, n) in (("kiosk", kiosk), ("qr", qr)):
        base = start + len(rows)
        rows += [Row(base + i, at(i), officer=officer, channel=channel, top_box=i < x) for i in range(n)]
    return rows


def test_kiosk_qr_gap() -> None:
    # A: kiosk 95/100 vs QR 60/100: pooled 0.775, se = √(0.775·0.225·0.02) = 0.059055, z = 0.35/0.059055 = 5.93,
    # one-sided p ≈ 1.5e-9 → flagged. B: 80/100 vs 78/100, z = 0.35 → p ≈ 0.36, not. C: 20 per side, not tested.
    # D: 9000/10000 vs 8500/10000 is significant but only 5 points apart (< 10) → not flagged.
    rows = gap_rows("A", (95, 100), (60, 100), 0) + gap_rows("B", (80, 100), (78, 100), 1000)
    rows += gap_rows("C", (20, 20), (5, 20), 2000) + gap_rows("D", (9000, 10000), (8500, 10000), 3000)
    flags = kiosk_qr_gap(rows)
    assert [f.scope_code for f in flags] == ["A"]
    f = flags[0]
    assert f.count == 95 and f.p_value is not None and f.p_value < 1e-8
    # Three officers tested (A, B, D). D's p is smaller still (z = 0.05/√(0.875·0.125·0.0002) = 10.7), so A ranks
    # second: q_A = p_A·3/2.
    assert f.q_value is not None and abs(f.q_value - 1.5 * f.p_value) < 1e-18
    assert "over 3 officers" in f.detail


def test_staff_entered_and_evidence_cap() -> None:
    rows = [Row(i, at(i), officer="O1", source="staff") for i in range(3)] + [Row(9, at(9), source="staff")]
    flags = staff_entered(rows, Settings(max_evidence=2))
    assert [(f.scope_code, f.count, f.ids) for f in flags] == [("-", 1, (9,)), ("O1", 3, (0, 1))]


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        detect([Row(1, at(0)), Row(1, at(0))])


def test_columns_give_the_same_flags_as_rows() -> None:
    rows = [Row(i, at(10 * i), device="K1", officer="O1", top_box=True, time_to_tap_ms=100) for i in range(6)]
    rows += [Row(100, at(0), officer="O2", source="staff")]
    cols = Columns.from_rows(rows)
    assert detect(cols) == detect(rows) and {f.kind for f in detect(cols)} == {"burst", "fast_tap", "staff_entered"}
    # Comments normalised elsewhere are taken as they are.
    texts = ["Chờ lâu quá, hai tiếng rồi", "cho lau qua hai tieng roi", "CHỜ LÂU QUÁ hai tiếng rồi!"]
    with_text = Columns.from_rows(Row(i, at(i), comment=t) for i, t in enumerate(texts))
    keyed = Columns(**{**{f: getattr(with_text, f) for f in Columns.__slots__}, "comment_key": ["k" * 20] * 3})
    assert [f.ids for f in repeated_comment(with_text)] == [f.ids for f in repeated_comment(keyed)] == [(0, 1, 2)]
    bad = Columns([1, 2], [0], [None], [None], [None], [True], [None], [None], ["kiosk"], ["kiosk"])
    with pytest.raises(ValueError, match="same length"):
        detect(bad)
    with pytest.raises(ValueError, match="one type"):
        detect([Row(1, at(0), device="K", top_box=True), Row("a", at(0), device="K", top_box=True)] * 1)


def test_settings_are_stated() -> None:
    s = Settings().as_dict()
    assert s["burst_min"] == 4 and s["fast_tap_ms"] == 800 and s["gap_min_n"] == 30


row = st.builds(
    Row,
    id=st.integers(0, 10**6),
    created_at=st.integers(T0, T0 + 3_600_000),
    device=st.sampled_from(["K1", "K2", None]),
    officer=st.sampled_from(["O1", "O2", None]),
    top_box=st.booleans(),
    time_to_tap_ms=st.none() | st.integers(0, 3000),
    comment=st.sampled_from([None, "chờ lâu quá đi mất thôi", "Cho lau qua di mat thoi!"]),
    source=st.sampled_from(["kiosk", "staff"]),
    channel=st.sampled_from(["kiosk", "qr"]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(row, max_size=60, unique_by=lambda r: r.id), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows: list[Row], rnd: random.Random) -> None:
    s = Settings(burst_min=3, fast_tap_min=2, off_hours_min=1, gap_min_n=3, gap_min_difference=0.0)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert detect(shuffled, s) == detect(rows, s)
