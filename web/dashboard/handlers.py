"""The dashboard's routes: exports at /dashboard/export/<table>.<csv|xlsx> and <table>-dictionary.csv."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Stream

from api.db import Store
from api.errors import NotFound
from api.viewer import current_viewer
from web.dashboard import exports
from web.dashboard.exports import Scope, Table
from web.pages import signed_in_page

Pages = Callable[[Store, Scope], AsyncIterator[Sequence[Mapping[str, Any]]]]
EXPORTS: dict[str, tuple[Table, Pages]] = {"ratings": (exports.RATINGS, exports.rating_pages)}


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
    unit: str,
    first: Annotated[date, Parameter(query="from")],
    last: Annotated[date, Parameter(query="to")],
) -> Stream:
    """One table of the chosen unit (its whole subtree) and period, for a viewer who may see that unit."""
    table_name, fmt = _split(name)
    viewer = await current_viewer(request)
    where = await exports.scope(store, viewer, unit, first, last)
    table, pages = EXPORTS[table_name]
    if fmt == "dictionary":
        body, media, filename = exports.dictionary_csv(table), exports.CSV_TYPE, f"{table_name}-dictionary.csv"
    elif fmt == "csv":
        body, media = exports.csv_stream(table, pages(store, where)), exports.CSV_TYPE
        filename = f"{table_name}_{where.label}.csv"
    else:
        path = await exports.xlsx_file(table, pages(store, where))
        body, media, filename = exports.file_stream(path), exports.XLSX_TYPE, f"{table_name}_{where.label}.xlsx"
    return Stream(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTES = [export]
