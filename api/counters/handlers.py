from __future__ import annotations

from litestar import Controller, get, patch, post, put

from api.auth import admin_only, requires
from api.counters import service
from api.counters.schemas import CounterIn, CounterOut, CounterPatch, DutyIn, DutyOut
from api.db import Store


class CounterController(Controller):
    path = "/api/v1/counters"
    tags = ["reference data"]

    @post(guards=[admin_only], summary="Create a reception counter")
    async def create(self, data: CounterIn, store: Store) -> CounterOut:
        return await service.create(store, data)

    @get(guards=[requires("integrator")], summary="List counters, optionally of one unit")
    async def list(self, store: Store, unit: str | None = None) -> list[CounterOut]:
        return await service.list_all(store, unit)

    @patch("/{code:str}", guards=[admin_only], summary="Change a counter")
    async def update(self, code: str, data: CounterPatch, store: Store) -> CounterOut:
        return await service.update(store, code, data)

    @put("/{code:str}/duty", guards=[requires("integrator")], summary="Set the officer on duty (null: nobody)")
    async def duty(self, code: str, data: DutyIn, store: Store) -> DutyOut:
        return await service.set_duty(store, code, data)


ROUTES = [CounterController]
