"""report.html: one self-contained, printable page in Vietnamese (decimal commas, "92,3 %") with an English
version in the same file (a CSS :target switch, no script). Every figure carries its n and 95 % interval;
charts are inline SVG, each followed by a table with the same numbers; the methods are stated."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from analysis.report.run import Results
from analysis.report.texts import LANGS, language_name, words

CSS = """
body{font-family:"Times New Roman",serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem;text-align:center}h2{font-size:1.15rem;margin-top:1.6rem}h3{font-size:1rem}
table{border-collapse:collapse;margin:.4rem 0;font-size:.9rem}td,th{border:1px solid #999;padding:.15rem .4rem}
td.num{text-align:right;white-space:nowrap}.muted{color:#666}.concern{color:#a00;font-weight:bold}
.improvement{color:#05a;font-weight:bold}.head{display:flex;justify-content:space-between;font-size:.9rem}
nav{text-align:right;font-size:.9rem}#en{display:none}#en:target{display:block}#en:target~#vi{display:none}
svg{max-width:100%;height:auto}details{margin:.3rem 0}
@media print{nav{display:none}details{display:block}a{color:inherit;text-decoration:none}}
"""


def pct(value: Any, lang: str) -> str:
    if value is None or value == "":
        return "—"
    text = f"{float(value) * 100:.1f} %"
    return text.replace(".", ",") if lang == "vi" else text


def num(value: Any, lang: str) -> str:
    text = f"{int(value):,}"
    return text.replace(",", ".") if lang == "vi" else text


def figure(row: dict[str, Any], lang: str) -> str:
    """'92,3 % (90,1–94,2 %; n = 1.234)', or 'too few to judge (n = 7)'."""
    t = words(lang)
    if row.get("suppressed") or row.get("value") is None:
        return f'<span class="muted">{t("too few to judge")} (n = {num(row["n"], lang)})</span>'
    low, high = pct(row["ci_low"], lang).replace(" %", ""), pct(row["ci_high"], lang)
    return f"{pct(row['value'], lang)} <span class='muted'>({low}–{high}; n = {num(row['n'], lang)})</span>"


def _table(head: list[str], body: list[list[str]]) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in body)
    return "<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + f"</tr>{rows}</table>"


def chart(points: list[dict[str, Any]], lang: str, title: str) -> str:
    """A p′ chart as inline SVG: the monthly rate, centre line and 3σ limits; special causes marked."""
    w, h, pad = 640, 200, 36
    values = [float(p["value"]) for p in points]
    bounds = [float(p[k]) for p in points for k in ("lower", "upper") if p.get(k) not in (None, "")]
    lo, hi = min(values + bounds), max(values + bounds)
    lo, hi = max(0.0, lo - 0.02), min(1.0, hi + 0.02)
    span = max(hi - lo, 1e-6)

    def xy(i: int, v: float) -> str:
        x = pad + i * (w - 2 * pad) / max(1, len(points) - 1)
        return f"{x:.1f},{h - pad - (v - lo) / span * (h - 2 * pad):.1f}"

    parts = [f'<svg viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for key, style in (("centre", "#333"), ("lower", "#c66"), ("upper", "#c66")):
        line = [xy(i, float(p[key])) for i, p in enumerate(points) if p.get(key) not in (None, "")]
        if line:
            dash = "" if key == "centre" else ' stroke-dasharray="4 3"'
            parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{style}"{dash}/>')
    parts.append(f'<polyline points="{" ".join(xy(i, v) for i, v in enumerate(values))}" fill="none" stroke="#05a"/>')
    for i, p in enumerate(points):
        colour = {"concern": "#c00", "improvement": "#08f"}.get(str(p.get("direction")), "#05a")
        cx, cy = xy(i, values[i]).split(",")
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
    parts.append(f'<text x="{pad}" y="{h - 8}" font-size="11">{escape(str(points[0]["period"]))}</text>')
    parts.append(
        f'<text x="{w - pad}" y="{h - 8}" font-size="11" text-anchor="end">{escape(str(points[-1]["period"]))}</text>'
    )
    parts.append(
        f'<text x="4" y="{pad}" font-size="11">{pct(hi, lang)}</text>'
        f'<text x="4" y="{h - pad}" font-size="11">{pct(lo, lang)}</text>'
    )
    return "".join(parts) + "</svg>"


def funnel_chart(points: list[dict[str, Any]], lang: str, title: str) -> str:
    """Officers' satisfaction against their number of ratings, with the 95 % and 99.8 % limits."""
    w, h, pad = 640, 220, 36
    top = max(p["n"] for p in points)
    low = min(min(p["rate"], p["lower998"]) for p in points)
    low = max(0.0, low - 0.02)
    span = max(1.0 - low, 1e-6)

    def xy(n: float, v: float) -> str:
        return f"{pad + n / top * (w - 2 * pad):.1f},{h - pad - (v - low) / span * (h - 2 * pad):.1f}"

    parts = [f'<svg viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for key, dash in (("lower95", "4 3"), ("upper95", "4 3"), ("lower998", ""), ("upper998", "")):
        line = " ".join(xy(p["n"], p[key]) for p in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#c66" stroke-dasharray="{dash}"/>')
    parts.append(f'<polyline points="{xy(0, points[0]["target"])} {xy(top, points[0]["target"])}" stroke="#333"/>')
    for p in points:
        cx, cy = xy(p["n"], p["rate"]).split(",")
        colour = "#05a" if p["position"] == "within" else "#c00"
        parts.append(
            f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"><title>{escape(p["officer"])}</title></circle>'
        )
    parts.append(f'<text x="{w - pad}" y="{h - 8}" font-size="11" text-anchor="end">n = {num(top, lang)}</text>')
    parts.append(f'<text x="4" y="{pad}" font-size="11">100 %</text>')
    parts.append(f'<text x="4" y="{h - pad}" font-size="11">{pct(low, lang)}</text>')
    return "".join(parts) + "</svg>"


def section(results: Results, lang: str) -> str:
    from analysis.report.sections import body

    other = LANGS[(LANGS.index(lang) + 1) % len(LANGS)]
    nav = f'<nav><a href="#{other}">{language_name(other)}</a></nav>'
    return f'<section id="{lang}" lang="{lang}">{nav}{body(results, lang)}</section>'


def render(results: Results) -> str:
    data = escape(json.dumps(results.summary["counts"], ensure_ascii=False))
    t = words(LANGS[0])
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(t('Citizen satisfaction analysis report'))}</title><style>{CSS}</style></head>"
        f'<body data-counts="{data}">{section(results, "en")}{section(results, "vi")}</body></html>'
    )


def write_report(path: Path, results: Results) -> None:
    path.write_text(render(results), encoding="utf-8")


def latest(rows: list[dict[str, Any]], period: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["period"] == period]
