"""From Facts to every output of one analysis run (no store, no files: see api.insights.batch)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from analysis.report import flags, indices, officers, trends
from analysis.report.facts import Facts
from analysis.report.settings import FLAGS, FLAGS_VERSION, RULES, RULES_VERSION, Settings


@dataclass
class Results:
    indices: list[dict[str, Any]]
    officers: list[dict[str, Any]]
    trends: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    charts: dict[str, dict[str, Any]]
    gaps: list[dict[str, Any]]
    names: dict[str, str] = field(default_factory=dict)  # unit code -> name
    sections: dict[str, dict[str, str]] = field(default_factory=dict)  # SIPAS factor -> {"vi": …, "en": …}
    funnels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # kind -> officers of the last year
    summary: dict[str, Any] = field(default_factory=dict)
    themes: list[dict[str, Any]] = field(default_factory=list)  # themes.csv (analysis/report/themes.py)
    comments: list[dict[str, Any]] = field(default_factory=list)  # comments.csv: scored, themed, redacted
    theme_names: dict[str, dict[str, str]] = field(default_factory=dict)  # reason code -> {"vi": …, "en": …}
    model: Any = None  # the comment model trained on the period (analysis.comments.stored: model.pkl)


def gap_tests(facts: Facts, settings: Settings) -> list[dict[str, Any]]:
    """kiosk_qr_gap: each officer's kiosk satisfied share against their receipt-QR share on one item,
    a two-proportion test per officer, Benjamini-Hochberg across the officers tested. The two instruments
    differ for everyone (a questionnaire days later is harsher than a tap at the counter), so an officer is
    flagged only when their gap exceeds the pooled gap of all officers tested by ``gap_min``."""
    from analysis.stats.compare import benjamini_hochberg, two_proportion

    kiosk: dict[str, list[int]] = {}
    for r in facts.ratings:
        if r["officer"] and r["source"] == "kiosk":
            cell = kiosk.setdefault(r["officer"], [0, 0])
            cell[0] += r["n"]
            cell[1] += r["x"]
    tests = []
    for q in facts.qr_officers:
        k = kiosk.get(q["officer"])
        if not k or q["n"] < settings.gap_min_qr or k[0] < settings.gap_min_qr:
            continue
        tests.append(
            {
                "officer": q["officer"],
                "unit": facts.officer_units.get(q["officer"], ""),
                "kiosk_n": k[0],
                "kiosk_x": k[1],
                "qr_n": q["n"],
                "qr_x": q["x"],
                "kiosk_rate": k[1] / k[0],
                "qr_rate": q["x"] / q["n"],
                "item": settings.gap_item,
                "p": two_proportion(k[1], k[0], q["x"], q["n"]).p_value,
            }
        )
    pooled = sum(int(test["kiosk_x"]) for test in tests) / max(1, sum(int(test["kiosk_n"]) for test in tests)) - sum(
        int(test["qr_x"]) for test in tests
    ) / max(1, sum(int(test["qr_n"]) for test in tests))
    for test, q_value in zip(tests, benjamini_hochberg([float(test["p"]) for test in tests]).q_values, strict=True):
        test["q"] = q_value
        test["usual_gap"] = pooled
        diff = float(test["kiosk_rate"]) - float(test["qr_rate"])
        test["flagged"] = diff - pooled >= settings.gap_min and q_value < settings.gap_alpha
    return tests


def analyse(facts: Facts, settings: Settings) -> Results:
    acc = indices.counts(facts)
    index_rows = indices.rows(facts, settings, acc)
    trend_rows, charts = trends.chart_rows(facts, acc, settings)
    gaps = gap_tests(facts, settings)
    officer_rows = officers.rows(facts, settings)
    flag_rows = flags.rows(facts, settings, gaps)
    results = Results(
        indices=index_rows,
        officers=officer_rows,
        trends=trend_rows,
        flags=flag_rows,
        changes=trends.changes(facts, acc, settings),
        charts=charts,
        gaps=gaps,
        names={u.code: u.name for u in facts.units},
        sections={str(s["code"]): s for s in facts.instrument.get("sections", [])},
        funnels=officers.funnels(officer_rows, {u.code: u.kind for u in facts.units}, facts.months[-1][:4]),
    )
    staff = sum(r["n"] for r in facts.ratings if r["source"] == "staff")
    results.summary = {
        "scope": {"unit": facts.root, "units": len(facts.units)},
        "period": {"from": facts.first, "to": facts.last, "months": facts.months, "time_zone": facts.tz},
        "settings": settings.as_dict(),
        "trends": charts,
        "changes": results.changes,
        "rule_sets": {
            "spc": {"name": RULES, "version": RULES_VERSION},
            "flags": {"name": FLAGS, "version": FLAGS_VERSION},
        },
        "counts": {
            "ratings": sum(r["n"] for r in facts.ratings),
            "staff_entered_excluded": staff,
            "dossiers_handled": sum(r["n"] for r in facts.dossiers),
            "questionnaire_responses": sum(r["n"] for r in facts.responses),
            "indices_rows": len(index_rows),
            "officers_rows": len(results.officers),
            "trends_rows": len(trend_rows),
            "flags": dict(Counter(str(f["kind"]) for f in flag_rows)),
            "trend_signals": sum(1 for r in trend_rows if r["rule"]),
            "changes_marked": sum(1 for c in results.changes if c.get("changed")),
        },
    }
    return results
