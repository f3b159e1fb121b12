"""``GET /api/v1/overview|trends|drilldown|officer-scores|heatmap?unit=CODE&from=DATE&to=DATE``: thin handlers
over api/dashboard/views.py. A signed-in user or an admin key; 401 anonymous, 403 outside the viewer's units,
404 an unknown unit, 422 bad dates or a period too long. ``to`` defaults to today in Hanoi time, ``from`` to
the first day of the month eleven months before (twelve calendar months)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, TypeVar

from litestar import Controller, Request, get
from litestar.params import Parameter

from api.dashboard import views
from api.viewer import current_viewer

T = TypeVar("T")
View = Callable[..., Awaitable[T]]
Unit = Annotated[str | None, Parameter(query="unit", description="unit code (default: your own unit)")]
First = Annotated[date | None, Parameter(query="from", description="first day, YYYY-MM-DD (local)")]
Last = Annotated[date | None, Parameter(query="to", description="last day, YYYY-MM-DD (local)")]
HANOI = timezone(timedelta(hours=7))


def default_period(first: date | None, last: date | None) -> tuple[date, date]:
    last = last or datetime.now(HANOI).date()
    if first is None:
        year, month = (last.year, last.month - 11) if last.month > 11 else (last.year - 1, last.month + 1)
        first = date(year, month, 1)
    return first, last


async def _run(
    request: Request[Any, Any, Any], view: View[T], unit: str | None, first: date | None, last: date | None
) -> T:
    viewer = await current_viewer(request)
    return await view(request.app.state.store, viewer, unit, *default_period(first, last))


class DashboardController(Controller):
    path = "/api/v1"
    tags = ["dashboard"]

    @get(
        "/overview",
        summary="A unit's figures for a period, each with n, interval and the change since the period before",
    )
    async def overview(
        self, request: Request[Any, Any, Any], unit: Unit = None, first: First = None, last: Last = None
    ) -> views.Overview:
        return await _run(request, views.overview, unit, first, last)

    @get("/trends", summary="The monthly p′ chart of the counter satisfaction rate; kiosk against receipt QR")
    async def trends(
        self, request: Request[Any, Any, Any], unit: Unit = None, first: First = None, last: Last = None
    ) -> views.Trends:
        return await _run(request, views.trends, unit, first, last)

    @get("/drilldown", summary="Each child unit's figures with intervals (the children you may see)")
    async def drilldown(
        self, request: Request[Any, Any, Any], unit: Unit = None, first: First = None, last: Last = None
    ) -> views.Drilldown:
        return await _run(request, views.drilldown, unit, first, last)

    @get("/officer-scores", summary="Officers' shrunk estimates with credible intervals and funnel positions")
    async def officer_scores(
        self, request: Request[Any, Any, Any], unit: Unit = None, first: First = None, last: Last = None
    ) -> views.OfficerScores:
        return await _run(request, views.officer_scores, unit, first, last)

    @get("/heatmap", summary="Ratings and satisfaction by weekday and local hour, small cells marked")
    async def heatmap(
        self, request: Request[Any, Any, Any], unit: Unit = None, first: First = None, last: Last = None
    ) -> views.Heatmap:
        return await _run(request, views.heatmap, unit, first, last)


ROUTES = [DashboardController]
