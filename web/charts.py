"""The dashboard's charts: inline SVG drawn on the server, each with a table of the same figures.

Pure functions from the analysis' own results (analysis.stats) to markup: no script, no external request,
no style attribute or element (the pages' Content-Security-Policy forbids inline style), only presentation
attributes. Every text is escaped. Every chart is ``role="img"`` labelled by its ``<title>`` and ``<desc>``,
and comes with an HTML table for screen readers and for anyone who prefers numbers (``Figure``).

Marks never rely on colour alone: a special cause has a shape per rule (diamond: outside the limits,
triangle: trend, square: two of three near the limits, ring: shift) and a colour per direction (blue:
improvement, orange: concern); a funnel point's shape says above (▲) or below (▼) the expected range,
filled beyond 99.8 %, hollow beyond 95 %. Figures from too few ratings are never drawn.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from babel.dates import get_day_names
from markupsafe import Markup, escape

from analysis.stats.funnel import Funnel, limits
from analysis.stats.spc import MIN_POINTS, SpcResult
from web.i18n import N_, Text

K = TypeVar("K", bound=Hashable)

WIDTH = 640
LEFT, RIGHT, TOP = 52, 12, 14
INK, MUTED, GRID = "#1b1b1b", "#555", "#d9d9d9"
BAND, LINE = "#dbe9f6", "#24527a"
IMPROVEMENT, CONCERN, COMMON = "#1764ab", "#b35200", "#6b6b6b"
SMALL = "#e3e3e3"  # a cell from too few ratings

# Marker paths around (0, 0), drawn with transform="translate(x y)".
SHAPES = {
    "circle": "M-3.5 0a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0Z",
    "diamond": "M0-6L6 0 0 6-6 0Z",
    "up": "M0-6L5.5 4H-5.5Z",
    "down": "M0 6L5.5-4H-5.5Z",
    "square": "M-4.5-4.5H4.5V4.5H-4.5Z",
    "ring": "M-5 0a5 5 0 1 0 10 0a5 5 0 1 0-10 0Z",
}
RULE_SHAPES = {None: "circle", "outside_limits": "diamond", "trend": "up", "two_of_three": "square", "shift": "ring"}
RULE_WORDS = {
    "outside_limits": N_("a point outside the control limits"),
    "trend": N_("a trend: 6 steps in a row rising or falling"),
    "two_of_three": N_("two of three points near a limit"),
    "shift": N_("a shift: 7 points in a row on one side of the centre line"),
}
VARIATION_WORDS = {
    "common_cause": N_("common cause variation"),
    "improvement": N_("special cause variation: improvement"),
    "concern": N_("special cause variation: concern"),
}
ASSURANCE_WORDS = {
    "consistently_met": N_("the target is consistently met"),
    "consistently_missed": N_("the target is consistently missed"),
    "hit_and_miss": N_("the target will be hit and missed at random"),
}
DIRECTION_WORDS = {"improvement": N_("improvement"), "concern": N_("concern")}
POSITION_WORDS = {
    "within": N_("within the expected range"),
    "above_95": N_("above the expected range (95 %)"),
    "above_998": N_("above the expected range (99.8 %)"),
    "below_95": N_("below the expected range (95 %)"),
    "below_998": N_("below the expected range (99.8 %)"),
}


@dataclass(frozen=True)
class Figure:
    """A chart and its table; in a template ``{{ figure }}`` writes both, the table in a disclosure."""

    svg: Markup
    table: Markup
    summary: str  # the words of the disclosure that holds the table
    caption: str = ""

    def __html__(self) -> str:
        if not self.table:
            return Markup('<figure class="chart"><figcaption>{}</figcaption>{}</figure>').format(self.caption, self.svg)
        return Markup(
            '<figure class="chart"><figcaption>{}</figcaption>{}<details><summary>{}</summary>{}</details></figure>'
        ).format(self.caption, self.svg, self.summary, self.table)


@dataclass(frozen=True)
class Bar:
    """One row of an interval chart: an estimate with its 95 % interval, or too few ratings to judge."""

    label: str
    n: int
    value: float | None  # None: suppressed (too few ratings), drawn as words, not as a bar
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Share:
    """A share as the data layer gives it: its n, and its value or None when too few to show."""

    n: int
    value: float | None


@dataclass(frozen=True)
class Scale:
    """A linear map from [lo, hi] onto pixels [a, b] (b < a for a y axis)."""

    lo: float
    hi: float
    a: float
    b: float

    def __call__(self, v: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.a + (v - self.lo) / span * (self.b - self.a)


def _f(v: float) -> str:
    """A coordinate: one decimal, no trailing zero."""
    return f"{v:.1f}".rstrip("0").rstrip(".")


def share_range(values: Iterable[float], pad: float = 0.02) -> tuple[float, float, float]:
    """A y domain within [0, 1] around the values, on round ticks: (low, high, tick step)."""
    seen = list(values) or [0.0, 1.0]
    lo, hi = max(0.0, min(seen) - pad), min(1.0, max(seen) + pad)
    span = max(hi - lo, 0.01)
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if span / s <= 6)
    return math.floor(lo / step + 1e-9) * step, min(1.0, math.ceil(hi / step - 1e-9) * step), step


def _open(chart_id: str, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="img" class="chart"'
        f' aria-labelledby="{chart_id}-t {chart_id}-d" font-family="sans-serif" font-size="11" fill="{INK}">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


def _y_axis(y: Scale, step: float, t: Text, right: float) -> list[str]:
    out = []
    steps = round((y.hi - y.lo) / step)
    for i in range(steps + 1):
        v = y.lo + i * step
        out.append(
            f'<line x1="{LEFT}" x2="{_f(right)}" y1="{_f(y(v))}" y2="{_f(y(v))}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 4}" y="{_f(y(v) + 4)}" text-anchor="end">{escape(t.percent(v, 0))}</text>'
        )
    return out


def _mark(
    shape: str, x: float, y: float, fill: str, attrs: str, title: str, *, hollow: bool = False, kind: str = "pt"
) -> str:
    paint = f'fill="#fff" stroke="{fill}" stroke-width="2"' if hollow else f'fill="{fill}" stroke="#fff"'
    return f'<path class="{kind}" {attrs} transform="translate({_f(x)} {_f(y)})" d="{SHAPES[shape]}" {paint}>' + (
        f"<title>{escape(title)}</title></path>" if title else "</path>"
    )


def _table(caption: str, head: Sequence[str], rows: Iterable[Sequence[str]]) -> Markup:
    th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>" + f'<th scope="row">{escape(r[0])}</th>' + "".join(f"<td>{escape(c)}</td>" for c in r[1:]) + "</tr>"
        for r in rows
    )
    return Markup(
        f"<table><caption>{escape(caption)}</caption><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    )


def _figure(parts: list[str], title: str, table: Markup, t: Text) -> Figure:
    return Figure(Markup("".join(parts) + "</svg>"), table, t("Table of the figures"), title)


def _x_labels(labels: Sequence[str], xs: Sequence[float], baseline: float) -> list[str]:
    every = max(1, math.ceil(len(labels) / 8))
    return [
        f'<text x="{_f(x)}" y="{_f(baseline + 16)}" text-anchor="middle">{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0 or i == len(labels) - 1
    ]


def _legend(items: Sequence[tuple[str, str, str, bool]], y: float) -> list[str]:
    """(shape, colour, words, hollow) in one row."""
    out, x = [], float(LEFT)
    for shape, colour, words, hollow in items:
        out.append(_mark(shape, x + 6, y - 4, colour, 'aria-hidden="true"', words, hollow=hollow, kind="key"))
        out.append(f'<text x="{_f(x + 16)}" y="{_f(y)}">{escape(words)}</text>')
        x += 26 + 6.2 * len(words)
    return out


def spc_chart(result: SpcResult, t: Text, *, chart_id: str, title: str) -> Figure:
    """The monthly p′ chart: control limits as a band (a step per month, as the limits follow each month's
    n), the near limits dotted, the centre line, the target line dashed, the rate, and each point marked by
    the rule that fired."""
    points = result.points
    height = 260
    bottom = height - 58
    desc = t(
        "Monthly share satisfied with its control limits (Laney p′ chart, Making Data Count rules). {words}",
        words=spc_words(result, t),
    )
    parts = _open(chart_id, height, title, desc)
    if not points:
        parts.append(f'<text x="{LEFT}" y="40">{escape(t("No ratings in this period."))}</text>')
        return _figure(parts, title, _table(title, [t("Month")], []), t)
    seen = [p.value for p in points] + [v for p in points for v in (p.lower, p.upper) if v is not None]
    if result.target is not None:
        seen.append(result.target)
    lo, hi, step = share_range(seen)
    y = Scale(lo, hi, bottom, TOP)
    width = (WIDTH - LEFT - RIGHT) / len(points)
    xs = [LEFT + (i + 0.5) * width for i in range(len(points))]
    parts += _y_axis(y, step, t, WIDTH - RIGHT)
    if result.enough_history:
        parts.append('<g class="band" shape-rendering="crispEdges">')
        for p, x in zip(points, xs, strict=True):
            if p.lower is not None and p.upper is not None:
                parts.append(
                    f'<rect data-period="{escape(p.period)}" x="{_f(x - width / 2)}" y="{_f(y(p.upper))}"'
                    f' width="{_f(width)}" height="{_f(y(p.lower) - y(p.upper))}" fill="{BAND}"/>'
                )
        parts.append("</g>")
        near = "".join(
            f"M{_f(x - width / 2)} {_f(y(v))}h{_f(width)}"
            for p, x in zip(points, xs, strict=True)
            for v in (p.lower_near, p.upper_near)
            if v is not None
        )
        parts.append(f'<path d="{near}" stroke="{LINE}" stroke-dasharray="1 3" fill="none"/>')
    if result.centre is not None:
        yc = _f(y(result.centre))
        parts.append(
            f'<line class="centre" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yc}" y2="{yc}" stroke="{MUTED}"'
            f' stroke-width="1.5"/>'
        )
    if result.target is not None:
        yt = _f(y(result.target))
        parts.append(
            f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yt}" y2="{yt}" stroke="{INK}"'
            f' stroke-dasharray="6 4"/>'
        )
    line = " ".join(f"{_f(x)},{_f(y(p.value))}" for p, x in zip(points, xs, strict=True))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="1.5"/>')
    for p, x in zip(points, xs, strict=True):
        colour = {"improvement": IMPROVEMENT, "concern": CONCERN}.get(p.direction or "", COMMON)
        words = f"{p.period}: {t.percent(p.value)} (n = {t.number(p.n)})"
        if p.rule:
            words += " — " + t(RULE_WORDS[p.rule]) + f" ({t(DIRECTION_WORDS[p.direction or 'concern'])})"
        attrs = f'data-period="{escape(p.period)}" data-rule="{p.rule or "none"}"'
        parts.append(_mark(RULE_SHAPES[p.rule], x, y(p.value), colour, attrs, words, hollow=p.rule == "shift"))
    parts += _x_labels([p.period for p in points], xs, bottom)
    legend: list[tuple[str, str, str, bool]] = [("circle", COMMON, t(VARIATION_WORDS["common_cause"]), False)]
    for rule in ("outside_limits", "trend", "two_of_three", "shift"):
        if any(p.rule == rule for p in points):
            legend.append((RULE_SHAPES[rule], MUTED, t(RULE_WORDS[rule]), rule == "shift"))
    parts += _legend(legend[:3], height - 22)
    parts += _legend(legend[3:], height - 6)
    head = [t("Month"), t("Share satisfied"), "n", t("Lower limit"), t("Upper limit"), t("Special cause")]
    rows = [
        [
            p.period,
            t.percent(p.value),
            t.number(p.n),
            t.percent(p.lower),
            t.percent(p.upper),
            (t(RULE_WORDS[p.rule]) + " — " + t(DIRECTION_WORDS[p.direction or "concern"])) if p.rule else "",
        ]
        for p in points
    ]
    return _figure(parts, title, _table(title, head, rows), t)


class SpcSummary(Protocol):
    """What a chart's summary in words needs: an analysis.stats.spc.SpcResult, or the data layer's summary."""

    @property
    def variation(self) -> str | None: ...  # None: not enough history for limits

    @property
    def variation_since(self) -> str | None: ...

    @property
    def assurance(self) -> str | None: ...

    @property
    def target(self) -> float | None: ...


def spc_words(result: SpcSummary, t: Text, min_points: int = MIN_POINTS) -> str:
    """The chart's summary in words: variation and assurance, or why there are no limits."""
    if result.variation is None:
        return t("Not enough history yet: control limits need {n} months.", n=min_points)
    out = [t("Variation: {what}.", what=t(VARIATION_WORDS[result.variation]))]
    if result.variation_since:
        out.append(t("Since {month}.", month=result.variation_since))
    if result.assurance and result.target is not None:
        out.append(
            t("Target {target}: {what}.", target=t.percent(result.target), what=t(ASSURANCE_WORDS[result.assurance]))
        )
    return " ".join(out)


