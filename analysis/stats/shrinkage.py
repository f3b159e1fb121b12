"""Beta-binomial empirical-Bayes estimates for officers and counters (ANALYSIS.md §2).

The prior Beta(α, β) is fitted to the comparison group by the method of moments with n-weights
(Kleinman 1973): p̄ = Σx/Σn, S = Σ nᵢ(pᵢ − p̄)², and the intra-class correlation
ρ = (S/(p̄(1−p̄)) − (k−1)) / (Σn − Σn²/Σn − (k−1)), so α + β = 1/ρ − 1.
Fallbacks, each named in `Prior.method`:
- `too_few`: fewer than `min_members` members with ratings, or no spread of sizes to estimate from:
  a weak prior of strength `weak_strength` centred on p̄ (α and β at least ½, Jeffreys' values, so
  the interval stays sensible when p̄ is near 0 or 1), so estimates stay close to the raw rates;
- `no_overdispersion`: ρ ≤ 0 (the members differ no more than chance): full pooling, capped at a
  strength of Σn (a prior worth more than all the group's ratings would be made up);
- α + β is never below `weak_strength`, even when the members are all at 0 % or 100 % (ρ ≥ 1);
- p̄ of 0 or 1 is moved half a rating inward so Beta(α, β) stays proper.
Each member's estimate is (x + α)/(n + α + β) with the equal-tailed credible interval of
Beta(x + α, n − x + β).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analysis.stats.betadist import beta_ppf

MIN_MEMBERS = 5
WEAK_STRENGTH = 2.0


@dataclass(frozen=True, slots=True)
class Prior:
    alpha: float
    beta: float
    method: str  # "moments", "no_overdispersion" or "too_few"

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


@dataclass(frozen=True, slots=True)
class Shrunk:
    n: int
    x: int
    raw_rate: float | None
    estimate: float
    ci_low: float
    ci_high: float


def fit_prior(
    counts: Iterable[tuple[int, int]], *, min_members: int = MIN_MEMBERS, weak_strength: float = WEAK_STRENGTH
) -> Prior:
    """Fit Beta(α, β) to the members' (x, n) of one comparison group."""
    pairs = []
    for x, n in counts:
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"need 0 <= x <= n, got x={x}, n={n}")
        if n > 0:
            pairs.append((x, n))
    total_n = sum(n for _, n in pairs)
    total_x = sum(x for x, _ in pairs)
    if total_n == 0:
        return Prior(weak_strength / 2, weak_strength / 2, "too_few")
    mean = min(max(total_x / total_n, 0.5 / total_n), 1.0 - 0.5 / total_n) if total_n > 1 else 0.5
    k = len(pairs)
    spread = total_n - sum(n * n for _, n in pairs) / total_n - (k - 1)
    if k < min_members or spread <= 0:
        return Prior(max(mean * weak_strength, 0.5), max((1.0 - mean) * weak_strength, 0.5), "too_few")
    pooled = total_x / total_n
    s = sum(n * (x / n - pooled) ** 2 for x, n in pairs)
    rho = (s / (mean * (1.0 - mean)) - (k - 1)) / spread
    cap = float(total_n)
    if rho <= 1.0 / (cap + 1.0):
        return Prior(mean * cap, (1.0 - mean) * cap, "no_overdispersion")
    strength = max(1.0 / rho - 1.0, weak_strength)  # ρ near or above 1: members all at 0 or 1
    return Prior(mean * strength, (1.0 - mean) * strength, "moments")


def shrink(x: int, n: int, prior: Prior, *, level: float = 0.95) -> Shrunk:
    """One member's posterior estimate and equal-tailed credible interval."""
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= x <= n, got x={x}, n={n}")
    a, b = x + prior.alpha, n - x + prior.beta
    tail = (1.0 - level) / 2.0
    return Shrunk(n, x, x / n if n else None, a / (a + b), beta_ppf(tail, a, b), beta_ppf(1.0 - tail, a, b))


def shrink_all(counts: list[tuple[int, int]], *, level: float = 0.95, min_members: int = MIN_MEMBERS) -> list[Shrunk]:
    """Fit the prior to the group and shrink each member, in the order given."""
    prior = fit_prior(counts, min_members=min_members)
    return [shrink(x, n, prior, level=level) for x, n in counts]
