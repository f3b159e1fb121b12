"""officers.csv: each officer's satisfaction per period, fairly: an empirical-Bayes estimate shrunk toward
the officers of units of the same kind, its 95 % credible interval, the funnel position in words, and
suppression below the minimum n with secondary suppression inside each unit (the unit total is shown).
Staff-entered ratings never count toward an officer."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from analysis.report.facts import Facts
from analysis.report.settings import Settings
from analysis.stats.funnel import funnel
from analysis.stats.shrinkage import fit_prior, shrink
from analysis.stats.suppression import suppression

COLUMNS = (
    "officer_code",
    "unit_code",
    "period",
    "n",
    "x",
    "raw_rate",
    "estimate",
    "ci_low",
    "ci_high",
    "funnel",
    "suppressed",
)


def funnel_words(members: list[tuple[str, int, int]]) -> dict[str, str]:
    """Funnel position of each (officer, n, x) against its group, overdispersion-adjusted."""
    return {p.key: p.position for p in funnel(members).points}


def funnels(rows: list[dict[str, Any]], kinds: dict[str, str], period: str) -> dict[str, list[dict[str, Any]]]:
    """For the report's funnel plots: per comparison group, the officers shown in ``period`` with their
    limits (suppressed officers are left out, so the plot gives nothing away)."""
    groups: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for r in rows:
        if r["period"] == period and not r["suppressed"]:
            groups[kinds.get(str(r["unit_code"]), "?")].append((str(r["officer_code"]), int(r["n"]), int(r["x"])))
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, members in groups.items():
        found = funnel(members)
        out[kind] = [
            {
                "officer": p.key,
                "n": p.n,
                "rate": p.rate,
                "target": found.target,
                **vars_of(p.limits),
                "position": p.position,
            }
            for p in sorted(found.points, key=lambda p: p.n)
        ]
    return out


def vars_of(limits: Any) -> dict[str, float]:
    return {k: float(getattr(limits, k)) for k in ("lower95", "upper95", "lower998", "upper998")}


def monthly(facts: Facts) -> dict[str, dict[str, list[int]]]:
    """officer -> month -> [n, x], citizen ratings only."""
    out: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for r in facts.ratings:
        if r["officer"] is None or r["source"] == "staff":
            continue
        cell = out[r["officer"]].setdefault(r["m"], [0, 0])
        cell[0] += r["n"]
        cell[1] += r["x"]
    return out


def rows(facts: Facts, settings: Settings, periods: list[tuple[str, list[str]]] | None = None) -> list[dict[str, Any]]:
    """Every officer per period: by default the months, quarters and years touched (``Facts.periods``)."""
    by_officer = monthly(facts)
    kind = {u.code: u.kind for u in facts.units}
    out: list[dict[str, Any]] = []
    for period, months in facts.periods() if periods is None else periods:
        totals = {
            o: (sum(m[k][0] for k in months if k in m), sum(m[k][1] for k in months if k in m))
            for o, m in by_officer.items()
        }
        totals = {o: t for o, t in totals.items() if t[0] > 0}
        groups: dict[str, list[str]] = defaultdict(list)
        for officer in sorted(totals):
            groups[kind.get(facts.officer_units.get(officer, ""), "?")].append(officer)
        hidden: set[str] = set()
        units: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for officer, (n, x) in totals.items():
            units[facts.officer_units.get(officer, "")].append((officer, n, x))
        for members in units.values():
            hidden |= suppression(members, min_n=settings.officer_min_n).suppressed
        for officers in groups.values():
            prior = fit_prior((totals[o][1], totals[o][0]) for o in officers)
            words = funnel_words([(o, totals[o][0], totals[o][1]) for o in officers])
            for officer in officers:
                n, x = totals[officer]
                row: dict[str, Any] = {
                    "officer_code": officer,
                    "unit_code": facts.officer_units.get(officer, ""),
                    "period": period,
                }
                if officer in hidden:  # nothing but n: no estimate to derive the hidden rate from
                    row.update(n=n, x="", funnel="", suppressed=True)
                else:
                    s = shrink(x, n, prior)
                    row.update(
                        n=n,
                        x=x,
                        raw_rate=s.raw_rate,
                        estimate=s.estimate,
                        ci_low=s.ci_low,
                        ci_high=s.ci_high,
                        funnel=words.get(officer, "within"),
                        suppressed=False,
                    )
                out.append(row)
    out.sort(key=lambda r: (str(r["unit_code"]), str(r["officer_code"]), str(r["period"])))
    return out