def funnel_chart(
    found: Funnel[K], names: Mapping[K, str], t: Text, *, chart_id: str, title: str, detail: bool = True
) -> Figure:
    """Each member's rate against its number of ratings, with the group's 95 % and 99.8 % limits drawn as
    curves (analysis.stats.funnel.limits at each n, with the group's overdispersion). Only the members
    given are drawn: leave out those below the minimum n. Without ``detail`` (a large group, where the page
    keeps its weight) the points carry no tooltip and the chart no table: the page's own table is the
    alternative."""
    points = sorted(found.points, key=lambda p: p.n)
    height = 280
    bottom = height - 58
    desc = t(
        "Funnel plot: each point is one officer, share satisfied against number of ratings; the curves are "
        "the 95 % and 99.8 % limits around the group's share {target}.",
        target=t.percent(found.target),
    )
    parts = _open(chart_id, height, title, desc)
    if not points:
        parts.append(f'<text x="{LEFT}" y="40">{escape(t("No officer has enough ratings to show."))}</text>')
        return _figure(parts, title, _table(title, [t("Officer")], []), t)
    n_lo, n_hi = points[0].n, points[-1].n
    grid = sorted({round(n_lo * (n_hi / n_lo) ** (i / 40)) for i in range(41)} | {n_lo, n_hi})
    curves = {n: limits(n, found.target, found.tau2) for n in grid}
    seen = [p.rate for p in points] + [found.target]
    seen += [v for lim in curves.values() for v in (lim.lower998, lim.upper998)]
    lo, hi, step = share_range(seen)
    y = Scale(lo, hi, bottom, TOP)
    x = Scale(0.0, n_hi * 1.05, LEFT, WIDTH - RIGHT)
    parts += _y_axis(y, step, t, WIDTH - RIGHT)
    for key, dash in (("lower998", ""), ("upper998", ""), ("lower95", "5 3"), ("upper95", "5 3")):
        line = " ".join(f"{_f(x(n))},{_f(y(getattr(curves[n], key)))}" for n in grid)
        style = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline class="{key}" points="{line}" fill="none" stroke="{LINE}"{style}/>')
    yt = _f(y(found.target))
    parts.append(f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yt}" y2="{yt}" stroke="{MUTED}"/>')
    for p in points:
        where = p.position
        shape = "up" if where.startswith("above") else "down" if where.startswith("below") else "circle"
        colour = IMPROVEMENT if shape == "up" else CONCERN if shape == "down" else COMMON
        name = names.get(p.key, str(p.key))
        words = f"{name}: {t.percent(p.rate)} (n = {t.number(p.n)}) — {t(POSITION_WORDS[where])}" if detail else ""
        attrs = f'data-n="{p.n}" data-position="{where}"'
        parts.append(_mark(shape, x(p.n), y(p.rate), colour, attrs, words, hollow=where.endswith("_95")))
    ticks = _ticks(n_hi)
    parts += [
        f'<text x="{_f(x(v))}" y="{bottom + 16}" text-anchor="middle">{escape(t.number(v))}</text>' for v in ticks
    ]
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{bottom + 30}" text-anchor="end">{escape(t("Number of ratings (n)"))}</text>'
    )
    parts += _legend(
        [
            ("circle", COMMON, t(POSITION_WORDS["within"]), False),
            ("up", IMPROVEMENT, t("above (filled: 99.8 %)"), False),
            ("down", CONCERN, t("below (filled: 99.8 %)"), False),
        ],
        height - 6,
    )
    head = [t("Officer"), "n", t("Share satisfied"), t("95 % limits"), t("99.8 % limits"), t("Position")]
    rows = [
        [
            names.get(p.key, str(p.key)),
            t.number(p.n),
            t.percent(p.rate),
            f"{t.percent(p.limits.lower95)} – {t.percent(p.limits.upper95)}",
            f"{t.percent(p.limits.lower998)} – {t.percent(p.limits.upper998)}",
            t(POSITION_WORDS[p.position]),
        ]
        for p in (points if detail else ())
    ]
    return _figure(parts, title, _table(title, head, rows) if detail else Markup(""), t)


