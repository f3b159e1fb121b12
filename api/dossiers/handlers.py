from __future__ import annotations

from litestar import Controller, Request, Response, get, patch, post

from api.auth import requires
from api.db import Store
from api.dossiers import service
from api.dossiers.schemas import DossierIn, DossierOut, DossierPatch


def survey_link(request: Request) -> service.SurveyLink | None:  # type: ignore[type-arg]
    link: service.SurveyLink | None = getattr(request.app.state, "survey_link", None)
    return link


class DossierController(Controller):
    path = "/api/v1/dossiers"
    tags = ["dossiers"]
    guards = [requires("integrator")]

    @post(summary="Register a dossier (idempotent on code); the answer carries its survey_url")
    async def register(self, request: Request, data: DossierIn, store: Store) -> Response[DossierOut]:  # type: ignore[type-arg]
        out, created = await service.register(store, data, survey_link(request))
        return Response(out, status_code=201 if created else 200)

    @get("/{code:str}", summary="One dossier")
    async def show(self, request: Request, code: str, store: Store) -> DossierOut:  # type: ignore[type-arg]
        return await service.get(store, code, survey_link(request))

    @patch("/{code:str}", summary="Status: returned_at, result, a new due_at")
    async def update(self, request: Request, code: str, data: DossierPatch, store: Store) -> DossierOut:  # type: ignore[type-arg]
        return await service.update(store, code, data, survey_link(request))


ROUTES = [DossierController]
