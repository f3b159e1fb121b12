"""The report's sections, in one language."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from analysis.report.html import _table, chart, figure, funnel_chart, num, pct
from analysis.report.run import Results
from analysis.report.settings import FLAGS, FLAGS_VERSION, RULES, RULES_VERSION
from analysis.report.texts import METHODS, TEXT

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


def body(results: Results, lang: str) -> str:
    t = TEXT[lang]
    s = results.summary
    year = s["period"]["months"][-1][:4]
    index: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)  # (kind, code) -> measure -> row
    for r in results.indices:
        if r["period"] == year:
            index[(r["scope_kind"], r["scope_code"])][r["measure"]] = r
    root = s["scope"]["unit"]
    units = sorted(code for kind, code in index if kind == "unit")
    parts = [
        f'<div class="head"><div>{escape(t["body"])}: <b>{escape(root or "—")}</b></div>'
        f"<div>{escape(t['motto'])}</div></div>",
        f"<h1>{escape(t['title'])}</h1>",
        f"<p style='text-align:center'>{escape(t['period'])}: {s['period']['from']} – {s['period']['to']} "
        f"({escape(s['period']['time_zone'])})</p><p class='muted'>{escape(t['tables_for'])} {year}</p>",
        f"<h2>{t['timeliness']}</h2>",
        _measures(
            index,
            units,
            ("early_share", "on_time_share", "late_share"),
            lang,
            ("early", "on_time", "late"),
            results.names,
        ),
        f"<h2>{t['satisfaction']}</h2>",
        _measures(index, units, ("counter_rate", "ratio_766", "coverage"), lang, (), results.names),
        f"<p>{escape(t['staff'])}: {num(s['counts']['staff_entered_excluded'], lang)}</p>",
        f"<p>{escape(t['feedback_8'])}: {escape(_feedback(s.get('feedback_handling'), lang))}</p>",
        f"<h2>{t['sipas']}</h2><p class='muted'>{escape(t['unofficial'])}</p>",
        _sipas(index.get(("unit", root), {}), lang, results.sections),
        f"<h2>{t['trends']}</h2>",
        _trends(results, lang),
        f"<h2>{t['changes']}</h2>",
        _changes(results, lang),
        f"<h2>{t['officers']}</h2><p>{escape(t['officers_note'].format(min_n=s['settings']['officer_min_n']))}</p>",
        _officers(results, lang, year),
        f"<h2>{t['flags']}</h2>",
        _flags(results, lang),
        f"<h2>{t['themes']}</h2>",
        _themes(results, lang, root, year),
        f"<h2>{t['methods']}</h2>",
        _methods(s, lang),
    ]
    return "".join(parts)


def _feedback(found: dict[str, Any] | None, lang: str) -> str:
    """Indicator 8 (the batch's summary, analysis.stats.official.feedback_handling)."""
    t = TEXT[lang]
    if not found or found.get("points") is None:
        return str(t["feedback_8_none"])
    due = int(found["on_time"]) + int(found["late"])
    return str(t["feedback_8_figure"]).format(
        on_time=num(found["on_time"], lang), due=num(due, lang), pending=num(found["pending"], lang),
        points=found["points"],
    )  # fmt: skip


def _measures(
    index: Any, units: list[str], measures: tuple[str, ...], lang: str, labels: tuple[str, ...] = (), names: Any = None
) -> str:
    names = names or {}
    t = TEXT[lang]
    head = [t["unit"], *(t[label] for label in (labels or measures))]
    rows = [
        [
            f"{escape(names.get(u, u))} <span class='muted'>{escape(u)}</span>",
            *(figure(index[("unit", u)][m], lang) if m in index[("unit", u)] else "—" for m in measures),
        ]
        for u in units
    ]
    return _table(head, rows)


def _sipas(found: dict[str, dict[str, Any]], lang: str, sections: dict[str, dict[str, str]]) -> str:
    t = TEXT[lang]
    keys = [
        *sorted(k for k in found if k.startswith("sipas_factor:")),
        "sipas_service",
        "harassment_share",
        "payment_share",
    ]
    rows = [
        [escape(t.get(k) or f"{k[13:]}. {sections.get(k[13:], {}).get(lang, '')}"), figure(found[k], lang)]
        for k in keys
        if k in found
    ]
    return _table([t["measure"], t["value"]], rows)


def _trends(results: Results, lang: str) -> str:
    t = TEXT[lang]
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results.trends:
        series[str(r["scope_code"])].append(r)
    flagged = {code: pts for code, pts in series.items() if any(p["rule"] for p in pts[-6:])}
    if not flagged:
        return f"<p>{t['no_trend']}</p>"
    out = []
    for code, points in sorted(flagged.items()):
        signals = [p for p in points if p["rule"]]
        last = signals[-1]
        summary = results.charts.get(code, {})
        title = f"{code}: {t[str(last['rule'])]} ({t[str(last['direction'])]}) {last['period']}"
        words = [f"{t['variation']}: {t.get(str(summary.get('variation')), '—')}"]
        if summary.get("variation_since"):
            words[0] += f" ({t['since']} {summary['variation_since']})"
        words.append(f"{t['assurance']}: {t.get(str(summary.get('assurance')), '—')}")
        words.append(str(summary.get("ruleset", "")))
        out.append(f"<h3>{escape(title)}</h3><p class='muted'>{escape('; '.join(words))}</p>")
        out.append(chart(points, lang, title))
        rows = [
            [
                str(p["period"]),
                pct(p["value"], lang),
                num(p["n"], lang),
                pct(p["centre"], lang),
                pct(p["lower"], lang),
                pct(p["upper"], lang),
                escape(t.get(str(p["rule"]), "")),
                f"<span class='{p['direction']}'>{escape(t.get(str(p['direction']), ''))}</span>",
            ]
            for p in points
        ]
        out.append(
            f"<details><summary>{t['table']}</summary>"
            + _table([t["month"], t["value"], "n", "p̄", "LCL", "UCL", t["rule"], t["direction"]], rows)
            + "</details>"
        )
    return "".join(out)


def _changes(results: Results, lang: str) -> str:
    t = TEXT[lang]
    marked = [c for c in results.changes if c.get("changed")]
    if not marked:
        return f"<p>{t['no_change']}</p>"
    rows = [
        [
            escape(str(c["unit"])),
            f"{pct(int(c['x1']) / int(c['n1']), lang)} (n = {num(c['n1'], lang)})",
            f"{pct(int(c['x2']) / int(c['n2']), lang)} (n = {num(c['n2'], lang)})",
            f"{float(c['q']):.2g}",
        ]
        for c in marked
    ]
    return _table([t["unit"], t["from"], t["to"], t["q"]], rows)


def _officers(results: Results, lang: str, year: str) -> str:
    t = TEXT[lang]
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
                escape(t[str(r["funnel"])]),
            ]
        )
    hidden = sum(1 for r in results.officers if r["period"] == year and r["suppressed"])
    charts = "".join(
        funnel_chart(points, lang, f"{t['funnel']}: {kind} {year}") + _funnel_table(points, lang)
        for kind, points in sorted(results.funnels.items())
        if points
    )
    table = _table([t["unit"], t["officer"], t["estimate"], "95 %", "n", t["funnel"]], rows) if rows else ""
    return charts + table + f"<p class='muted'>{num(hidden, lang)} × {escape(t['too_few'])}</p>"


