"""The follow-up rules as pure functions: the counter window, working-day deadlines, indicator 8."""

from __future__ import annotations

from datetime import date, timedelta

import holidays

from analysis.stats.official import feedback_handling
from analysis.stats.window import Windows, recovered
from api.followup.calendar import add_working_days, is_working_day

MIN = 60_000


def test_the_window_breaches_at_half_unsatisfied_with_four_ratings_and_recovers_after_a_full_window() -> None:
    w = Windows(15 * MIN, 0.5, 4)
    for rating_id, at, unhappy in ((1, 0, True), (2, 1 * MIN, False), (3, 2 * MIN, True)):
        w.add(7, rating_id, at, unhappy)
        assert w.check(7, at) is None  # at most 2 of 3: too few ratings
    w.add(7, 4, 3 * MIN, False)
    w.add(7, 4, 3 * MIN, False)  # the same rating read twice counts once
    found = w.check(7, 3 * MIN)
    assert found is not None and (found.n, found.unhappy, found.ids) == (4, 2, (1, 3))
    assert w.check(8, 3 * MIN) is None  # another counter
    w.add(7, 5, 16 * MIN, False)  # rating 1 has left the window: 1 of 4
    assert w.check(7, 16 * MIN) is None
    assert w.check(7, 15 * MIN - 1) is not None  # the window ending just before still held it
    w.trim(2 * MIN)
    assert w.counters[7].times == [3 * MIN, 16 * MIN] and set(w.seen) == {4, 5}
    assert not recovered(3 * MIN, 18 * MIN - 1, 15 * MIN) and recovered(3 * MIN, 18 * MIN, 15 * MIN)


def test_a_busy_counter_costs_a_binary_search_per_rating() -> None:
    """A load test sends thousands of ratings a second to one counter: the window never re-reads them."""
    w = Windows(15 * MIN, 0.5, 4)
    for i in range(200_000):
        w.add(1, i, i * 5, i % 10 == 0)
    n, k = w.counters[1].count(199_999 * 5, 15 * MIN)
    assert (n, k) == (180_000, 18_000) and w.check(1, 199_999 * 5) is None


def test_deadlines_skip_weekends_and_tet() -> None:
    off = holidays.country_holidays("VN", years=2027)
    assert date(2027, 2, 5) in off and not is_working_day(date(2027, 2, 5))  # Tết eve 2027
    assert add_working_days(date(2027, 1, 29), 0) == date(2027, 1, 29)
    # Friday 29 January 2027: Mon–Wed 1–3 Feb count, Thu 4 to Wed 10 Feb are Tết, then from Thu 11 Feb
    assert add_working_days(date(2027, 1, 29), 3) == date(2027, 2, 3)
    assert add_working_days(date(2027, 1, 29), 4) == date(2027, 2, 11)
    day, n = date(2027, 1, 29), 0
    while n < 15:
        day += timedelta(days=1)
        n += day.weekday() < 5 and day not in off
    assert add_working_days(date(2027, 1, 29), 15) == day


def test_indicator_8_by_hand() -> None:
    """Ten cases due by 31 March, taken on 31 March: 9 handled by their deadline, one answered two days late,
    two more not yet due (pending). 9 of 10 = 90 % → 1 point; one fewer late → all on time → 2 points."""
    d = date(2027, 3, 10)
    handled_on_time = [(d, d - timedelta(days=k)) for k in range(9)]
    late = [(d, d + timedelta(days=2))]
    pending = [(date(2027, 4, 5), None), (date(2027, 4, 6), None)]
    found = feedback_handling(handled_on_time + late + pending, date(2027, 3, 31))
    assert (found.on_time, found.late, found.pending, found.due, found.points) == (9, 1, 2, 10, 1)
    assert feedback_handling(handled_on_time + pending, date(2027, 3, 31)).points == 2
    # still open past its deadline counts as late: 9 of 11 < 90 % → 0
    overdue = [(date(2027, 3, 20), None)]
    assert feedback_handling(handled_on_time + late + overdue, date(2027, 3, 31)).points == 0
    # handled after the day the figure is taken: not handled yet then
    assert feedback_handling([(d, date(2027, 4, 2))], date(2027, 3, 31)).late == 1
    assert feedback_handling([], date(2027, 3, 31)).points is None


def test_a_theme_that_jumps_beyond_its_own_limits_in_the_last_month_is_a_spike() -> None:
    from analysis.report.spikes import theme_spikes

    months = [f"2026-{m:02d}" for m in range(1, 13)] + ["2027-01", "2027-02"]
    comments = []
    for i, month in enumerate(months):
        waiting = 40 if month == months[-1] else 9 + i % 3  # about a fifth of 50, then four fifths
        for k in range(50):
            themes = "waiting" if k < waiting else "attitude"
            comments.append({"unit_code": "HB.LS", "period": month, "dissatisfied": 1, "themes": themes})
        comments.append({"unit_code": "HB.LS", "period": month, "dissatisfied": 0, "themes": "waiting"})
    top = {"HB.LS": "HB.LS"}
    found = theme_spikes(comments, months, "HB", top, 12)
    assert {(s["theme"], s["scope_code"]) for s in found} == {("waiting", "HB"), ("waiting", "HB.LS")}
    spike = found[0]
    assert (spike["n"], spike["x"], spike["period"]) == (50, 40, "2027-02") and spike["share"] > spike["upper"]
    assert theme_spikes(comments, months[:-1], "HB", top, 12) == []  # without the last month: no spike
    assert theme_spikes(comments, months, "HB", top, 15) == []  # too little history for limits
