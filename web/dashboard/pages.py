"""The dashboard's pages: overview, trends, unit drill-down and officers, for one unit (its whole subtree)
and period. Each page asks api/dashboard/views.py for its figures (the same as the API's and
``hailong analyze``'s), draws its charts on the server (web/charts.py) and renders with web/pages.py;
sorting is a link, the unit and period a GET form: no script."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import Parameter

from analysis.stats.funnel import funnel
from analysis.stats.spc import SpcPoint, SpcResult
from api.dashboard import views
from api.db import Store
from api.followup import service as followup
from api.viewer import Viewer
from web import charts
from web.dashboard.figures import bar, card, measure_name
from web.dashboard.picker import Picker, picker
from web.followup.pages import cause_text
from web.i18n import N_, Text, text
from web.pages import page_lang, page_viewer, render, signed_in_page

Unit = Annotated[str | None, Parameter(query="unit")]
First = Annotated[date | None, Parameter(query="from")]
Last = Annotated[date | None, Parameter(query="to")]
FACTOR_CHART = "sipas_factor:"
SORTS = ("name", *views.DRILLDOWN_MEASURES)
OFFICERS_PER_PAGE = 100  # the table's rows a page: the page stays light at a province's thousand officers
DETAILED_FUNNEL = 60  # a funnel with more points has no tooltips and no table of its own (the page's table)


EXPORT_NAMES = {"indices": N_("Indices"), "officers": N_("Officer scores"), "ratings": N_("Ratings")}
FUNNEL_TITLES = {
    "province": N_("Officers of province-level units: share satisfied against number of ratings"),
    "centre": N_("Officers of service centres: share satisfied against number of ratings"),
    "department": N_("Officers of departments: share satisfied against number of ratings"),
    "district": N_("Officers of districts: share satisfied against number of ratings"),
    "commune": N_("Officers of communes: share satisfied against number of ratings"),
}


def _page(request: Request[Any, Any, Any], template: str, **context: Any) -> Response[str]:
    return render(request, f"dashboard/{template}.html", export_names=EXPORT_NAMES, **context)


async def _begin(
    request: Request[Any, Any, Any], unit: str | None, first: date | None, last: date | None, **keep: str
) -> tuple[Viewer, Store, Picker, Text]:
    """What every page starts with: the signed-in viewer (else to /login), the store, the unit and period
    (defaults filled in, other parameters kept for links) and the words of the page's language."""
    viewer = await page_viewer(request)
    store: Store = request.app.state.store
    return viewer, store, await picker(store, viewer, unit, first, last, **keep), text(page_lang(request))


@get("/dashboard", include_in_schema=False, guards=[signed_in_page])
async def overview(
    request: Request[Any, Any, Any], unit: Unit = None, first: First = None, last: Last = None
) -> Response[str]:
    viewer, store, pick, t = await _begin(request, unit, first, last)
    view = await views.overview(store, viewer, unit, pick.first, pick.last)
    alerts = await followup.current_alerts(store, viewer, view.unit.code)
    cards = [card(f, t) for f in view.figures if not f.measure.startswith(FACTOR_CHART)]
    factors = [f for f in view.figures if f.measure.startswith(FACTOR_CHART)]
    chart = None
    if factors:
        bars = [bar(measure_name(f.measure, t), f) for f in factors]
        title = t("SIPAS-style factor indices (receipt QR), with 95 % intervals")
        chart = charts.interval_chart(bars, t, chart_id="factors", title=title)
    main = [f for f in view.figures if f.measure in ("counter_rate", "ratio_766", "sipas_service")]
    summary = charts.interval_chart(
        [bar(measure_name(f.measure, t), f) for f in main],
        t,
        chart_id="main",
        title=t("Main figures with their 95 % intervals"),
        target=view.spc.target,
    )
    return _page(
        request,
        "overview",
        view=view,
        pick=pick,
        cards=cards,
        factors=chart,
        summary=summary,
        spc_words=charts.spc_words(view.spc, t),
        icon=charts.icon,
        variation_words=charts.VARIATION_WORDS,
        assurance_words=charts.ASSURANCE_WORDS,
        alerts=alerts,
        cause_text=cause_text,
    )


def _spc_result(trend: views.Trends) -> SpcResult:
    """The data layer's p′ chart as analysis.stats.spc.SpcResult, for web.charts (nothing recomputed)."""
    points = tuple(
        SpcPoint(p.month, p.n, p.x, p.value, p.centre, p.lower, p.upper, None, None, p.rule, p.direction)
        for p in trend.points
    )
    centre = next((p.centre for p in points if p.centre is not None), None)
    enough = trend.spc.variation is not None
    return SpcResult(
        points,
        centre,
        None,
        enough,
        trend.spc.variation,
        trend.spc.variation_since,
        trend.spc.assurance,
        trend.spc.target,
    )


