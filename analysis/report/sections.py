"""The report's sections, in one language."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from analysis.report.html import _table, chart, figure, funnel_chart, num, pct
from analysis.report.run import Results
from analysis.report.settings import FLAGS, FLAGS_VERSION, RULES, RULES_VERSION
from analysis.report.texts import N_, Words, words

FLAG_SETTINGS = (
    "burst_gap_s",
    "burst_min",
    "fast_tap_ms",
    "fast_tap_min",
    "fast_tap_share",
    "off_hours_grace_min",
    "off_hours_min",
    "repeated_min",
    "repeated_share",
    "repeated_min_chars",
    "gap_item",
    "gap_min",
    "gap_alpha",
    "staff_min",
    "staff_share",
)

# The codes the batch writes in its files (rule, direction, variation, assurance, funnel position, flag kind,
# measure), in words.
SAID = {
    "outside_limits": N_("outside the control limits"),
    "trend": N_("7-point trend"),
    "two_of_three": N_("2 of 3 near the limits"),
    "shift": N_("7-point shift"),
    "concern": N_("concern"),
    "improvement": N_("improvement"),
    "common_cause": N_("common cause"),
    "consistently_met": N_("consistently met"),
    "consistently_missed": N_("consistently missed"),
    "hit_and_miss": N_("will hit and miss at random"),
    "within": N_("within the expected range"),
    "above_95": N_("above the expected range (95 %)"),
    "above_998": N_("above the expected range (99.8 %)"),
    "below_95": N_("below the expected range (95 %)"),
    "below_998": N_("below the expected range (99.8 %)"),
    "burst": N_("Burst of ratings"),
    "fast_tap": N_("Taps too fast"),
    "off_hours": N_("Outside opening hours"),
    "repeated_comment": N_("Repeated comment"),
    "kiosk_qr_gap": N_("Kiosk vs receipt-QR gap"),
    "staff_entered": N_("Entered by staff"),
    "sipas_service": N_("Service satisfaction index"),
    "harassment_share": N_("Met harassment"),
    "payment_share": N_("Paid beyond the rules"),
}


def said(t: Words, code: object, missing: str | None = None) -> str:
    """A code in words; ``missing`` for a code without any (none: a code the report must know)."""
    if missing is not None and str(code) not in SAID:
        return missing
    return t(SAID[str(code)])


def body(results: Results, lang: str) -> str:
    t = words(lang)
    s = results.summary
    year = s["period"]["months"][-1][:4]
    index: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)  # (kind, code) -> measure -> row
    for r in results.indices:
        if r["period"] == year:
            index[(r["scope_kind"], r["scope_code"])][r["measure"]] = r
    root = s["scope"]["unit"]
    units = sorted(code for kind, code in index if kind == "unit")
    officers_note = t(
        "Empirical-Bayes (beta-binomial) estimates with 95 % credible intervals; no ranking. Only officers "
        "outside the expected range are listed; officers with fewer than {min_n} ratings are hidden.",
        min_n=s["settings"]["officer_min_n"],
    )
    parts = [
        f'<div class="head"><div>{escape(t("Unit"))}: <b>{escape(root or "—")}</b></div>'
        f"<div>{escape(t('SOCIALIST REPUBLIC OF VIET NAM — Independence - Freedom - Happiness'))}</div></div>",
        f"<h1>{escape(t('Citizen satisfaction analysis report'))}</h1>",
        f"<p style='text-align:center'>{escape(t('Period'))}: {s['period']['from']} – {s['period']['to']} "
        f"({escape(s['period']['time_zone'])})</p>"
        f"<p class='muted'>{escape(t('The tables below give the figures of the year'))} {year}</p>",
        f"<h2>{t('1. Timeliness of dossiers (Circular 01/2018/TT-VPCP, indicator 1)')}</h2>",
        _measures(
            index,
            units,
            (("early_share", N_("Early")), ("on_time_share", N_("On time")), ("late_share", N_("Late"))),
            lang,
            results.names,
        ),
        f"<h2>{t('2. Satisfaction at the counter')}</h2>",
        _measures(
            index,
            units,
            (
                ("counter_rate", N_("Satisfaction rate (rated dossiers only)")),
                ("ratio_766", N_("Decision 766 satisfaction ratio (unofficial)")),
                ("coverage", N_("Coverage (rated / handled)")),
            ),
            lang,
            results.names,
        ),
        f"<p>{escape(t('Ratings entered by staff (excluded from every index)'))}: "
        f"{num(s['counts']['staff_entered_excluded'], lang)}</p>",
        f"<p>{escape(t('Feedback handled on time (Circular 01/2018/TT-VPCP, indicator 8; unofficial)'))}: "
        f"{escape(_feedback(s.get('feedback_handling'), lang))}</p>",
        f"<h2>{t('3. Receipt-QR questionnaire')}</h2>"
        f"<p class='muted'>{escape(t('SIPAS-style indices (unofficial)'))}</p>",
        _sipas(index.get(("unit", root), {}), lang, results.sections),
        f"<h2>{t('4. Monthly trends (p′ chart, Making Data Count rules)')}</h2>",
        _trends(results, lang),
        f"<h2>{t('5. Change from the month before (two-proportion test, Benjamini–Hochberg corrected)')}</h2>",
        _changes(results, lang),
        f"<h2>{t('6. Officers: position on the funnel plot')}</h2><p>{escape(officers_note)}</p>",
        _officers(results, lang, year),
        f"<h2>{t('7. Integrity flags to review')}</h2>",
        _flags(results, lang),
        f"<h2>{t('8. Themes in dissatisfied comments')}</h2>",
        _themes(results, lang, root, year),
        f"<h2>{t('9. Methods')}</h2>",
        _methods(s, lang),
    ]
    return "".join(parts)


def _feedback(found: dict[str, Any] | None, lang: str) -> str:
    """Indicator 8 (the batch's summary, analysis.stats.official.feedback_handling)."""
    t = words(lang)
    if not found or found.get("points") is None:
        return t("no follow-up case was due in the period")
    due = int(found["on_time"]) + int(found["late"])
    return t(
        "{on_time} on time of {due} due, {pending} not yet due: {points} points",
        on_time=num(found["on_time"], lang), due=num(due, lang), pending=num(found["pending"], lang),
        points=found["points"],
    )  # fmt: skip


def _measures(index: Any, units: list[str], columns: tuple[tuple[str, str], ...], lang: str, names: Any = None) -> str:
    """One row per unit, one column per (measure, msgid of its heading)."""
    names = names or {}
    t = words(lang)
    head = [t("Unit"), *(t(label) for _, label in columns)]
    rows = [
        [
            f"{escape(names.get(u, u))} <span class='muted'>{escape(u)}</span>",
            *(figure(index[("unit", u)][m], lang) if m in index[("unit", u)] else "—" for m, _ in columns),
        ]
        for u in units
    ]
    return _table(head, rows)


def _sipas(found: dict[str, dict[str, Any]], lang: str, sections: dict[str, dict[str, str]]) -> str:
    t = words(lang)
    keys = [
        *sorted(k for k in found if k.startswith("sipas_factor:")),
        "sipas_service",
        "harassment_share",
        "payment_share",
    ]
    rows = [
        [escape(said(t, k, "") or f"{k[13:]}. {sections.get(k[13:], {}).get(lang, '')}"), figure(found[k], lang)]
        for k in keys
        if k in found
    ]
    return _table([t("Measure"), t("Value")], rows)


def _trends(results: Results, lang: str) -> str:
    t = words(lang)
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results.trends:
        series[str(r["scope_code"])].append(r)
    flagged = {code: pts for code, pts in series.items() if any(p["rule"] for p in pts[-6:])}
    if not flagged:
        return f"<p>{t('No special cause at any unit.')}</p>"
    out = []
    for code, points in sorted(flagged.items()):
        signals = [p for p in points if p["rule"]]
        last = signals[-1]
        summary = results.charts.get(code, {})
        title = f"{code}: {said(t, last['rule'])} ({said(t, last['direction'])}) {last['period']}"
        found = [f"{t('Variation')}: {said(t, summary.get('variation'), '—')}"]
        if summary.get("variation_since"):
            found[0] += f" ({t('since')} {summary['variation_since']})"
        found.append(f"{t('Assurance')}: {said(t, summary.get('assurance'), '—')}")
        found.append(str(summary.get("ruleset", "")))
        out.append(f"<h3>{escape(title)}</h3><p class='muted'>{escape('; '.join(found))}</p>")
        out.append(chart(points, lang, title))
        rows = [
            [
                str(p["period"]),
                pct(p["value"], lang),
                num(p["n"], lang),
                pct(p["centre"], lang),
                pct(p["lower"], lang),
                pct(p["upper"], lang),
                escape(said(t, p["rule"], "")),
                f"<span class='{p['direction']}'>{escape(said(t, p['direction'], ''))}</span>",
            ]
            for p in points
        ]
        out.append(
            f"<details><summary>{t('Data table')}</summary>"
            + _table([t("Month"), t("Value"), "n", "p̄", "LCL", "UCL", t("Rule"), t("Direction")], rows)
            + "</details>"
        )
    return "".join(out)


def _changes(results: Results, lang: str) -> str:
    t = words(lang)
    marked = [c for c in results.changes if c.get("changed")]
    if not marked:
        return f"<p>{t('No statistically significant change.')}</p>"
    rows = [
        [
            escape(str(c["unit"])),
            f"{pct(int(c['x1']) / int(c['n1']), lang)} (n = {num(c['n1'], lang)})",
            f"{pct(int(c['x2']) / int(c['n2']), lang)} (n = {num(c['n2'], lang)})",
            f"{float(c['q']):.2g}",
        ]
        for c in marked
    ]
    return _table([t("Unit"), t("Last month"), t("This month"), t("adjusted p")], rows)


def _officers(results: Results, lang: str, year: str) -> str:
    t = words(lang)
    rows = []
    for r in results.officers:
        if r["period"] != year or r["suppressed"] or r["funnel"] in ("", "within"):
            continue
        interval = f"{pct(r['ci_low'], lang)} – {pct(r['ci_high'], lang)}"
        rows.append(
            [
                escape(str(r["unit_code"])),
                escape(str(r["officer_code"])),
                pct(r["estimate"], lang),
                interval,
                num(r["n"], lang),
                escape(said(t, r["funnel"])),
            ]
        )
    hidden = sum(1 for r in results.officers if r["period"] == year and r["suppressed"])
    charts = "".join(
        funnel_chart(points, lang, f"{t('Funnel')}: {kind} {year}") + _funnel_table(points, lang)
        for kind, points in sorted(results.funnels.items())
        if points
    )
    table = _table([t("Unit"), t("Officer"), t("Estimate"), "95 %", "n", t("Funnel")], rows) if rows else ""
    return charts + table + f"<p class='muted'>{num(hidden, lang)} × {escape(t('too few to judge'))}</p>"


def _funnel_table(points: list[dict[str, Any]], lang: str) -> str:
    """The funnel's numbers, ordered by n (not a league table)."""
    t = words(lang)
    rows = [
        [
            escape(p["officer"]),
            num(p["n"], lang),
            pct(p["rate"], lang),
            f"{pct(p['lower95'], lang)} – {pct(p['upper95'], lang)}",
            f"{pct(p['lower998'], lang)} – {pct(p['upper998'], lang)}",
            escape(said(t, p["position"])),
        ]
        for p in points
    ]
    head = [t("Officer"), "n", t("Value"), "95 %", "99,8 %" if lang == "vi" else "99.8 %", t("Funnel")]
    return f"<details><summary>{t('Data table')}</summary>{_table(head, rows)}</details>"


def _flags(results: Results, lang: str) -> str:
    t = words(lang)
    if not results.flags:
        return f"<p>{t('No integrity flag.')}</p>"
    rows = [
        [
            escape(said(t, f["kind"])),
            escape(f"{f['scope_kind']} {f['scope_code']}"),
            escape(str(f["first_at"])),
            escape(str(f["last_at"])),
            num(f["count"], lang),
            escape(str(f["detail"])),
            f"<details><summary>…</summary><code>{escape(str(f['evidence']))}</code></details>",
        ]
        for f in results.flags
    ]
    head = [t("Kind"), t("Scope"), t("First"), t("Last"), t("Count"), t("Detail"), "evidence"]
    return _table(head, rows)


def _themes(results: Results, lang: str, root: str, year: str) -> str:
    t = words(lang)
    rows = [r for r in results.themes if r["scope_code"] == root and r["period"] == year]
    unhappy = sum(1 for c in results.comments if c["dissatisfied"] and str(c["period"]).startswith(year))
    if not rows:
        return f"<p>{t('No comments to analyse in this period.')}</p>"
    body = []
    for r in sorted(rows, key=lambda r: (r["kind"] != "fixed", -int(r["n"]))):
        name = results.theme_names.get(str(r["theme"]), {}).get(lang) if r["kind"] == "fixed" else t("Emergent theme")
        examples = "".join(f"<li>{escape(x)}</li>" for x in str(r["examples"]).split(" | ") if x)
        body.append(
            [
                escape(name or str(r["theme"])),
                f"{pct(r['share'], lang)} (n = {num(r['n'], lang)})",
                escape(str(r["top_terms"])),
                f"<ul>{examples}</ul>" if examples else "",
            ]
        )
    note = t(
        "Shares of the comments the model scored as dissatisfied ({n}) in {year}; comments are redacted. "
        "Emergent themes are found by the machine (NMF) and are not named.",
        n=num(unhappy, lang),
        year=year,
    )
    head = [t("Theme"), t("Share"), t("Words matched most"), t("Examples (redacted)")]
    return f"<p class='muted'>{escape(note)}</p>" + _table(head, body)


def _methods(s: dict[str, Any], lang: str) -> str:
    t = words(lang)
    cfg = s["settings"]
    flags = ", ".join(f"{k} = {cfg[k]}" for k in FLAG_SETTINGS) + f" ({FLAGS} v{FLAGS_VERSION})"
    text = t(
        "Each rate is x/n with its 95 % Wilson interval; units, counters and procedures with fewer than "
        "{min_n} ratings are shown as “too few to judge”. A unit's figures include every unit under it. "
        "Staff-entered ratings are excluded and counted separately. Decision 766 ratio = (dossiers handled − "
        "dossiers rated not satisfied or late) / dossiers handled, always beside the coverage. SIPAS-style "
        "indices: share of answers 4–5 on the 5-point scale; a factor index is the mean of its items, the "
        "service index the mean of the factors (unofficial). Trends: Laney p′ chart with the Making Data "
        "Count rules ({rules} v{rules_version}), no limits on fewer than {points} months, target {target}. "
        "Officers: empirical-Bayes estimates, funnel plot with overdispersion adjustment, hidden below "
        "{officer_min_n} ratings with secondary suppression. Flag thresholds: {flags}.",
        min_n=cfg["min_n"],
        rules=RULES,
        rules_version=RULES_VERSION,
        points=cfg["spc_min_points"],
        target=pct(cfg["target"], lang),
        officer_min_n=cfg["officer_min_n"],
        flags=flags,
    )
    return f"<p>{escape(text)}</p>"
