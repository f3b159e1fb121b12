"""Incomplete beta, Beta quantiles and beta-binomial shrinkage against hand-worked and reference values.

Reference values marked "scipy" were computed once with scipy 1.x (scipy.special.betainc, scipy.stats.beta.ppf)
in a scratch session and written here by hand; the code under test never imports scipy.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.betadist import beta_ppf, betainc
from analysis.stats.shrinkage import fit_prior, shrink, shrink_all


def test_incomplete_beta_closed_forms() -> None:
    assert betainc(3.7, 3.7, 0.5) == pytest.approx(0.5, abs=1e-12)  # symmetry
    assert betainc(1, 1, 0.37) == pytest.approx(0.37, abs=1e-12)  # uniform
    assert betainc(4, 1, 0.6) == pytest.approx(0.6**4, abs=1e-12)  # I_x(a, 1) = x^a
    assert betainc(1, 3, 0.2) == pytest.approx(1 - 0.8**3, abs=1e-12)  # I_x(1, b) = 1 − (1 − x)^b
    # I_x(½, ½) = (2/π)·asin(√x): at x = 0.01, 0.63662·0.1001674 = 0.0637686.
    assert betainc(0.5, 0.5, 0.01) == pytest.approx(0.0637686, abs=1e-7)
    assert (betainc(2, 3, 0.0), betainc(2, 3, 1.0)) == (0.0, 1.0)
    with pytest.raises(ValueError):
        betainc(0, 1, 0.5)


def test_incomplete_beta_reference_values() -> None:
    assert betainc(2.5, 3.5, 0.3) == pytest.approx(0.29675298929566646, abs=1e-10)  # scipy
    assert betainc(500, 60, 0.9) == pytest.approx(0.6989640392346372, abs=1e-10)  # scipy


def test_beta_quantiles() -> None:
    assert beta_ppf(0.3, 2, 1) == pytest.approx(math.sqrt(0.3), abs=1e-10)  # Beta(a, 1): p^(1/a)
    assert beta_ppf(0.025, 300.5, 20.5) == pytest.approx(0.9069732493517733, abs=1e-9)  # scipy
    assert beta_ppf(0.975, 0.3, 4) == pytest.approx(0.4037275282679523, abs=1e-9)  # scipy
    assert (beta_ppf(0.0, 2, 2), beta_ppf(1.0, 2, 2)) == (0.0, 1.0)
    with pytest.raises(ValueError):
        beta_ppf(1.5, 2, 2)


def test_prior_by_moments_and_a_shrunk_estimate() -> None:
    counts = [(5, 10), (10, 10), (2, 10), (8, 10), (5, 10)]
    # Σn = 50, p̄ = 30/50 = 0.6, Σn²/Σn = 10, spread = 50 − 10 − 4 = 36.
    # S = 10·(0.01 + 0.16 + 0.16 + 0.04 + 0.01) = 3.8; S/(0.6·0.4) = 15.8333; ρ = (15.8333 − 4)/36 = 0.328704.
    # α + β = 1/ρ − 1 = 2.042254 → α = 1.225352, β = 0.816901.
    prior = fit_prior(counts)
    assert prior.method == "moments"
    assert prior.alpha == pytest.approx(1.225352, abs=1e-6)
    assert prior.beta == pytest.approx(0.816901, abs=1e-6)
    # 10 of 10 → (10 + 1.225352)/(10 + 2.042254) = 0.932164, interval of Beta(11.225352, 0.816901) (scipy).
    s = shrink(10, 10, prior)
    assert s.raw_rate == 1.0
    assert s.estimate == pytest.approx(0.932164, abs=1e-6)
    assert s.ci_low == pytest.approx(0.7441703, abs=1e-6)
    assert s.ci_high == pytest.approx(0.9990896, abs=1e-6)


def test_prior_fallbacks() -> None:
    # All at 90 % with equal n: S = 0, ρ = −4/36 < 0 → full pooling capped at Σn = 50: α = 45, β = 5.
    prior = fit_prior([(9, 10)] * 5)
    assert prior.method == "no_overdispersion"
    assert (prior.alpha, prior.beta) == (pytest.approx(45.0), pytest.approx(5.0))
    s = shrink(9, 10, prior)  # Beta(54, 6): mean 0.9, interval from scipy.
    assert s.estimate == pytest.approx(0.9)
    assert (s.ci_low, s.ci_high) == (pytest.approx(0.8132057, abs=1e-6), pytest.approx(0.9617555, abs=1e-6))
    # Three members: too few to fit; weak prior of strength 2 at p̄ = 9/12 → α = 1.5, β = 0.5; 1 of 2 → 2.5/4.
    prior = fit_prior([(1, 2), (3, 4), (5, 6)])
    assert prior.method == "too_few"
    assert shrink(1, 2, prior).estimate == pytest.approx(0.625)
    # All satisfied: p̄ moves half a rating inward so the prior stays proper.
    prior = fit_prior([(n, n) for n in (10, 20, 30, 40, 50)])
    assert prior.alpha > 0 and prior.beta > 0 and shrink(10, 10, prior).ci_high <= 1.0
    assert fit_prior([]).method == "too_few"
    # Members all at 0 % or 100 %: Σn = 6, p̄ = 1/3, spread = 6 − 8/6 − 4 = 2/3, S = 4/9 + 8/9 = 4/3,
    # ρ = (S/(2/9) − 4)/(2/3) = 3 ≥ 1, so α + β is held at 2: α = 2/3, β = 4/3.
    prior = fit_prior([(0, 1)] * 4 + [(2, 2)])
    assert prior.method == "moments"
    assert (prior.alpha, prior.beta) == (pytest.approx(2 / 3), pytest.approx(4 / 3))
    with pytest.raises(ValueError, match="0 <= x <= n"):
        fit_prior([(3, 2)])


member = st.integers(0, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=60, deadline=None)
@given(st.lists(member, min_size=1, max_size=15), st.randoms(use_true_random=False))
def test_estimates_are_inside_their_intervals_and_order_free(counts: list[tuple[int, int]], rnd: random.Random) -> None:
    out = shrink_all(counts)
    for s in out:
        assert 0.0 <= s.ci_low <= s.estimate <= s.ci_high <= 1.0
    shuffled = counts[:]
    rnd.shuffle(shuffled)
    prior, again = fit_prior(counts), fit_prior(shuffled)
    assert again.method == prior.method
    assert (again.alpha, again.beta) == (pytest.approx(prior.alpha, rel=1e-9), pytest.approx(prior.beta, rel=1e-9))
    # The estimate lies between the raw rate and the prior mean.
    for s in out:
        if s.raw_rate is not None:
            lo, hi = sorted((s.raw_rate, prior.mean))
            assert lo - 1e-12 <= s.estimate <= hi + 1e-12