@get("/dashboard/trends", include_in_schema=False, guards=[signed_in_page])
async def trends(
    request: Request[Any, Any, Any], unit: Unit = None, first: First = None, last: Last = None
) -> Response[str]:
    viewer, store, pick, t = await _begin(request, unit, first, last)
    trend, heat = await asyncio.gather(  # two reads of the store at once (its read connections are several)
        views.trends(store, viewer, unit, pick.first, pick.last),
        views.heatmap(store, viewer, unit, pick.first, pick.last),
    )
    result = _spc_result(trend)
    spc = charts.spc_chart(result, t, chart_id="spc", title=t("Counter satisfaction rate by month (p′ chart)"))
    months = [p.month for p in trend.kiosk] or [p.month for p in trend.points]
    series = [
        charts.Series(
            t("Kiosk taps (satisfaction rate)"),
            [(m.month, charts.Share(m.n, None if m.suppressed else m.value)) for m in trend.kiosk],
        ),
        charts.Series(
            t("Receipt QR (service index)"),
            [(m.month, charts.Share(m.n, None if m.suppressed else m.value)) for m in trend.receipt_qr],
        ),
    ]
    months = sorted({m for s in series for m, _ in s.points} | set(months))
    channels = charts.lines_chart(months, series, t, chart_id="channels", title=t("Kiosk against receipt QR, by month"))
    cells = {(c.weekday, c.hour): charts.Share(c.n, None if c.small else c.value) for c in heat.cells}
    hours = charts.heatmap(cells, t, chart_id="heat", title=t("Satisfaction by weekday and hour"), min_n=heat.min_n)
    return _page(
        request,
        "trends",
        view=trend,
        pick=pick,
        spc=spc,
        channels=channels,
        heat=hours,
        spc_words=charts.spc_words(result, t),
        icon=charts.icon,
    )


@get("/dashboard/units", include_in_schema=False, guards=[signed_in_page])
async def units(
    request: Request[Any, Any, Any],
    unit: Unit = None,
    first: First = None,
    last: Last = None,
    sort: str = "name",
    order: Annotated[str, Parameter(query="dir")] = "asc",
) -> Response[str]:
    sort = sort if sort in SORTS else "name"
    order = "desc" if order == "desc" else "asc"
    viewer, store, pick, t = await _begin(request, unit, first, last, sort=sort, dir=order)
    view = await views.drilldown(store, viewer, unit, pick.first, pick.last)
    rows = [(child.unit, {f.measure: f for f in child.figures}) for child in view.children]
    rows = _sorted(rows, sort, order == "desc")
    bars = [bar(u.name, figs["counter_rate"]) for u, figs in rows if "counter_rate" in figs]
    chart = charts.interval_chart(
        bars, t, chart_id="units", title=t("Counter satisfaction rate of each unit, with 95 % intervals"), target=0.9
    )
    crumbs = _crumbs(pick.units, viewer, view.unit.code)
    heads = [(m, measure_name(m, t)) for m in views.DRILLDOWN_MEASURES]
    return _page(
        request,
        "units",
        view=view,
        pick=pick,
        rows=rows,
        heads=heads,
        chart=chart,
        crumbs=crumbs,
        sort=sort,
        order=order,
        total={f.measure: f for f in view.total},
    )


def _sorted(rows: list[tuple[Any, dict[str, Any]]], sort: str, desc: bool) -> list[tuple[Any, dict[str, Any]]]:
    """By name, or by a measure's estimate; units too small to judge last either way."""
    if sort == "name":
        return sorted(rows, key=lambda r: str(r[0].name), reverse=desc)
    shown = [r for r in rows if sort in r[1] and r[1][sort].value is not None and not r[1][sort].suppressed]
    rest = [r for r in rows if r not in shown]
    return sorted(shown, key=lambda r: float(r[1][sort].value), reverse=desc) + sorted(
        rest, key=lambda r: str(r[0].name)
    )


def _crumbs(found: list[dict[str, Any]], viewer: Viewer, code: str) -> list[tuple[str, str]]:
    """(code, name) from the highest unit the viewer may see down to this one."""
    by_id = {int(u["id"]): u for u in found}
    here = next((u for u in found if u["code"] == code), None)
    chain: list[tuple[str, str]] = []
    while here is not None and viewer.sees(int(here["id"])):
        chain.append((str(here["code"]), str(here["name"])))
        parent = here["parent_id"]
        here = by_id.get(int(parent)) if parent is not None else None
    return chain[::-1]


@get("/dashboard/officers", include_in_schema=False, guards=[signed_in_page])
async def officers(
    request: Request[Any, Any, Any],
    unit: Unit = None,
    first: First = None,
    last: Last = None,
    page: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
) -> Response[str]:
    viewer, store, pick, t = await _begin(request, unit, first, last)
    view = await views.officer_scores(store, viewer, unit, pick.first, pick.last)
    kinds = {str(u["code"]): str(u["kind"]) for u in pick.units}
    shown = [o for o in view.officers if not o.suppressed]
    groups: dict[str, list[Any]] = defaultdict(list)
    for o in shown:
        groups[kinds.get(o.unit, "?")].append(o)
    plots = []
    for kind, members in sorted(groups.items()):
        found = funnel([(o.officer, o.n, o.x) for o in members])  # the group as the data layer formed it
        title = t(FUNNEL_TITLES.get(kind, FUNNEL_TITLES["district"]))
        names = {o.officer: o.name for o in members}
        detail = len(members) <= DETAILED_FUNNEL
        plots.append(charts.funnel_chart(found, names, t, chart_id=f"funnel-{kind}", title=title, detail=detail))
    pages = max(1, -(-len(shown) // OFFICERS_PER_PAGE))
    page = min(page, pages)
    return _page(
        request,
        "officers",
        view=view,
        pick=pick,
        plots=plots,
        rows=shown[(page - 1) * OFFICERS_PER_PAGE : page * OFFICERS_PER_PAGE],
        shown=len(shown),
        page=page,
        pages=pages,
        hidden=len(view.officers) - len(shown),
        positions=charts.POSITION_WORDS,
    )


ROUTES = [overview, trends, units, officers]
