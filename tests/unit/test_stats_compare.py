"""Two-proportion z-test and Benjamini–Hochberg, against hand-worked values."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.stats.compare import benjamini_hochberg, normal_cdf, normal_sf, two_proportion


def test_normal_tails() -> None:
    assert normal_cdf(0.0) == 0.5
    assert normal_sf(1.959964) == pytest.approx(0.025, abs=1e-7)
    assert normal_cdf(-3.090232) == pytest.approx(0.001, abs=1e-7)


def test_two_proportion_by_hand() -> None:
    # 90/100 vs 80/100: pooled 170/200 = 0.85; se = √(0.85·0.15·0.02) = √0.00255 = 0.050498;
    # z = 0.1/0.050498 = 1.980295; two-sided p = 2·(1 − Φ(1.980295)) = 2·0.023838 = 0.047676.
    t = two_proportion(90, 100, 80, 100)
    assert t.difference == pytest.approx(0.1)
    assert t.z == pytest.approx(1.980295, abs=1e-6)
    assert t.p_value == pytest.approx(0.047676, abs=1e-5)
    assert two_proportion(90, 100, 80, 100, alternative="greater").p_value == pytest.approx(0.023838, abs=1e-5)
    assert two_proportion(90, 100, 80, 100, alternative="less").p_value == pytest.approx(0.976162, abs=1e-5)
    # Symmetric in the two sides for the two-sided test.
    assert two_proportion(80, 100, 90, 100).p_value == pytest.approx(t.p_value)


def test_two_proportion_without_evidence() -> None:
    assert two_proportion(0, 0, 5, 10).p_value == 1.0
    assert two_proportion(10, 10, 20, 20).p_value == 1.0  # pooled rate 1: no spread
    with pytest.raises(ValueError, match="alternative"):
        two_proportion(1, 2, 1, 2, alternative="up")
    with pytest.raises(ValueError, match="0 <= x <= n"):
        two_proportion(3, 2, 1, 2)


def test_benjamini_hochberg_by_hand() -> None:
    # p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005, 0.01, 0.03, 0.04 → m·p/rank = 0.02, 0.02, 0.04, 0.04;
    # running minimum from the top leaves them as they are. All ≤ 0.05.
    adj = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert adj.q_values == pytest.approx((0.02, 0.04, 0.04, 0.02))
    assert adj.rejected == (True, True, True, True)
    # p = 0.01, 0.02, 0.03, 0.04, 0.05, 0.5 (m = 6): m·p/rank = 0.06 for the first five, 0.5 → none at 0.05.
    adj = benjamini_hochberg([0.01, 0.02, 0.03, 0.04, 0.05, 0.5])
    assert adj.q_values == pytest.approx((0.06, 0.06, 0.06, 0.06, 0.06, 0.5))
    assert not any(adj.rejected)
    # Step-up: p = 0.001, 0.04, 0.041 (m = 3) → 0.003, 0.06, 0.041; the running minimum takes 0.041 for rank 2.
    adj = benjamini_hochberg([0.001, 0.04, 0.041])
    assert adj.q_values == pytest.approx((0.003, 0.041, 0.041))
    assert adj.rejected == (True, True, True)
    # q is capped at 1; empty input is fine; a bad p is refused.
    assert benjamini_hochberg([0.9, 0.95]).q_values == pytest.approx((0.95, 0.95))
    assert benjamini_hochberg([]).q_values == ()
    with pytest.raises(ValueError):
        benjamini_hochberg([1.2])


@given(st.lists(st.floats(0.0, 1.0), max_size=30), st.randoms(use_true_random=False))
def test_bh_properties(ps: list[float], rnd: random.Random) -> None:
    adj = benjamini_hochberg(ps)
    for p, q in zip(ps, adj.q_values, strict=True):
        assert p <= q + 1e-15 and 0.0 <= q <= 1.0
    # Monotone in p, and the same whatever the order.
    pairs = sorted(zip(ps, adj.q_values, strict=True))
    assert all(a[1] <= b[1] + 1e-15 for a, b in itertools.pairwise(pairs))
    idx = list(range(len(ps)))
    rnd.shuffle(idx)
    again = benjamini_hochberg([ps[i] for i in idx])
    assert [again.q_values[k] for k in range(len(ps))] == [adj.q_values[i] for i in idx]
