"""The dashboard's figures for one unit (its whole subtree) and period, scoped by the viewer.

Every number is computed by the same code as ``hailong analyze`` (analysis/report, analysis/stats) from
the same reading of the store (api/insights/gather.py), so a view for a unit and a period gives exactly the
numbers of ``hailong analyze --unit CODE --from FIRST --to LAST``: its month, quarter or year row when the
period is one, else the sum of its months (each view asks the report functions for one period made of all
the period's months). Nothing here computes a formula of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar, cast

import msgspec

from analysis.report import indices, officers
from analysis.report import trends as report_trends
from analysis.report.facts import Facts
from analysis.report.settings import Settings
from analysis.stats.official import TIMELINESS_BANDS, timeliness_of_counts
from analysis.stats.proportions import proportion
from api.db import Store, now_ms
from api.errors import Invalid, NotFound
from api.insights import queries
from api.insights.gather import ScopeError, gather
from api.viewer import Viewer

MAX_DAYS = 731  # two years: the longest period a view takes (its previous period doubles what is read)
DEFAULTS = Settings()  # the analysis settings of ``hailong analyze``
PERIOD = "period"  # the label of the one period a view asks the report functions for
OVERVIEW_MEASURES = (
    "counter_rate",
    "ratio_766",
    "coverage",
    "sipas_service",
    "harassment_share",
    "payment_share",
    "early_share",
    "on_time_share",
    "late_share",
)
DRILLDOWN_MEASURES = ("counter_rate", "ratio_766", "coverage", "sipas_service", "on_time_share", "late_share")
VIEWS_KEPT = 256  # computed views kept, one per view, unit, period and data version
_views: dict[tuple[Any, ...], Any] = {}
V = TypeVar("V")
V_co = TypeVar("V_co", covariant=True)


async def _kept(
    store: Store,
    name: str,
    unit: dict[str, Any],
    first: date,
    last: date,
    settings: Settings,
    extra: Any,
    compute: Callable[[], Awaitable[V]],
) -> V:
    """A view computed again only when its data have changed: the rollups are brought up to date, and the
    result is kept for the data version it was computed from (``queries.version``: every rollup's last
    change, the units, counters, officers and procedures). A new rating shows as soon as a read rolls it
    up; unchanged data are not computed twice (a province's officer intervals alone take ~200 ms)."""
    from api.dashboard import queries as dq
    from api.insights import rollups

    await rollups.refresh(store)
    key = (name, store.url, str(unit["code"]), first, last, settings, extra, await store.read(dq.version))
    found = _views.get(key)
    if found is None:
        found = _views[key] = await compute()
        while len(_views) > VIEWS_KEPT:
            _views.pop(next(iter(_views)))
    return cast(V, found)


TESTED = frozenset(m for m in OVERVIEW_MEASURES if m != "sipas_service")  # proportions (x of n), not composites


class UnitRef(msgspec.Struct):
    code: str
    name: str
    kind: str


class Period(msgspec.Struct):
    first: date
    last: date


class Change(msgspec.Struct):
    """This period against the previous one of the same length. ``tested`` is False for composite indices
    (SIPAS-style factor and service indices) and where either side is too small; ``significant`` only after
    Benjamini-Hochberg correction across the figures tested together."""

    previous_n: int
    previous_x: int
    previous_value: float | None
    difference: float | None
    tested: bool
    p: float | None = None
    q: float | None = None
    significant: bool = False


class Figure(msgspec.Struct):
    """x of n with its 95 % interval (Wilson; composites: the mean of their items' bounds); value and bounds
    are null when suppressed (fewer than the minimum n)."""

    measure: str
    n: int
    x: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    excluded: int
    suppressed: bool
    change: Change | None = None


class Spc(msgspec.Struct):
    """Variation and assurance of the monthly p′ chart of the counter satisfaction rate (null: too few months)."""

    variation: str | None
    variation_since: str | None
    assurance: str | None
    points: int
    target: float
    ruleset: str


class Timeliness(msgspec.Struct):
    """Circular 01 indicator 1: early 2, on time 1, late 0 points per dossier returned (unofficial)."""

    dossiers: int
    points: int
    mean_points: float | None


class Overview(msgspec.Struct):
    unit: UnitRef
    period: Period
    previous: Period
    figures: list[Figure]  # OVERVIEW_MEASURES, then the SIPAS-style factors (sipas_factor:…)
    timeliness: Timeliness
    spc: Spc
    staff_entered: int  # excluded from every figure
    min_n: int
    alpha: float
    as_of: datetime  # when the oldest count shown was read


class TrendPoint(msgspec.Struct):
    month: str
    n: int
    x: int
    value: float
    centre: float | None
    lower: float | None
    upper: float | None
    rule: str | None
    direction: str | None


class MonthFigure(msgspec.Struct):
    month: str
    n: int
    x: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class Trends(msgspec.Struct):
    unit: UnitRef
    period: Period
    points: list[TrendPoint]  # the p′ chart of the counter satisfaction rate; limits null below 12 months
    spc: Spc
    kiosk: list[MonthFigure]  # the counter satisfaction rate of kiosk taps only
    receipt_qr: list[MonthFigure]  # the SIPAS-style service index of the receipt questionnaire
    as_of: datetime  # when the oldest count shown was read


class ChildFigures(msgspec.Struct):
    unit: UnitRef
    figures: list[Figure]


class Drilldown(msgspec.Struct):
    unit: UnitRef
    period: Period
    total: list[Figure]
    children: list[ChildFigures]  # only the children the viewer may see
    min_n: int
    as_of: datetime  # when the oldest count shown was read


class FunnelLimits(msgspec.Struct):
    target: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float


class OfficerScore(msgspec.Struct):
    """An officer's empirical-Bayes estimate with its 95 % credible interval and funnel position; when
    suppressed (fewer than the minimum n, or hidden so that a hidden score cannot be derived) only n."""

    officer: str
    name: str
    unit: str
    n: int
    suppressed: bool
    x: int | None = None
    raw_rate: float | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    funnel: str | None = None  # within, above_95, above_998, below_95, below_998
    limits: FunnelLimits | None = None


class OfficerScores(msgspec.Struct):
    unit: UnitRef
    period: Period
    officers: list[OfficerScore]  # ordered by unit and code: never a league table
    min_n: int
    as_of: datetime  # when the oldest count shown was read


class HeatCell(msgspec.Struct):
    weekday: int  # 0 = Monday
    hour: int  # local hour 0-23
    n: int
    x: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    small: bool  # fewer than the minimum n: no rate shown


class Heatmap(msgspec.Struct):
    unit: UnitRef
    period: Period
    cells: list[HeatCell]  # only hours with ratings
    min_n: int
    as_of: datetime  # when the oldest count shown was read


def check_period(first: date, last: date) -> None:
    if last < first:
        raise Invalid(f"'to' ({last}) is before 'from' ({first}).", code="bad-period")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f"The period is {(last - first).days + 1} days; at most {MAX_DAYS}.", code="period-too-long")


