"""The monthly report page (``/dashboard/report?unit=&month=``): the document managers send upward each
month, printable (the browser saves it as PDF) in the layout of Decree 30/2020/NĐ-CP, and the same tables as
XLSX (``/dashboard/report.xlsx``). The figures come from api/monthly (which takes them from the views every
other page shows); this module only words them."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

import anyio
from litestar import Request, Response, get

from api.accounts.audit import audit
from api.dashboard.views import Figure
from api.db import Store
from api.insights import queries
from api.monthly.service import monthly
from api.types import Code
from api.viewer import Viewer
from web import charts
from web.dashboard.exports import XLSX_TYPE
from web.dashboard.figures import measure_name
from web.dashboard.picker import Option, tree_options
from web.i18n import Text
from web.pages import page_text, page_viewer, render, signed_in_page
from web.report.xlsx import report_sheets, workbook

Req = Request[Any, Any, Any]
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")  # fmt: skip


def period_words(first: date, t: Text) -> str:
    if t.lang == "vi":
        return f"tháng {first.month} năm {first.year}"
    return f"{MONTHS_EN[first.month - 1]} {first.year}"


def place_date(place: str, day: date, t: Text) -> str:
    """The place and date line: "Hoà Bình, ngày 01 tháng 12 năm 2026" (Decree 30: day and month below 10
    written with a leading zero)."""
    if t.lang == "vi":
        return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return f"{place}, {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def words(t: Text, min_n: int) -> dict[str, Any]:
    def name(measure: str) -> str:
        return measure_name(measure, t)

    def pct(value: float | None) -> str:
        return t.percent(value)

    def interval(f: Figure) -> str:
        if f.suppressed or f.ci_low is None or f.ci_high is None:
            return t("not shown (n < {n})", n=min_n) if f.suppressed else "—"
        return f"{t.percent(f.ci_low)} – {t.percent(f.ci_high)}"

    def change(f: Figure) -> str:
        c = f.change
        if c is None or not c.tested or c.difference is None:
            return "—"
        if not c.significant:
            return t("no significant change")
        way = "↑" if c.difference > 0 else "↓"
        return f"{way} {t.number(abs(c.difference) * 100, 1)} " + t("points")

    def value_n(f: Figure | None) -> str:
        if f is None:
            return "—"
        return f"{pct(f.value)} (n = {t.number(f.n)})"

    return {
        "name": name,
        "pct": pct,
        "interval": interval,
        "change": change,
        "value_n": value_n,
        "by_measure": lambda figures: {f.measure: f for f in figures},
        "icon": charts.icon,
        "spc_words": charts.spc_words,
    }


async def unit_options(store: Store, viewer: Viewer, chosen: str) -> list[Option]:
    """The units the viewer may see, as every dashboard page offers them (web/dashboard/picker.py)."""
    return tree_options(await store.read(queries.units), viewer, chosen)


@get("/dashboard/report", include_in_schema=False, guards=[signed_in_page])
async def report(request: Req, store: Store, unit: Code | None = None, month: str | None = None) -> Response[str]:
    viewer = await page_viewer(request)
    t = page_text(request)
    found = await monthly(store, viewer, unit, month)
    query = urlencode({"unit": found.overview.unit.code, "month": found.month, "lang": t.lang})
    return render(
        request,
        "report/monthly.html",
        r=found,
        figures=found.overview.figures,
        options=await unit_options(store, viewer, found.overview.unit.code),
        place_date=place_date(found.header.place, found.header.issued, t),
        period_words=period_words(found.first, t),
        xlsx_url=f"/dashboard/report.xlsx?{query}",
        **words(t, found.overview.min_n),
    )


@get("/dashboard/report.xlsx", include_in_schema=False, guards=[signed_in_page])
async def report_xlsx(
    request: Req, store: Store, unit: Code | None = None, month: str | None = None
) -> Response[bytes]:
    viewer = await page_viewer(request)
    t = page_text(request)
    found = await monthly(store, viewer, unit, month)
    body = await anyio.to_thread.run_sync(workbook, report_sheets(found, t, words(t, found.overview.min_n)["name"]))
    await audit(
        store, viewer, "export", {"what": "monthly report", "unit": found.overview.unit.code, "month": found.month}
    )
    filename = f"bao-cao_{found.overview.unit.code}_{found.month}.xlsx"
    return Response(
        body,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


ROUTES = [report, report_xlsx]
