"""Follow-up routes under /api/v1: alerts, cases, the daily digest, indicator 8 and the dossier lookup. Every
route reads within the caller's units (api/viewer.py); changes need a manager of the unit (or an admin)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import Parameter
from litestar.types import ControllerRouterHandler

from api.db import Store, now_ms
from api.followup import service
from api.followup.cases import local_day
from api.followup.schemas import (
    AcknowledgeIn,
    AlertOut,
    AlertState,
    AssignIn,
    CaseOut,
    CaseState,
    Digest,
    DossierFeedback,
    Timeliness,
    TransitionIn,
)
from api.settings import Settings
from api.types import Code
from api.viewer import current_viewer

Id = Annotated[int, Parameter(ge=1, le=2**63 - 1)]
Limit = Annotated[int, Parameter(ge=1, le=500)]
Before = Annotated[int | None, Parameter(ge=1, le=2**63 - 1)]
Unit = Annotated[Code | None, Parameter(description="a unit's code: it and the units under it")]
Req = Request[Any, Any, Any]


async def viewers(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: the caller is resolved (and refused: 401, 403) before any body is read."""
    await current_viewer(connection)


class Scoped(Controller):
    tags = ["follow-up"]
    guards = [viewers]


class AlertController(Scoped):
    path = "/api/v1/alerts"

    @get(summary="Alerts within your units, newest first (keyset: before=ID)")
    async def list(
        self, request: Req, store: Store, unit: Unit = None,
        status: Annotated[AlertState | None, Parameter(query="state")] = None,
        limit: Limit = 100, before: Before = None,
    ) -> list[AlertOut]:  # fmt: skip
        viewer = await current_viewer(request)
        return await service.list_alerts(store, viewer, unit=unit, state=status, limit=limit, before=before)

    @get("/digest", summary="The day's digest: alerts opened, acknowledged and closed, per unit")
    async def digest(
        self, request: Req, store: Store, settings: Settings, day: date | None = None, unit: Unit = None
    ) -> Digest:
        viewer = await current_viewer(request)
        day = day or date.fromisoformat(local_day(now_ms(), settings.timezone))
        return await service.digest(store, viewer, day, unit, settings.timezone)

    @get("/{alert_id:int}", summary="One alert with its evidence")
    async def one(self, request: Req, store: Store, alert_id: Id) -> AlertOut:
        return await service.get_alert(store, await current_viewer(request), alert_id)

    @post("/{alert_id:int}/acknowledge", status_code=200, summary="Acknowledge an alert with a note (managers)")
    async def acknowledge(self, request: Req, store: Store, alert_id: Id, data: AcknowledgeIn) -> AlertOut:
        return await service.acknowledge(store, await current_viewer(request), alert_id, data.note)


class CaseController(Scoped):
    path = "/api/v1/cases"

    @get(summary="Follow-up cases within your units, newest first (keyset: before=ID)")
    async def list(
        self, request: Req, store: Store, settings: Settings, unit: Unit = None,
        status: Annotated[CaseState | None, Parameter(query="state")] = None,
        overdue: bool = False, limit: Limit = 100, before: Before = None,
    ) -> list[CaseOut]:  # fmt: skip
        viewer = await current_viewer(request)
        return await service.list_cases(
            store, viewer, unit=unit, state=status, overdue=overdue, limit=limit, before=before, tz=settings.timezone
        )

    @get("/timeliness", summary="Circular 01 indicator 8 (unofficial): cases due in the period handled on time")
    async def timeliness(
        self,
        request: Req,
        store: Store,
        first: Annotated[date, Parameter(query="from")],
        last: Annotated[date, Parameter(query="to")],
        unit: Unit = None,
    ) -> Timeliness:
        return await service.timeliness(store, await current_viewer(request), unit, first, last)

    @get("/{case_id:int}", summary="One case with its full history")
    async def one(self, request: Req, store: Store, case_id: Id) -> CaseOut:
        return await service.get_case(store, await current_viewer(request), case_id)

    @post("/{case_id:int}/transition", status_code=200, summary="Move a case (answer: a response; dismiss: a reason)")
    async def transition(self, request: Req, store: Store, case_id: Id, data: TransitionIn) -> CaseOut:
        viewer = await current_viewer(request)
        return await service.transition(store, viewer, case_id, data.to, data.note, data.response, data.reason)

    @post("/{case_id:int}/assign", status_code=200, summary="Assign a case to a user of its unit (null: nobody)")
    async def assign(self, request: Req, store: Store, case_id: Id, data: AssignIn) -> CaseOut:
        return await service.assign(store, await current_viewer(request), case_id, data.assignee, data.note)


@get(
    "/api/v1/dossiers/{code:str}/feedback",
    tags=["follow-up"],
    guards=[viewers],
    summary="A dossier's ratings, answers and case",
)
async def dossier_feedback(request: Req, store: Store, code: Code) -> DossierFeedback:
    return await service.dossier_feedback(store, await current_viewer(request), code)


ROUTES: list[ControllerRouterHandler] = [AlertController, CaseController, dossier_feedback]
