"""The report layer on hand-made rows: subtree sums, periods, bursts, Decision 766 cells, number formats."""

from __future__ import annotations

from analysis.report import indices
from analysis.report.facts import Facts, Unit
from analysis.report.flags import bursts
from analysis.report.html import figure, pct
from analysis.report.settings import Settings

UNITS = [Unit("P", "Tỉnh", "province", None), Unit("D", "Huyện", "district", "P"), Unit("X", "Xã", "commune", "D")]


def _facts(**rows: object) -> Facts:
    facts = Facts(root="P", units=UNITS, months=["2026-09", "2026-10"], first="2026-09-01", last="2026-10-31")
    for name, value in rows.items():
        setattr(facts, name, value)
    return facts


def _rating(unit: str, m: str, n: int, x: int, source: str = "kiosk") -> dict[str, object]:
    return {"unit": unit, "counter": f"{unit}-Q1", "officer": f"{unit}-CB01", "source": source, "m": m, "n": n, "x": x}


def test_units_include_their_subtree_and_staff_is_excluded_and_counted() -> None:
    facts = _facts(
        ratings=[
            _rating("X", "2026-09", 20, 18),
            _rating("D", "2026-10", 30, 24),
            _rating("X", "2026-10", 5, 5, "staff"),
        ]
    )
    rows = {
        (r["scope_code"], r["period"]): r for r in indices.rows(facts, Settings()) if r["measure"] == "counter_rate"
    }
    assert (rows[("P", "2026")]["n"], rows[("P", "2026")]["x"], rows[("P", "2026")]["excluded"]) == (50, 42, 5)
    assert (rows[("X", "2026-10")]["n"], rows[("X", "2026-10")]["excluded"]) == (0, 5)
    assert rows[("X", "2026-10")]["suppressed"] and rows[("X", "2026-10")]["value"] is None
    assert rows[("D", "2026-Q4")]["n"] == 30 and rows[("D", "2026-Q3")]["n"] == 20
    assert rows[("P", "2026-09")]["value"] == 18 / 20


def test_periods_are_months_quarters_years() -> None:
    facts = _facts(months=["2025-12", "2026-01", "2026-02"])
    assert dict(facts.periods()) == {
        "2025-12": ["2025-12"],
        "2026-01": ["2026-01"],
        "2026-02": ["2026-02"],
        "2025-Q4": ["2025-12"],
        "2026-Q1": ["2026-01", "2026-02"],
        "2025": ["2025-12"],
        "2026": ["2026-01", "2026-02"],
    }


def test_decision_766_counts_each_failing_dossier_once() -> None:
    base = {"unit": "X", "procedure": "TT1", "channel": "direct", "m": "2026-10"}
    facts = _facts(
        dossiers=[{**base, "margin": 1, "n": 80}, {**base, "margin": -3, "n": 20}],
        rated_dossiers=[
            {**base, "margin": 1, "unsat": 1, "n": 5},  # rated not satisfied, on time: fails
            {**base, "margin": -3, "unsat": 1, "n": 4},  # late and not satisfied: already failing
            {**base, "margin": 1, "unsat": 0, "n": 31},
        ],
    )
    rows = {
        r["measure"]: r for r in indices.rows(facts, Settings()) if (r["scope_code"], r["period"]) == ("P", "2026-10")
    }
    assert (rows["ratio_766"]["n"], rows["ratio_766"]["x"]) == (100, 75)  # 100 − 20 late − 5 unsatisfied
    assert (rows["coverage"]["n"], rows["coverage"]["x"]) == (100, 40)
    assert (rows["late_share"]["x"], rows["early_share"]["x"], rows["on_time_share"]["x"]) == (20, 80, 0)


def test_bursts_need_enough_close_top_ratings_at_one_device() -> None:
    def r(i: int, t: int, device: str = "K1", top: bool = True) -> dict[str, object]:
        return {"id": i, "device": device, "created_at": t * 1000, "top": top}

    run = [r(i, 100 + 8 * i) for i in range(5)]  # five top ratings 8 s apart
    gap = [r(10, 1000), r(11, 1011), r(12, 1020), r(13, 1029), r(14, 1038)]  # one gap of 11 s breaks it
    mixed = [r(20 + i, 2000 + 5 * i, top=i != 2) for i in range(6)]  # a middling rating inside
    other = [r(30 + i, 3000 + 3 * i, device="K1" if i < 3 else "K2") for i in range(6)]  # two devices
    found = bursts(run + gap + mixed + other, gap_s=10, min_count=5)
    assert [[x["id"] for x in b] for b in found] == [[0, 1, 2, 3, 4]]


def test_percentages_use_decimal_commas_in_vietnamese() -> None:
    assert pct(0.923, "vi") == "92,3 %" and pct(0.923, "en") == "92.3 %"
    row = {"value": 0.9, "ci_low": 0.85, "ci_high": 0.94, "n": 1234, "suppressed": False}
    assert "90,0 %" in figure(row, "vi") and "n = 1.234" in figure(row, "vi") and "n = 1,234" in figure(row, "en")
    assert "quá ít" in figure({"value": None, "n": 7, "suppressed": True}, "vi")
