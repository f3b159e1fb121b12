"""p′ chart limits and the MDC special-cause rules, worked by hand (NHSRplotthedots v0.2.2 behaviour)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.spc import RULESET, labels, p_chart


def run(xs: list[int], centre: int, near: set[int] = frozenset(), outside: dict[int, int] | None = None):  # type: ignore[no-untyped-def]
    """Labels for values x/100 around the centre line centre/100; `near`/`outside` as given."""
    out = outside or {}
    return labels(
        [(x, 100) for x in xs],
        (centre, 100),
        [out.get(i, 0) for i in range(len(xs))],
        [i in near for i in range(len(xs))],
    )


def test_trend_of_seven_and_a_tie_breaks_it() -> None:
    # 6 rising steps in 7 points: every point of the run is a rising trend.
    assert run([10, 11, 12, 13, 14, 15, 16], 13) == [("trend", 1)] * 7
    assert run([16, 15, 14, 13, 12, 11, 10], 13) == [("trend", -1)] * 7
    # A tie: 3 rising steps, a flat one, 4 rising: no run of 6.
    assert all(rule is None for rule, _ in run([10, 11, 12, 13, 13, 14, 15, 16, 17], 13))
    # Only 5 rising steps before a fall: no trend.
    assert all(rule is None for rule, _ in run([10, 11, 12, 13, 14, 15, 12], 13))


def test_trend_direction_where_two_trends_meet() -> None:
    # Up 6 steps to the peak (index 6), then down 6: the peak belongs to both and takes the step to its right.
    got = run([10, 11, 12, 13, 14, 15, 16, 15, 14, 13, 12, 11, 10], 13)
    assert [d for _, d in got] == [1] * 6 + [-1] * 7
    # Up to 16, a tie, then down 6 from the second 16: the first 16 ends the rising run, but the next point is in
    # the falling run and the step between them is flat, which NHSRplotthedots reads as falling.
    got = run([10, 11, 12, 13, 14, 15, 16, 16, 15, 14, 13, 12, 11, 10], 13)
    assert [r for r, _ in got] == ["trend"] * 14
    assert [d for _, d in got] == [1] * 6 + [-1] * 8


def test_shift_of_seven_and_a_point_on_the_line_breaks_it() -> None:
    assert run([51, 52, 51, 53, 51, 52, 51], 50) == [("shift", 1)] * 7
    assert run([49, 48, 49, 47, 49, 48, 49], 50) == [("shift", -1)] * 7
    # Six above, one on the centre line, six above: no shift.
    assert all(rule is None for rule, _ in run([51, 52, 51, 53, 51, 52, 50, 51, 52, 51, 53, 51, 52], 50))
    # Six points only: no shift.
    assert all(rule is None for rule, _ in run([51, 52, 51, 53, 51, 52, 48], 50))
    # The run marks all of its points, and only those (index 0 is below the line).
    got = run([48, 51, 52, 51, 53, 51, 52, 51], 50)
    assert got[0] == (None, 0) and got[1:] == [("shift", 1)] * 7


def test_two_of_three_beyond_two_sigma() -> None:
    # Near points at 1 and 3; 1..3 all above: the two near points are labelled, the one between is not.
    got = run([49, 58, 51, 57, 49], 50, near={1, 3})
    assert got == [(None, 0), ("two_of_three", 1), (None, 0), ("two_of_three", 1), (None, 0)]
    # Below the line: 0..2 all below (the point after the pair is above, the one before completes the window).
    got = run([49, 42, 43, 51], 50, near={1, 2})
    assert got == [(None, 0), ("two_of_three", -1), ("two_of_three", -1), (None, 0)]
    # A window with a point on the line or on the other side does not count.
    assert all(r is None for r, _ in run([50, 58, 57, 50], 50, near={1, 2}))
    assert all(r is None for r, _ in run([49, 58, 49, 57, 49], 50, near={1, 3}))
    # A point beyond 3σ is "outside", not "near" (as in the package): it does not make a pair with a near point.
    got = run([49, 70, 58, 51, 49], 50, near={2}, outside={1: 1})
    assert got == [(None, 0), ("outside_limits", 1), (None, 0), (None, 0), (None, 0)]


def test_precedence_outside_trend_two_of_three_shift() -> None:
    # Seven points above the line rising in 6 steps: a trend, not a shift; the last one also outside the limits.
    got = run([51, 52, 53, 54, 55, 56, 80], 50, outside={6: 1})
    assert [r for r, _ in got] == ["trend"] * 6 + ["outside_limits"]
    # A shift of seven where two points are near: those two are two_of_three, the rest shift.
    got = run([51, 52, 51, 58, 57, 52, 51], 50, near={3, 4})
    assert [r for r, _ in got] == ["shift"] * 3 + ["two_of_three"] * 2 + ["shift"] * 2
    # Outside below the line has direction −1.
    assert run([50, 20, 50], 50, outside={1: -1})[1] == ("outside_limits", -1)


def chart_rows(xs: list[int], n: int = 100) -> list[tuple[str, int, int]]:
    return [(f"2025-{i + 1:02d}", n, x) for i, x in enumerate(xs)]


def test_p_chart_limits_outside_and_shift() -> None:
    xs = [80, 82] * 5 + [80, 60]
    # p̄ = (6·80 + 5·82 + 60)/1200 = 950/1200 = 0.791667. With equal n the p′ limits are the XmR limits on p:
    # moving ranges 0.02 (×10) and 0.20; mean 0.4/11 = 0.036364; 0.20 ≥ 3.267·0.036364 = 0.1188 is screened out;
    # mean of the rest 0.02; σ = 0.02/1.128 = 0.017730; 3σ = 0.053191, 2σ = 0.035461.
    # Limits [0.738475, 0.844858], near [0.756206, 0.827128].
    res = p_chart(chart_rows(xs))
    assert res.enough_history and res.ruleset == RULESET == ("mdc-pprime", "1")
    assert res.centre == pytest.approx(0.791667, abs=1e-6)
    p = res.points[0]
    assert (p.lower, p.upper) == (pytest.approx(0.738475, abs=1e-6), pytest.approx(0.844858, abs=1e-6))
    assert (p.lower_near, p.upper_near) == (pytest.approx(0.756206, abs=1e-6), pytest.approx(0.827128, abs=1e-6))
    # Months 1–11 are all above the line (a shift, improvement); month 12 at 0.60 is below the lower limit.
    assert [pt.rule for pt in res.points] == ["shift"] * 11 + ["outside_limits"]
    assert [pt.direction for pt in res.points] == ["improvement"] * 11 + ["concern"]
    assert (res.variation, res.variation_since) == ("concern", "2025-12")
    # Target 90 % is above the upper limit 0.8449: it will be missed every month.
    assert res.assurance == "consistently_missed"
    assert p_chart(chart_rows(xs), target=0.5).assurance == "consistently_met"
    assert p_chart(chart_rows(xs), target=0.8).assurance == "hit_and_miss"
    assert p_chart(chart_rows(xs), target=None).assurance is None
    # Lower is better: the same points read the other way round.
    low = p_chart(chart_rows(xs), higher_is_better=False)
    assert [pt.direction for pt in low.points] == ["concern"] * 11 + ["improvement"]
    assert low.variation == "improvement" and low.assurance == "consistently_met"


def test_laney_scaling_with_unequal_n() -> None:
    # Alternate n = 100 and n = 400, all at p = 0.8 except month 12 at 0.9 with n = 400:
    # Σx = 6·80 + 5·320 + 360 = 2440, Σn = 6·100 + 6·400 = 3000, p̄ = 0.813333, p̄(1 − p̄) = 0.151822.
    # σ₁₀₀ = √(0.151822/100) = 0.038964, σ₄₀₀ = 0.019482.
    # z at p = 0.8: −0.013333/0.038964 = −0.342196 (n = 100), −0.684392 (n = 400);
    # month 12: 0.086667/0.019482 = 4.448545.
    # Moving ranges: 0.342196 ×10, then |4.448545 − (−0.342196)| = 4.790741; mean (3.421960 + 4.790741)/11 = 0.746609;
    # 4.790741 ≥ 3.267·0.746609 = 2.439172 is screened out; σ_z = 0.342196/1.128 = 0.303365.
    # Upper limit for n = 400: 0.813333 + 3·0.303365·0.019482 = 0.813333 + 0.017730 = 0.831064; month 12 is above it.
    rows = [(f"2025-{i + 1:02d}", 100 if i % 2 == 0 else 400, 80 if i % 2 == 0 else 320) for i in range(11)]
    rows.append(("2025-12", 400, 360))
    res = p_chart(rows)
    assert res.sigma_z == pytest.approx(0.303365, abs=1e-5)
    assert res.points[-1].upper == pytest.approx(0.831064, abs=1e-5)
    # n = 100: 0.813333 + 3·0.303365·0.038964 = 0.848795.
    assert res.points[0].upper == pytest.approx(0.848795, abs=1e-5)
    assert res.points[-1].rule == "outside_limits" and res.variation == "improvement"


def test_not_enough_history_and_bad_input() -> None:
    res = p_chart(chart_rows([80] * 11))
    assert not res.enough_history and res.variation is None and res.assurance is None
    assert len(res.points) == 11 and all(p.upper is None and p.rule is None for p in res.points)
    # Months without ratings are left out and do not count toward the 12.
    assert not p_chart([*chart_rows([80] * 11), ("2025-12", 0, 0)]).enough_history
    # Rows come sorted by period whatever their order.
    shuffled = list(reversed(chart_rows([80, 82] * 5 + [80, 60])))
    assert [p.period for p in p_chart(shuffled).points] == sorted(p.period for p in p_chart(shuffled).points)
    assert p_chart(shuffled).points[-1].rule == "outside_limits"
    with pytest.raises(ValueError, match="once"):
        p_chart([("2025-01", 10, 1)] * 12)
    with pytest.raises(ValueError, match="0 <= x <= n"):
        p_chart([("2025-01", 10, 11)])


def test_all_at_one_hundred_percent_has_no_signal() -> None:
    res = p_chart(chart_rows([100] * 12))
    assert res.centre == 1.0 and all(p.rule is None for p in res.points)
    assert all(p.lower == 1.0 and p.upper == 1.0 for p in res.points)


month = st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))


@settings(max_examples=60, deadline=None)
@given(st.lists(month, min_size=12, max_size=36), st.booleans())
def test_limits_are_ordered_and_every_label_has_a_direction(months: list[tuple[int, int]], up: bool) -> None:
    res = p_chart([(f"m{i:03d}", n, x) for i, (n, x) in enumerate(months)], higher_is_better=up)
    for p in res.points:
        assert p.lower is not None and p.upper is not None and p.lower_near is not None and p.upper_near is not None
        assert p.centre is not None
        assert 0.0 <= p.lower <= p.lower_near <= p.centre <= p.upper_near <= p.upper <= 1.0
        assert (p.rule is None) == (p.direction is None)
        if p.rule == "outside_limits":
            assert p.value > p.upper or p.value < p.lower
    assert res.variation == (res.points[-1].direction or "common_cause")
