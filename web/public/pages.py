"""The public results page of a centre (``/public/{unit}``), no login: what one-stop centres post for
citizens — last month's satisfaction and timeliness with the number of answers behind each figure, in
Vietnamese and English, readable on a phone, and nothing about any individual officer. Its figures are the
overview's (api/dashboard/views.py) for the unit's whole subtree; figures from too few answers say so."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from api.dashboard.views import overview
from api.db import Store
from api.monthly.service import default_month, month_span
from api.types import Code
from api.viewer import PUBLIC
from web.pages import page_text, render
from web.report.pages import period_words

Req = Request[Any, Any, Any]
SHOWN = ("counter_rate", "ratio_766", "sipas_service", "early_share", "on_time_share", "late_share")


@get("/public/{unit:str}", include_in_schema=False)
async def public_results(request: Req, store: Store, unit: Code) -> Response[str]:
    t = page_text(request)
    row = await store.fetch_one("SELECT timezone FROM units WHERE code = :c", {"c": unit})
    month = await default_month(store, str(row["timezone"]) if row else "Asia/Ho_Chi_Minh")
    first, last = month_span(month)
    view = await overview(store, PUBLIC, unit, first, last)
    figures = {f.measure: f for f in view.figures if f.measure in SHOWN}
    return render(
        request, "public/results.html", forms=False, view=view, figures=figures, period=period_words(first, t)
    )


ROUTES = [public_results]
