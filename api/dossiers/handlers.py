from __future__ import annotations

from litestar import Controller, Response, get, patch, post

from api.auth import requires
from api.db import Store
from api.dossiers import service
from api.dossiers.schemas import DossierIn, DossierOut, DossierPatch
from api.dossiers.service import SurveyLink


class DossierController(Controller):
    path = "/api/v1/dossiers"
    tags = ["dossiers"]
    guards = [requires("integrator")]

    @post(summary="Register a dossier (idempotent on code); the answer carries its survey_url")
    async def register(self, data: DossierIn, store: Store, survey_link: SurveyLink) -> Response[DossierOut]:
        out, created = await service.register(store, data, survey_link)
        return Response(out, status_code=201 if created else 200)

    @get("/{code:str}", summary="One dossier")
    async def show(self, code: str, store: Store, survey_link: SurveyLink) -> DossierOut:
        return await service.get(store, code, survey_link)

    @patch("/{code:str}", summary="Status: returned_at, result, a new due_at")
    async def update(self, code: str, data: DossierPatch, store: Store, survey_link: SurveyLink) -> DossierOut:
        return await service.update(store, code, data, survey_link)


ROUTES = [DossierController]