def previous_period(first: date, last: date) -> tuple[date, date]:
    days = (last - first).days + 1
    return first - timedelta(days=days), first - timedelta(days=1)


async def _unit(
    store: Store, viewer: Viewer, unit_code: str | None, first: date, last: date
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The unit asked for (default: the viewer's own unit, else the root), checked against the viewer, and
    every unit; the period checked first."""
    check_period(first, last)
    rows = await store.read(queries.units)
    if unit_code is None:
        if viewer.unit_id is not None:
            found = next((u for u in rows if int(u["id"]) == viewer.unit_id), None)
        else:
            roots = [u for u in rows if u["parent_id"] is None]
            found = roots[0] if len(roots) == 1 else None
    else:
        found = next((u for u in rows if u["code"] == unit_code), None)
    if found is None:
        raise NotFound(f"No unit with code {unit_code!r}." if unit_code else "Name a unit with ?unit=CODE.")
    viewer.check_sees(int(found["id"]))
    return found, rows


def _ref(unit: dict[str, Any]) -> UnitRef:
    return UnitRef(str(unit["code"]), str(unit["name"]), str(unit["kind"]))


async def _facts(
    store: Store,
    code: str,
    first: date,
    last: date,
    settings: Settings,
    parts: Iterable[str],
    depth: int | None = None,
) -> tuple[Facts, int]:
    """The period's counts (from the rollups, brought up to date first) and when they were read. With ``depth``
    (0: the unit, 1: it and its children) the rows are first summed into those units (``merged``): a view
    that shows no counter, officer, procedure or channel then computes far fewer scopes."""
    read_at = now_ms()
    try:
        facts = await gather(store, first, last, code, settings, _quiet, frozenset(parts), depth)
    except ScopeError as exc:
        raise NotFound(str(exc)) from None
    if depth is not None:
        facts = merged(facts, depth, FIELDS)
    return facts, read_at


FIELDS = ("ratings", "dossiers", "rated_dossiers", "procedure_ratings", "answers", "responses")
SUMMED = frozenset({"n", "x", "top", "rows", "sat", "some"})
BLANKED = {"counter": "", "officer": None, "procedure": "", "channel": ""}


def merged(facts: Facts, depth: int, fields: Iterable[str]) -> Facts:
    """The same counts with every unit folded into its ancestor at ``depth`` below the root, and counters,
    officers, procedures and channels blanked: the unit figures of those units are unchanged (they are sums),
    and only they may be read from the result."""
    up = facts.ancestors()
    into: dict[str, str] = {}
    for unit, chain in up.items():
        into[unit] = chain[max(0, len(chain) - 1 - depth)]  # chain: the unit, …, the root
    kept = set(into.values())
    out = replace(facts, units=[u for u in facts.units if u.code in kept])
    for name in fields:
        rows = getattr(facts, name)
        if not isinstance(rows, list):
            continue
        sums: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in rows:
            row = {**r, "unit": into.get(r["unit"], r["unit"])} if "unit" in r else dict(r)
            for k, v in BLANKED.items():
                if k in row:
                    row[k] = v
            key = tuple(sorted((k, v) for k, v in row.items() if k not in SUMMED))
            cell = sums.get(key)
            if cell is None:
                sums[key] = row
            else:
                for k in SUMMED & row.keys():
                    cell[k] += row[k]
        setattr(out, name, list(sums.values()))
    return out


def _quiet(message: str) -> None:
    pass


def _as_of(ms: int | None = None) -> datetime:
    """When the counts shown were read (the oldest of them)."""
    return datetime.fromtimestamp((now_ms() if ms is None else ms) / 1000).astimezone()


def _figure(row: dict[str, Any]) -> Figure:
    return Figure(
        str(row["measure"]),
        int(row["n"]),
        int(row["x"]),
        row["value"],
        row["ci_low"],
        row["ci_high"],
        int(row.get("excluded") or 0),
        bool(row["suppressed"]),
    )


def _rows(
    facts: Facts, settings: Settings, scopes: set[str], acc: indices.Counts | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """unit code -> measure -> the indices.csv row of the whole period."""
    found = indices.rows(facts, settings, acc, [(PERIOD, facts.months)], {("unit", c) for c in scopes})
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in found:
        out.setdefault(str(r["scope_code"]), {})[str(r["measure"])] = r
    return out


def _spc(charts: dict[str, dict[str, Any]], settings: Settings, code: str) -> Spc:
    chart = charts.get(code, {})
    return Spc(
        chart.get("variation"),
        chart.get("variation_since"),
        chart.get("assurance"),
        int(chart.get("points", 0)),
        settings.target,
        str(chart.get("ruleset", "")),
    )


async def _overview(
    store: Store,
    viewer: Viewer,
    unit: dict[str, Any],
    rows: list[dict[str, Any]],
    first: date,
    last: date,
    settings: Settings,
) -> Overview:
    code = str(unit["code"])
    before = previous_period(first, last)
    parts = ("ratings", "dossiers", "answers")
    facts, read_at = await _facts(store, code, first, last, settings, parts, depth=0)
    earlier, earlier_at = await _facts(store, code, *before, settings, parts, depth=0)
    acc = indices.counts(facts)
    now = _rows(facts, settings, {code}, acc).get(code, {})
    then = _rows(earlier, settings, {code}).get(code, {})
    factors = sorted(m for m in now if m.startswith("sipas_factor:"))
    figures = [_figure(now[m]) for m in (*OVERVIEW_MEASURES, *factors) if m in now]
    _changes(figures, then, settings)
    bands = {b.code: int(now[f"{b.code}_share"]["x"]) for b in TIMELINESS_BANDS if f"{b.code}_share" in now}
    kept = timeliness_of_counts(bands, min_n=settings.min_n)
    return Overview(
        _ref(unit),
        Period(first, last),
        Period(*before),
        figures,
        Timeliness(sum(kept.counts.values()), kept.points, kept.mean_points),
        _spc(report_trends.chart_rows(facts, acc, settings)[1], settings, code),
        sum(r["n"] for r in facts.ratings if r["source"] == "staff"),
        settings.min_n,
        settings.alpha,
        _as_of(min(read_at, earlier_at)),
    )


def _changes(figures: list[Figure], then: dict[str, dict[str, Any]], settings: Settings) -> None:
    """Each figure against the previous period; the proportions big enough on both sides are tested together
    (one Benjamini-Hochberg family: the figures of this overview)."""
    family: list[dict[str, Any]] = []
    for f in figures:
        old = then.get(f.measure)
        if old is None:
            continue
        value = old["value"]
        diff = None if value is None or f.value is None else f.value - float(value)
        f.change = Change(int(old["n"]), int(old["x"]), value, diff, False)
        if f.measure in TESTED and not f.suppressed and not old["suppressed"]:
            family.append({"figure": f, "n1": int(old["n"]), "x1": int(old["x"]), "n2": f.n, "x2": f.x})
    for row in report_trends.tested(family, settings.alpha):
        change = row["figure"].change
        change.tested, change.p, change.q, change.significant = True, row["p"], row["q"], bool(row["changed"])


async def _trends(
    store: Store,
    viewer: Viewer,
    unit: dict[str, Any],
    rows: list[dict[str, Any]],
    first: date,
    last: date,
    settings: Settings,
) -> Trends:
    code = str(unit["code"])
    facts, read_at = await _facts(store, code, first, last, settings, ("ratings", "answers"), depth=0)
    acc = indices.counts(facts)
    rows, charts = report_trends.chart_rows(facts, acc, settings)
    points = [
        TrendPoint(
            r["period"], r["n"], r["x"], r["value"], r["centre"], r["lower"], r["upper"],
            r["rule"] or None, r["direction"] or None,
        )
        for r in rows
        if r["scope_code"] == code
    ]  # fmt: skip
    months = [(m, [m]) for m in facts.months]
    kiosk_facts = replace(facts, ratings=[r for r in facts.ratings if r["source"] == "kiosk"])
    kiosk = indices.rows(kiosk_facts, settings, None, months, {("unit", code)})
    qr = indices.rows(facts, settings, acc, months, {("unit", code)})
    return Trends(
        _ref(unit),
        Period(first, last),
        points,
        _spc(charts, settings, code),
        [_month(r) for r in kiosk if r["measure"] == "counter_rate"],
        [_month(r) for r in qr if r["measure"] == "sipas_service"],
        _as_of(read_at),
    )


def _month(r: dict[str, Any]) -> MonthFigure:
    return MonthFigure(r["period"], r["n"], r["x"], r["value"], r["ci_low"], r["ci_high"], bool(r["suppressed"]))


async def _drilldown(
    store: Store,
    viewer: Viewer,
    unit: dict[str, Any],
    rows: list[dict[str, Any]],
    first: date,
    last: date,
    settings: Settings,
) -> Drilldown:
    code = str(unit["code"])
    children = sorted(
        (u for u in rows if u["parent_id"] == unit["id"] and viewer.sees(int(u["id"]))), key=lambda u: str(u["code"])
    )
    facts, read_at = await _facts(store, code, first, last, settings, ("ratings", "dossiers", "answers"), depth=1)
    found = _rows(facts, settings, {code, *(str(c["code"]) for c in children)})

    def figures(of: str) -> list[Figure]:
        own = found.get(of, {})
        return [_figure(own[m]) for m in DRILLDOWN_MEASURES if m in own]

    return Drilldown(
        _ref(unit),
        Period(first, last),
        figures(code),
        [ChildFigures(_ref(c), figures(str(c["code"]))) for c in children],
        settings.min_n,
        _as_of(read_at),
    )


async def _officer_scores(
    store: Store,
    viewer: Viewer,
    unit: dict[str, Any],
    rows: list[dict[str, Any]],
    first: date,
    last: date,
    settings: Settings,
) -> OfficerScores:
    code = str(unit["code"])
    facts, read_at = await _facts(store, code, first, last, settings, ("ratings",))
    found = officers.rows(facts, settings, [(PERIOD, facts.months)])
    plots = officers.funnels(found, {u.code: u.kind for u in facts.units}, PERIOD)
    limits = {
        p["officer"]: FunnelLimits(p["target"], p["lower95"], p["upper95"], p["lower998"], p["upper998"])
        for members in plots.values()
        for p in members
    }
    names = await store.read(lambda tx: tx.fetch_all("SELECT code, full_name FROM officers"))
    name_of = {str(r["code"]): str(r["full_name"]) for r in names}
    out = []
    for r in found:
        officer = str(r["officer_code"])
        score = OfficerScore(officer, name_of.get(officer, ""), str(r["unit_code"]), int(r["n"]), bool(r["suppressed"]))
        if not score.suppressed:
            score.x, score.raw_rate, score.estimate = int(r["x"]), r["raw_rate"], r["estimate"]
            score.ci_low, score.ci_high, score.funnel = r["ci_low"], r["ci_high"], r["funnel"] or None
            score.limits = limits.get(officer)
        out.append(score)
    return OfficerScores(_ref(unit), Period(first, last), out, settings.officer_min_n, _as_of(read_at))


async def _heatmap(
    store: Store,
    viewer: Viewer,
    unit: dict[str, Any],
    rows: list[dict[str, Any]],
    first: date,
    last: date,
    settings: Settings,
) -> Heatmap:
    from api.dashboard import queries as dq

    found = await dq.hours(store, rows, int(unit["id"]), first, last)
    cells = []
    for (weekday, hour), (n, x) in sorted(found.items()):
        p = proportion(x, n, min_n=settings.min_n)
        cells.append(HeatCell(weekday, hour, n, x, p.value, p.ci_low, p.ci_high, p.suppressed))
    return Heatmap(_ref(unit), Period(first, last), cells, settings.min_n, _as_of())


class View(Protocol[V_co]):
    async def __call__(
        self, store: Store, viewer: Viewer, unit_code: str | None, first: date, last: date, settings: Settings = ...
    ) -> V_co: ...


Compute = Callable[[Store, Viewer, dict[str, Any], list[dict[str, Any]], date, date, Settings], Awaitable[V]]


def _view(name: str, compute: Compute[V], per_viewer: bool = False) -> View[V]:
    """A public view ``(store, viewer, unit_code, first, last)``: the unit checked against the viewer, then the
    result kept per data version (``_kept``; per viewer scope too where the result depends on it)."""

    async def view(
        store: Store, viewer: Viewer, unit_code: str | None, first: date, last: date, settings: Settings = DEFAULTS
    ) -> V:
        unit, rows = await _unit(store, viewer, unit_code, first, last)
        scope = viewer.units if per_viewer else None
        return await _kept(
            store,
            name,
            unit,
            first,
            last,
            settings,
            scope,
            lambda: compute(store, viewer, unit, rows, first, last, settings),
        )

    view.__name__ = view.__qualname__ = name
    return view


overview = _view("overview", _overview)
trends = _view("trends", _trends)
drilldown = _view("drilldown", _drilldown, per_viewer=True)  # lists only the children the viewer may see
officer_scores = _view("officer_scores", _officer_scores)
heatmap = _view("heatmap", _heatmap)