def _funnel_table(points: list[dict[str, Any]], lang: str) -> str:
    """The funnel's numbers, ordered by n (not a league table)."""
    t = TEXT[lang]
    rows = [
        [
            escape(p["officer"]),
            num(p["n"], lang),
            pct(p["rate"], lang),
            f"{pct(p['lower95'], lang)} – {pct(p['upper95'], lang)}",
            f"{pct(p['lower998'], lang)} – {pct(p['upper998'], lang)}",
            escape(t[p["position"]]),
        ]
        for p in points
    ]
    head = [t["officer"], "n", t["value"], "95 %", "99,8 %" if lang == "vi" else "99.8 %", t["funnel"]]
    return f"<details><summary>{t['table']}</summary>{_table(head, rows)}</details>"


def _flags(results: Results, lang: str) -> str:
    t = TEXT[lang]
    if not results.flags:
        return f"<p>{t['no_flags']}</p>"
    rows = [
        [
            escape(t[str(f["kind"])]),
            escape(f"{f['scope_kind']} {f['scope_code']}"),
            escape(str(f["first_at"])),
            escape(str(f["last_at"])),
            num(f["count"], lang),
            escape(str(f["detail"])),
            f"<details><summary>…</summary><code>{escape(str(f['evidence']))}</code></details>",
        ]
        for f in results.flags
    ]
    return _table([t["kind"], t["scope"], t["first"], t["last"], t["count"], t["detail"], "evidence"], rows)


def _themes(results: Results, lang: str, root: str, year: str) -> str:
    t = TEXT[lang]
    rows = [r for r in results.themes if r["scope_code"] == root and r["period"] == year]
    unhappy = sum(1 for c in results.comments if c["dissatisfied"] and str(c["period"]).startswith(year))
    if not rows:
        return f"<p>{t['no_comments']}</p>"
    body = []
    for r in sorted(rows, key=lambda r: (r["kind"] != "fixed", -int(r["n"]))):
        name = results.theme_names.get(str(r["theme"]), {}).get(lang) if r["kind"] == "fixed" else t["emergent"]
        examples = "".join(f"<li>{escape(x)}</li>" for x in str(r["examples"]).split(" | ") if x)
        body.append(
            [
                escape(name or str(r["theme"])),
                f"{pct(r['share'], lang)} (n = {num(r['n'], lang)})",
                escape(str(r["top_terms"])),
                f"<ul>{examples}</ul>" if examples else "",
            ]
        )
    note = f"<p class='muted'>{escape(t['themes_note'].format(n=num(unhappy, lang), year=year))}</p>"
    return note + _table([t["theme"], t["share_unhappy"], t["top_terms"], t["examples"]], body)


def _methods(s: dict[str, Any], lang: str) -> str:
    cfg = s["settings"]
    flags = ", ".join(f"{k} = {cfg[k]}" for k in FLAG_SETTINGS) + f" ({FLAGS} v{FLAGS_VERSION})"
    text = METHODS[lang].format(
        min_n=cfg["min_n"],
        rules=RULES,
        rules_version=RULES_VERSION,
        points=cfg["spc_min_points"],
        target=pct(cfg["target"], lang),
        officer_min_n=cfg["officer_min_n"],
        flags=flags,
    )
    return f"<p>{escape(text)}</p>"
