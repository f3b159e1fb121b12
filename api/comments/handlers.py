from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from api.comments import service
from api.comments.schemas import CommentPage, ThemeView, WrongThemeIn
from api.db import Store
from api.types import Code
from api.viewer import current_viewer, signed_in

From = Annotated[date, Parameter(query="from")]
To = Annotated[date, Parameter(query="to")]
Limit = Annotated[int, Parameter(ge=1, le=1000)]  # bounds of a query parameter: Parameter (msgspec Meta is not read)


class CommentController(Controller):
    path = "/api/v1"
    tags = ["themes and comments"]
    guards = [signed_in]

    @get(
        "/themes", summary="Theme shares among dissatisfied comments by month, with matched words and redacted examples"
    )
    async def themes(
        self, request: Request[Any, Any, Any], store: Store, unit: Code, first: From, last: To
    ) -> ThemeView:
        return await service.themes(store, await current_viewer(request), unit, first, last)

    @get(
        "/comments",
        summary="Analysed comments of counter ratings and questionnaires, redacted, newest first; search without"
        " diacritics works too",
    )
    async def comments(
        self,
        request: Request[Any, Any, Any],
        store: Store,
        unit: Code,
        first: From,
        last: To,
        theme: Code | None = None,
        q: Annotated[str | None, Parameter(max_length=200)] = None,
        dissatisfied: bool | None = None,
        before: Annotated[str | None, Parameter(max_length=40, pattern=r"^\d{1,18}-[cq]\d{1,18}$")] = None,
        limit: Limit = 50,
    ) -> CommentPage:
        return await service.search(
            store,
            await current_viewer(request),
            unit,
            first,
            last,
            theme=theme,
            q=q,
            dissatisfied=dissatisfied,
            before=before,
            limit=limit,
        )

    @post(
        "/comments/{rating_id:int}/wrong-themes",
        status_code=204,
        summary="Mark a comment's theme as wrong (the id is the rating's, or with source questionnaire the response's)",
    )
    async def wrong(self, request: Request[Any, Any, Any], store: Store, rating_id: int, data: WrongThemeIn) -> None:
        await service.mark_wrong(store, await current_viewer(request), rating_id, data)


ROUTES = [CommentController]
