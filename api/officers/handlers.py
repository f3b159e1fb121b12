from __future__ import annotations

from litestar import Controller, get, patch, post

from api.auth import admin_only, requires
from api.db import Store
from api.officers import service
from api.officers.schemas import OfficerIn, OfficerOut, OfficerPatch


class OfficerController(Controller):
    path = "/api/v1/officers"
    tags = ["reference data"]

    @post(guards=[admin_only], summary="Create an officer (công chức)")
    async def create(self, data: OfficerIn, store: Store) -> OfficerOut:
        return await service.create(store, data)

    @get(guards=[requires("integrator")], summary="List officers, optionally of one unit")
    async def list(self, store: Store, unit: str | None = None) -> list[OfficerOut]:
        return await service.list_all(store, unit)

    @patch("/{code:str}", guards=[admin_only], summary="Change an officer")
    async def update(self, code: str, data: OfficerPatch, store: Store) -> OfficerOut:
        return await service.update(store, code, data)


ROUTES = [OfficerController]
