"""Funnel limits for proportions with and without overdispersion, worked by hand (FunnelPlotR's rules)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.funnel import Limits, funnel, limits, position, quantile7


def test_limits_without_overdispersion() -> None:
    rows = [("a", 50, 45), ("b", 100, 90), ("c", 200, 180), ("d", 100, 88), ("e", 50, 46)]
    # Target 449/500 = 0.898, T = asin(√0.898) = 1.245727. z for a: (asin(√0.9) − T)·2√50 = 0.003319·14.1421
    # = 0.0469; d: (asin(√0.88) − T)·20 = −0.5734; e: 0.5418; b 0.0664; c 0.0939. φ ≈ 0.0505, kφ = 0.25 < k − 1 = 4,
    # so τ² = 0 and the limits are plain: at n = 100, s = 0.05:
    # sin²(T ∓ 1.959964·0.05) = sin²(1.147729), sin²(1.343726) = 0.831441, 0.949319;
    # sin²(T ∓ 3.090232·0.05) = 0.787103, 0.971191.
    f = funnel(rows)
    assert f.target == pytest.approx(0.898)
    assert f.phi == pytest.approx(0.0505, abs=1e-3)
    assert (f.tau2, f.adjusted) == (0.0, False)
    b = next(p for p in f.points if p.key == "b")
    assert b.z == pytest.approx(0.0664, abs=1e-4)
    lim = b.limits
    assert (lim.lower95, lim.upper95) == (pytest.approx(0.831441, abs=1e-6), pytest.approx(0.949319, abs=1e-6))
    assert (lim.lower998, lim.upper998) == (pytest.approx(0.787103, abs=1e-6), pytest.approx(0.971191, abs=1e-6))
    # At n = 50, s = 0.070711: 95 % limits 0.799990 and 0.965627.
    a = next(p for p in f.points if p.key == "a")
    assert a.limits.lower95 == pytest.approx(0.799990, abs=1e-6)
    assert a.limits.upper95 == pytest.approx(0.965627, abs=1e-6)
    assert {p.position for p in f.points} == {"within"}


def test_limits_with_overdispersion() -> None:
    rows = [("a", 100, 95), ("b", 100, 60), ("c", 100, 90), ("d", 100, 85), ("e", 100, 75), ("f", 400, 360)]
    # Target 765/900 = 0.85, T = asin(√0.85) = 1.173097. z (×20 for n = 100, ×40 for n = 400):
    # a 3.4437, b −5.7404, c 1.5190, d 0, e −2.5180, f 3.0380.
    # Winsorising at 10 %: sorted z, type-7 quantiles at h = 0.5 and 4.5:
    # low = −5.7404 + 0.5·3.2224 = −4.1292, high = 3.0380 + 0.5·0.4057 = 3.2408.
    # φ = (4.1292² + 2.5180² + 0 + 1.5190² + 3.0380² + 3.2408²)/6 = (17.050 + 6.340 + 2.307 + 9.229 + 10.503)/6 = 7.572.
    # w = 4n: Σw = 3600, Σw² = 5·400² + 1600² = 3 360 000, Σw − Σw²/Σw = 2666.67.
    # τ² = (6·7.572 − 5)/2666.67 = 40.43/2666.67 = 0.015161.
    f = funnel(rows)
    assert f.phi == pytest.approx(7.572, abs=2e-3)
    assert f.tau2 == pytest.approx(0.015161, abs=2e-6)
    assert f.adjusted
    # At n = 100: √(0.0025 + 0.015161) = 0.132895; sin²(T − 1.959964·0.132895) = 0.625860, sin²(T + …) = 0.981286;
    # sin²(T − 3.090232·0.132895) = 0.477029; T + 3.090232·0.132895 > π/2, so the upper 99.8 % limit is 1.
    lim = next(p for p in f.points if p.key == "b").limits
    assert (lim.lower95, lim.upper95) == (pytest.approx(0.625860, abs=2e-6), pytest.approx(0.981286, abs=2e-6))
    assert (lim.lower998, lim.upper998) == (pytest.approx(0.477029, abs=2e-6), 1.0)
    positions = {p.key: p.position for p in f.points}
    assert positions == {"a": "within", "b": "below_95", "c": "within", "d": "within", "e": "within", "f": "within"}
    # Without the adjustment b (60 %) is far below the plain 99.8 % lower limit, and a (95 %) is above the plain
    # 99.8 % upper limit sin²(T + 3.090232·0.05) = sin²(1.327609) = 0.942016.
    plain = funnel(rows, adjust=False)
    assert not plain.adjusted and plain.tau2 == 0.0
    assert next(p for p in plain.points if p.key == "b").position == "below_998"
    assert next(p for p in plain.points if p.key == "a").position == "above_998"
    assert next(p for p in plain.points if p.key == "a").limits.upper998 == pytest.approx(0.942016, abs=1e-6)


def test_small_n_limits_are_clipped() -> None:
    # n = 10, target 0.95: T = 1.345283, s = 0.158114; T + 3.090232·s = 1.8339 > π/2 → 1.0;
    # T − 3.090232·s = 0.856674 → sin² = 0.571035.
    lim = limits(10, 0.95)
    assert lim.upper998 == 1.0 and lim.upper95 == 1.0
    assert lim.lower998 == pytest.approx(0.571035, abs=1e-6)
    # Target 0: every lower limit is 0 (angle clipped at 0, not reflected back up).
    assert limits(5, 0.0).lower998 == 0.0 and limits(5, 0.0).lower95 == 0.0
    with pytest.raises(ValueError):
        limits(0, 0.5)


def test_position_words_and_points_on_the_limit() -> None:
    lim = Limits(0.6, 0.9, 0.5, 0.95)
    assert [position(r, lim) for r in (0.4, 0.55, 0.6, 0.75, 0.9, 0.92, 0.99)] == [
        "below_998",
        "below_95",
        "within",
        "within",
        "within",
        "above_95",
        "above_998",
    ]


def test_quantile_matches_r_type_7() -> None:
    # R: quantile(c(1, 2, 4, 8), 0.1) = 1 + 0.3·(2 − 1) = 1.3; quantile(…, 0.9) = 4 + 0.7·4 = 6.8.
    assert quantile7([8.0, 1.0, 4.0, 2.0], 0.1) == pytest.approx(1.3)
    assert quantile7([8.0, 1.0, 4.0, 2.0], 0.9) == pytest.approx(6.8)


def test_phi_just_below_one_is_not_adjusted() -> None:
    # Three members, kφ ≥ k − 1 but φ ≤ 1: FunnelPlotR draws the unadjusted limits.
    # Target 0.5, n = 100: z = (asin(√p) − π/4)·20. p = 0.55 → (0.835472 − 0.785398)·20 = 1.00167; 0.45 → −1.00167.
    # Winsorising (k = 3, h = 0.2): low = −1.00167·0.8 = −0.80134, high = 0.80134 → φ = 2·0.642150/3 = 0.42810.
    f = funnel([("a", 100, 55), ("b", 100, 45), ("c", 100, 50)])
    assert f.phi == pytest.approx(0.42810, abs=1e-5)
    assert not f.adjusted and f.tau2 == 0.0


def test_bad_rows_and_empty_groups() -> None:
    with pytest.raises(ValueError, match="0 <= x <= n"):
        funnel([("a", 5, 6)])
    assert funnel([("a", 0, 0)]).points == ()


member = st.integers(1, 500).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))


@settings(max_examples=80, deadline=None)
@given(st.lists(member, min_size=1, max_size=20), st.randoms(use_true_random=False))
def test_limits_are_ordered_and_order_free(sizes: list[tuple[int, int]], rnd: random.Random) -> None:
    rows = [(i, n, x) for i, (n, x) in enumerate(sizes)]
    f = funnel(rows)
    for p in f.points:
        lim = p.limits
        assert 0.0 <= lim.lower998 <= lim.lower95 <= lim.upper95 <= lim.upper998 <= 1.0
        assert lim.lower95 - 1e-12 <= f.target <= lim.upper95 + 1e-12
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    g = funnel(shuffled)
    assert g.tau2 == pytest.approx(f.tau2, rel=1e-9, abs=1e-15) and g.adjusted == f.adjusted
    assert {p.key: p.position for p in g.points} == {p.key: p.position for p in f.points}
