from __future__ import annotations

from litestar import Controller, get, patch, post

from api.auth import admin_only, requires
from api.db import Store
from api.procedures import service
from api.procedures.schemas import ProcedureIn, ProcedureOut, ProcedurePatch


class ProcedureController(Controller):
    path = "/api/v1/procedures"
    tags = ["reference data"]

    @post(guards=[admin_only], summary="Create an administrative procedure (thủ tục hành chính)")
    async def create(self, data: ProcedureIn, store: Store) -> ProcedureOut:
        return await service.create(store, data)

    @get(guards=[requires("integrator")], summary="List procedures, optionally of one field (lĩnh vực)")
    async def list(self, store: Store, field: str | None = None) -> list[ProcedureOut]:
        return await service.list_all(store, field)

    @patch("/{code:str}", guards=[admin_only], summary="Change a procedure")
    async def update(self, code: str, data: ProcedurePatch, store: Store) -> ProcedureOut:
        return await service.update(store, code, data)


ROUTES = [ProcedureController]
