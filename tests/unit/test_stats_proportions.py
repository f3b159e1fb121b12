"""Wilson intervals and the small-number rule, against hand-worked values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.stats.proportions import Z95, proportion, wilson

# z² = 1.959964² = 3.841459 (to 7 figures).


def test_wilson_at_zero_and_at_n() -> None:
    # x = 0: centre = half = (z²/2)/(n + z²), so low = 0 and high = z²/(n + z²) = 3.841459/13.841459 = 0.277533.
    ci = wilson(0, 10)
    assert ci.low == 0.0
    assert ci.high == pytest.approx(0.277533, abs=1e-6)
    # x = n mirrors it: low = 1 − 0.277533.
    ci = wilson(10, 10)
    assert ci.high == 1.0
    assert ci.low == pytest.approx(0.722467, abs=1e-6)


def test_wilson_in_the_middle() -> None:
    # 5 of 10: centre 0.5; half = z·√(2.5 + z²/4)/(10 + z²) = 1.959964·√3.460365/13.841459
    #        = 1.959964·1.860206/13.841459 = 3.645934/13.841459 = 0.263407 → [0.236593, 0.763407]
    #        (published Wilson 95 % for 5/10: 0.2366–0.7634).
    ci = wilson(5, 10)
    assert ci.low == pytest.approx(0.236593, abs=1e-6)
    assert ci.high == pytest.approx(0.763407, abs=1e-6)
    # 90 of 100: centre = (90 + 1.920729)/103.841459 = 0.885203;
    # half = z·√(9 + 0.960365)/103.841459 = 1.959964·3.156005/103.841459 = 0.059568 → [0.825635, 0.944771].
    ci = wilson(90, 100)
    assert ci.low == pytest.approx(0.825635, abs=2e-6)
    assert ci.high == pytest.approx(0.944771, abs=2e-6)


def test_wilson_with_no_data_and_bad_input() -> None:
    assert wilson(0, 0) == wilson(0, 0, Z95)
    assert (wilson(0, 0).low, wilson(0, 0).high) == (0.0, 1.0)
    for x, n in ((-1, 5), (6, 5), (0, -1)):
        with pytest.raises(ValueError, match="0 <= x <= n"):
            wilson(x, n)


def test_small_numbers_are_suppressed() -> None:
    p = proportion(8, 9, excluded=3)
    assert p.suppressed and p.value is None and p.ci_low is None and p.ci_high is None
    assert (p.n, p.x, p.excluded) == (9, 8, 3)
    p = proportion(9, 10)
    assert not p.suppressed and p.value == pytest.approx(0.9)
    assert proportion(29, 29, min_n=30).suppressed
    assert not proportion(30, 30, min_n=30).suppressed
    assert proportion(0, 0, min_n=0).suppressed


@given(st.integers(0, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_bounds_hold(xn: tuple[int, int]) -> None:
    x, n = xn
    ci = wilson(x, n)
    assert 0.0 <= ci.low <= ci.high <= 1.0
    p = proportion(x, n)
    if n < 10:
        assert p.suppressed and p.value is None
    else:
        assert p.value is not None and p.ci_low is not None and p.ci_high is not None
        assert 0.0 <= p.ci_low <= p.value <= p.ci_high <= 1.0