def _ticks(top: int) -> list[int]:
    """Round tick values from 0 to ``top``: steps of 1, 2, 5, 10, 20, 50 … with at most 6 ticks."""
    step = next(m * 10**e for e in range(12) for m in (1, 2, 5) if top / (m * 10**e) <= 5)
    return list(range(0, top + 1, step))


def heatmap(cells: Mapping[tuple[int, int], Share], t: Text, *, chart_id: str, title: str, min_n: int = 10) -> Figure:
    """Share satisfied by hour (columns) and weekday (rows, 0 = Monday), from {(weekday, hour): Share}.
    A cell without a value (fewer than ``min_n`` ratings, as the data layer decided) is grey and shows
    its n, no share."""
    days = get_day_names("abbreviated", locale=t.lang)
    hours = sorted({h for _, h in cells}) or [8]
    first, last = hours[0], hours[-1]
    columns = list(range(first, last + 1))
    shown = {key: share for key, share in cells.items() if share.n > 0}
    weighted = [(p.value, p.n) for p in shown.values() if p.value is not None]
    centre = sum(v * n for v, n in weighted) / max(1, sum(n for _, n in weighted))
    spread = max([0.05, *(abs(v - centre) for v, _ in weighted)])
    cell_w = min(40.0, (WIDTH - LEFT - RIGHT) / len(columns))
    cell_h = 24
    height = TOP + 7 * cell_h + 52
    desc = t(
        "Share satisfied by weekday and hour of the day; grey cells have fewer than {n} ratings and show "
        "their number of ratings instead.",
        n=min_n,
    )
    parts = _open(chart_id, height, title, desc)
    for day in range(7):
        yy = TOP + day * cell_h
        parts.append(f'<text x="{LEFT - 4}" y="{yy + 16}" text-anchor="end">{escape(days[day])}</text>')
        for col, hour in enumerate(columns):
            xx = LEFT + col * cell_w
            p = shown.get((day, hour))
            attrs = f'class="cell" data-day="{day}" data-hour="{hour}" x="{_f(xx)}" y="{yy}"'
            size = f'width="{_f(cell_w - 1)}" height="{cell_h - 1}"'
            if p is None:
                parts.append(f'<rect {attrs} data-n="0" {size} fill="#fff" stroke="{GRID}"/>')
            elif p.value is None:
                label = t("{hour}:00, {day}: too few to judge (n = {n})", hour=hour, day=days[day], n=p.n)
                parts.append(
                    f'<rect {attrs} data-n="{p.n}" data-small="1" {size} fill="{SMALL}"><title>{escape(label)}'
                    f'</title></rect><text x="{_f(xx + cell_w / 2)}" y="{yy + 16}" text-anchor="middle"'
                    f' font-size="9" fill="{MUTED}">n{p.n}</text>'
                )
            else:
                label = f"{hour}:00, {days[day]}: {t.percent(p.value)} (n = {t.number(p.n)})"
                fill = _ramp(0.5 + (p.value - centre) / (2 * spread))
                parts.append(
                    f'<rect {attrs} data-n="{p.n}" {size} fill="{fill}"><title>{escape(label)}</title></rect>'
                    f'<text x="{_f(xx + cell_w / 2)}" y="{yy + 16}" text-anchor="middle">'
                    f"{escape(t.number(p.value * 100))}</text>"
                )
    base = TOP + 7 * cell_h
    parts += [
        f'<text x="{_f(LEFT + col * cell_w + cell_w / 2)}" y="{base + 14}" text-anchor="middle">{hour}</text>'
        for col, hour in enumerate(columns)
    ]
    parts.append(
        f'<text x="{LEFT}" y="{base + 30}">{escape(t(HEAT_WORDS))}'
        f'</text><rect x="{LEFT}" y="{base + 38}" width="12" height="10" fill="{SMALL}"/>'
        f'<text x="{LEFT + 16}" y="{base + 47}">{escape(t("fewer than {n} ratings (n shown)", n=min_n))}</text>'
    )
    head = [t("Weekday"), *[f"{h}:00" for h in columns]]
    rows = [[days[day], *(_cell(shown.get((day, hour)), t) for hour in columns)] for day in range(7)]
    return _figure(parts, title, _table(title, head, rows), t)


