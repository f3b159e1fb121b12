"""The dashboard's routes: the pages (web/dashboard/pages.py), and the exports at
/dashboard/export/<table>.<csv|xlsx> and <table>-dictionary.csv."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Stream

from api.accounts.audit import audit
from api.clients import request_client
from api.dashboard.handlers import default_period
from api.db import Store
from api.errors import NotFound
from api.viewer import Viewer
from web.dashboard import exports
from web.dashboard.exports import Scope, Table
from web.dashboard.pages import ROUTES as PAGES
from web.pages import page_viewer, signed_in_page

Pages = Callable[[Store, Viewer, Scope], AsyncIterator[Sequence[Mapping[str, Any]]]]
EXPORTS: dict[str, tuple[Table, Pages]] = {
    "ratings": (exports.RATINGS, exports.rating_pages),
    "indices": (exports.INDICES, exports.index_pages),
    "officers": (exports.OFFICERS, exports.officer_pages),
}


def _split(name: str) -> tuple[str, str]:
    """ "ratings.csv" → ("ratings", "csv"); "ratings-dictionary.csv" → ("ratings", "dictionary")."""
    stem, _, fmt = name.rpartition(".")
    if stem.endswith("-dictionary") and fmt == "csv":
        stem, fmt = stem.removesuffix("-dictionary"), "dictionary"
    if stem not in EXPORTS or fmt not in ("csv", "xlsx", "dictionary"):
        raise NotFound(f"There is no export {name!r}; try ratings.csv, ratings.xlsx or ratings-dictionary.csv.")
    return stem, fmt


@get("/dashboard/export/{name:str}", include_in_schema=False, guards=[signed_in_page])
async def export(
    request: Request[Any, Any, Any],
    store: Store,
    name: str,
    unit: str | None = None,
    first: Annotated[date | None, Parameter(query="from")] = None,
    last: Annotated[date | None, Parameter(query="to")] = None,
) -> Stream:
    """One table of the chosen unit (its whole subtree) and period, for a viewer who may see that unit;
    the unit and period default as on the pages."""
    viewer = await page_viewer(request)
    table_name, fmt = _split(name)
    first, last = default_period(first, last)
    where = await exports.scope(store, viewer, unit, first, last)
    table, pages = EXPORTS[table_name]
    if fmt == "dictionary":
        body, media, filename = exports.dictionary_csv(table), exports.CSV_TYPE, f"{table_name}-dictionary.csv"
    elif fmt == "csv":
        body, media = exports.csv_stream(table, await exports.primed(pages(store, viewer, where))), exports.CSV_TYPE
        filename = f"{table_name}_{where.label}.csv"
    else:
        path = await exports.xlsx_file(table, pages(store, viewer, where))
        body, media, filename = exports.file_stream(path), exports.XLSX_TYPE, f"{table_name}_{where.label}.xlsx"
    detail = {"table": table_name, "format": fmt, "unit": where.unit_code, "from": str(first), "to": str(last)}
    await audit(store, viewer, "export", detail, client=request_client(request))
    return Stream(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTES = [*PAGES, export]
