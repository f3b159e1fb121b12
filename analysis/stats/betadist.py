"""The regularised incomplete beta function and its inverse, in pure Python.

I_x(a, b) by the continued fraction of Numerical Recipes (Lentz's method), using the symmetry
I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly; the inverse by Newton's method kept
inside a bisection bracket, so it always converges.
"""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _fraction(x: float, a: float, b: float) -> float:
    max_iter = 200 + int(10 * math.sqrt(max(a, b)))
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, max_iter + 1):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b), the Beta(a, b) distribution function at x."""
    if a <= 0 or b <= 0:
        raise ValueError(f"Beta parameters must be positive, got a={a}, b={b}")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - _log_beta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _fraction(x, a, b) / a
    return 1.0 - front * _fraction(1.0 - x, b, a) / b


def beta_ppf(p: float, a: float, b: float) -> float:
    """The p-quantile of Beta(a, b): the x with I_x(a, b) = p."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {p}")
    if a <= 0 or b <= 0:
        raise ValueError(f"Beta parameters must be positive, got a={a}, b={b}")
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    guess = _start(p, a, b)
    if guess > 0.5:  # solve for 1 − x, so that tiny upper tails keep their precision
        return 1.0 - _solve(1.0 - p, b, a, 1.0 - guess)
    return _solve(p, a, b, guess)


def _start(p: float, a: float, b: float) -> float:
    if a >= 1.0 and b >= 1.0:
        sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))
        return min(max(a / (a + b) + sd * _norm_ppf(p), 1e-12), 1.0 - 1e-12)
    # Small parameters: invert the leading terms of each tail (Numerical Recipes, invbetai).
    t = math.exp(a * math.log(a / (a + b))) / a
    u = math.exp(b * math.log(b / (a + b))) / b
    w = t + u
    if p < t / w:
        return float((a * w * p) ** (1.0 / a))
    return 1.0 - float((b * w * (1.0 - p)) ** (1.0 / b))


def _solve(p: float, a: float, b: float, x: float) -> float:
    """Newton's method on I_x(a, b) = p inside a shrinking bracket; bisects (geometrically near 0) otherwise."""
    lo, hi = 0.0, 1.0
    x = min(max(x, 1e-300), 1.0 - 1e-15)
    log_b = _log_beta(a, b)
    for _ in range(400):
        f = betainc(a, b, x) - p
        if f > 0:
            hi = x
        else:
            lo = x
        if abs(f) <= 1e-13 * p or hi - lo <= 1e-15 * hi or hi <= 1e-300:
            break
        density = math.exp((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - log_b)
        step = x - f / density if density > 0 else -1.0
        if lo < step < hi:
            x = step
        elif lo > hi / 1000.0:
            x = (lo + hi) / 2.0
        else:
            x = math.sqrt(max(lo, 1e-300) * hi)
    return x


def _norm_ppf(p: float) -> float:
    """A rough standard normal quantile (Abramowitz & Stegun 26.2.23), good enough for a starting point."""
    q = p if p < 0.5 else 1.0 - p
    t = math.sqrt(-2.0 * math.log(q))
    z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t**3)
    return -z if p < 0.5 else z
