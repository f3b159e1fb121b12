from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import Parameter

from api.background import wake
from api.db import Store
from api.roster import service
from api.roster.schemas import Roster, ShiftIn, ShiftOut
from api.types import Code
from api.viewer import current_viewer, signed_in


class RosterController(Controller):
    path = "/api/v1/roster"
    tags = ["duty roster"]
    guards = [signed_in]

    @get(summary="Counters of a unit with the officer on duty now, and the shifts planned in a period")
    async def show(
        self,
        request: Request[Any, Any, Any],
        store: Store,
        unit: Code,
        first: Annotated[date, Parameter(query="from")],
        last: Annotated[date, Parameter(query="to")],
    ) -> Roster:
        return await service.roster(store, await current_viewer(request), unit, first, last)

    @post("/shifts", summary="Plan a shift: an officer of the counter's unit serves there from starts to ends")
    async def add(self, request: Request[Any, Any, Any], store: Store, data: ShiftIn) -> ShiftOut:
        out = await service.add_shift(store, await current_viewer(request), data)
        wake(request.app, "roster")
        return out

    @delete("/shifts/{shift_id:int}", summary="Remove a planned shift (its officer leaves duty if it is running)")
    async def remove(self, request: Request[Any, Any, Any], store: Store, shift_id: int) -> None:
        await service.remove_shift(store, await current_viewer(request), shift_id)
        wake(request.app, "roster")


ROUTES = [RosterController]