HEAT_WORDS = N_(
    "Hour of the day; each cell shows the share satisfied in %: orange below the average of the period, blue above."
)


def _cell(p: Share | None, t: Text) -> str:
    """A table cell: empty without ratings, "too few (n = 7)" below the minimum, else "92,3 % (n = 45)"."""
    if p is None:
        return ""
    if p.value is None:
        return t("too few (n = {n})", n=p.n)
    return f"{t.percent(p.value)} (n = {t.number(p.n)})"


def _ramp(share: float) -> str:
    """Light orange (low) through near-white to light blue (high): dark text stays readable on each."""
    stops = ((0.0, (246, 178, 107)), (0.5, (244, 244, 244)), (1.0, (143, 188, 230)))
    share = min(max(share, 0.0), 1.0)
    (a, ca), (b, cb) = (stops[0], stops[1]) if share <= 0.5 else (stops[1], stops[2])
    f = (share - a) / (b - a)
    r, g, bl = (round(u + (v - u) * f) for u, v in zip(ca, cb, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def interval_chart(bars: Sequence[Bar], t: Text, *, chart_id: str, title: str, target: float | None = None) -> Figure:
    """One row per item: a dot at the estimate with its 95 % interval as whiskers; an item from too few
    ratings is written out ("too few to judge, n = 7"), never drawn."""
    label_w = 250
    row_h = 24
    height = TOP + row_h * max(1, len(bars)) + 30
    desc = t("Each row: the estimate as a dot and its 95 % interval as a line; n beside it.")
    parts = _open(chart_id, height, title, desc)
    seen = [v for b in bars if b.value is not None for v in (b.low, b.high, b.value) if v is not None]
    if target is not None:
        seen.append(target)
    lo, hi, step = share_range(seen)
    left = LEFT + label_w - 40
    x = Scale(lo, hi, left, WIDTH - RIGHT - 60)
    base = TOP + row_h * max(1, len(bars))
    steps = round((hi - lo) / step)
    for i in range(steps + 1):
        v = lo + i * step
        parts.append(
            f'<line x1="{_f(x(v))}" x2="{_f(x(v))}" y1="{TOP}" y2="{base}" stroke="{GRID}"/>'
            f'<text x="{_f(x(v))}" y="{base + 14}" text-anchor="middle">{escape(t.percent(v, 0))}</text>'
        )
    if target is not None:
        parts.append(
            f'<line class="target" x1="{_f(x(target))}" x2="{_f(x(target))}" y1="{TOP}" y2="{base}"'
            f' stroke="{INK}" stroke-dasharray="6 4"/>'
        )
    for i, b in enumerate(bars):
        yy = TOP + i * row_h + row_h / 2
        label = f'<text x="{left - 8}" y="{_f(yy + 4)}" text-anchor="end">{escape(_clip_text(b.label, 38))}</text>'
        parts.append(label)  # no link: a role="img" chart holds nothing focusable (the table beside it links)
        n_text = f"n = {t.number(b.n)}"
        if b.value is None:
            parts.append(
                f'<text class="small" x="{left}" y="{_f(yy + 4)}" fill="{MUTED}">'
                f"{escape(t('too few to judge'))} ({escape(n_text)})</text>"
            )
            continue
        if b.low is not None and b.high is not None:
            parts.append(
                f'<path class="ci" d="M{_f(x(b.low))} {_f(yy)}H{_f(x(b.high))}M{_f(x(b.low))} {_f(yy - 5)}v10'
                f'M{_f(x(b.high))} {_f(yy - 5)}v10" stroke="{LINE}" stroke-width="1.5" fill="none"/>'
            )
        words = f"{b.label}: {t.percent(b.value)} ({t.percent(b.low)} – {t.percent(b.high)}; {n_text})"
        parts.append(_mark("circle", x(b.value), yy, LINE, f'data-row="{i}"', words))
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{_f(yy + 4)}" text-anchor="end">{escape(t.percent(b.value))}</text>'
        )
    head = [title, t("Estimate"), t("95 % interval"), "n"]
    rows = [
        [
            b.label,
            t.percent(b.value) if b.value is not None else t("too few to judge"),
            f"{t.percent(b.low)} – {t.percent(b.high)}" if b.value is not None else "",
            t.number(b.n),
        ]
        for b in bars
    ]
    return _figure(parts, title, _table(title, head, rows), t)


def _clip_text(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[str, Share]]  # (period, its share)


def lines_chart(
    periods: Sequence[str], series: Sequence[Series], t: Text, *, chart_id: str, title: str, min_n: int = 10
) -> Figure:
    """Two or three monthly shares on one axis (kiosk against receipt QR): a solid line with dots, a dashed
    line with squares; a month without a value (too few, as the data layer decided) leaves a gap and no mark."""
    height = 240
    bottom = height - 50
    desc = t("Monthly share satisfied of each channel; months with fewer than {n} ratings are left out.", n=min_n)
    parts = _open(chart_id, height, title, desc)
    shown = [{period: share for period, share in s.points if share.n > 0} for s in series]
    values = [p.value for by in shown for p in by.values() if p.value is not None]
    lo, hi, step = share_range(values)
    y = Scale(lo, hi, bottom, TOP)
    width = (WIDTH - LEFT - RIGHT) / max(1, len(periods))
    xs = [LEFT + (i + 0.5) * width for i in range(len(periods))]
    parts += _y_axis(y, step, t, WIDTH - RIGHT)
    styles = (("circle", LINE, ""), ("square", CONCERN, ' stroke-dasharray="6 3"'), ("diamond", COMMON, ""))
    legend = []
    for s, by, (shape, colour, dash) in zip(series, shown, styles, strict=False):
        runs: list[list[str]] = [[]]
        marks = []
        for period, xx in zip(periods, xs, strict=True):
            p = by.get(period)
            if p is None or p.value is None:
                runs.append([])
                continue
            runs[-1].append(f"{_f(xx)},{_f(y(p.value))}")
            words = f"{s.name}, {period}: {t.percent(p.value)} (n = {t.number(p.n)})"
            marks.append(
                _mark(
                    shape,
                    xx,
                    y(p.value),
                    colour,
                    f'data-series="{escape(s.name)}" data-period="{escape(period)}"',
                    words,
                )
            )
        parts += [
            f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}/>'
            for r in runs
            if len(r) > 1
        ]
        parts += marks
        legend.append((shape, colour, s.name, False))
    parts += _x_labels(list(periods), xs, bottom)
    parts += _legend(legend, height - 8)
    head = [t("Month"), *[s.name for s in series]]
    rows = [[period, *(_cell(by.get(period), t) for by in shown)] for period in periods]
    return _figure(parts, title, _table(title, head, rows), t)


ICONS = {
    # Making Data Count's icons, drawn as a ring with a letter: H (higher: improvement when higher is
    # better), L (lower: concern), a flat line for common cause; P (passes), F (fails), ? (hit and miss).
    ("variation", "improvement"): (IMPROVEMENT, "H"),
    ("variation", "concern"): (CONCERN, "L"),
    ("variation", "common_cause"): (COMMON, "~"),
    ("assurance", "consistently_met"): (IMPROVEMENT, "P"),
    ("assurance", "consistently_missed"): (CONCERN, "F"),
    ("assurance", "hit_and_miss"): (COMMON, "?"),
}


def icon(kind: str, value: str | None) -> Markup:
    """A small variation or assurance icon; decorative (``aria-hidden``): the page writes its words beside it."""
    found = ICONS.get((kind, value or ""))
    if found is None:
        return Markup("")
    colour, letter = found
    return Markup(
        f'<svg class="icon" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">'
        f'<circle cx="16" cy="16" r="13" fill="#fff" stroke="{colour}" stroke-width="3"/>'
        f'<text x="16" y="21.5" text-anchor="middle" font-family="sans-serif" font-size="16" font-weight="bold"'
        f' fill="{colour}">{escape(letter)}</text></svg>'
    )
