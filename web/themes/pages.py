"""``/dashboard/themes``: why citizens are dissatisfied. Theme shares among dissatisfied comments by month
(the kiosk's reason codes, so a theme found in a comment and a chip tapped at the counter mean the same), the
words that matched, redacted examples, the emergent topics of the newest analysis run, and a search over the
analysed comments with a "wrongly themed" mark that the next run learns from. Figures come from
api/comments (the same as ``GET /api/v1/themes`` and ``/comments``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect

from api.comments import service
from api.comments.schemas import Source, WrongThemeIn
from api.db import Store
from api.types import Code
from web.dashboard.picker import picker
from web.pages import check_csrf, page_text, page_viewer, render, signed_in_page

Req = Request[Any, Any, Any]
Unit = Annotated[str | None, Parameter(query="unit")]
First = Annotated[date | None, Parameter(query="from")]
Last = Annotated[date | None, Parameter(query="to")]
Before = Annotated[str | None, Parameter(max_length=40, pattern=r"^\d{1,18}-[cq]\d{1,18}$")]
Query = Annotated[str | None, Parameter(max_length=200)]
PAGE = 30


@get("/dashboard/themes", include_in_schema=False, guards=[signed_in_page])
async def themes_page(
    request: Req,
    store: Store,
    unit: Unit = None,
    first: First = None,
    last: Last = None,
    theme: Code | None = None,
    q: Query = None,
    before: Before = None,
    marked: int | None = None,
) -> Response[str]:
    viewer = await page_viewer(request)
    t = page_text(request)
    pick = await picker(store, viewer, unit, first, last, theme=theme or "", q=q or "")
    code = unit or next((o.code for o in pick.options if o.selected), None)
    if code is None:
        code = pick.options[0].code if pick.options else ""
    view = await service.themes(store, viewer, code, pick.first, pick.last)
    found = await service.search(
        store, viewer, code, pick.first, pick.last, theme=theme, q=q, before=before, limit=PAGE
    )
    names = {th.code: (th.en if t.lang == "en" else th.vi) for th in view.themes if th.kind == "fixed"}
    return render(
        request,
        "themes/themes.html",
        view=view,
        pick=pick,
        comments=found,
        names=names,
        theme=theme or "",
        q=q or "",
        marked=marked,
        may_mark=viewer.role in ("admin", "manager"),
        older=pick.href("/dashboard/themes", before=found.next_before) if found.next_before else None,
    )


@post("/dashboard/themes/wrong", include_in_schema=False)
async def mark_wrong(request: Req, store: Store) -> Redirect:
    """A manager's "wrongly themed" mark on one comment's theme (a rating's, or with ``response`` a
    questionnaire response's); back to the same view."""
    form = await request.form()
    check_csrf(request, form)
    viewer = await page_viewer(request)
    source: Source = "questionnaire" if form.get("response") else "counter"
    try:
        item = int(str(form.get("response" if source == "questionnaire" else "rating", "")))
    except ValueError:
        item = 0
    if not 0 < item < 2**63:  # no such comment (and beyond what the database can compare): a 404 below
        item = 0
    await service.mark_wrong(store, viewer, item, WrongThemeIn(str(form.get("theme", "")), source))
    back = str(form.get("back", "/dashboard/themes"))
    if not back.startswith("/dashboard/themes"):
        back = "/dashboard/themes"
    joiner = "&" if "?" in back else "?"
    return Redirect(f"{back}{joiner}marked={item}", status_code=303)


ROUTES = [themes_page, mark_wrong]
