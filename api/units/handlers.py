from __future__ import annotations

from litestar import Controller, get, patch, post

from api.auth import admin_only, requires
from api.db import Store
from api.settings import Settings
from api.units import service
from api.units.schemas import UnitIn, UnitOut, UnitPatch


class UnitController(Controller):
    path = "/api/v1/units"
    tags = ["reference data"]

    @post(guards=[admin_only], summary="Create a unit (province, department, district, commune)")
    async def create(self, data: UnitIn, store: Store, settings: Settings) -> UnitOut:
        return await service.create(store, data, settings.timezone)

    @get(guards=[requires("integrator")], summary="List units, optionally the children of one")
    async def list(self, store: Store, parent: str | None = None) -> list[UnitOut]:
        return await service.list_all(store, parent)

    @patch("/{code:str}", guards=[admin_only], summary="Change a unit")
    async def update(self, code: str, data: UnitPatch, store: Store) -> UnitOut:
        return await service.update(store, code, data)


ROUTES = [UnitController]
