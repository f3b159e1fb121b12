from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.auth import authenticate, requires, scope_principal
from api.db import Store
from api.ratings import service
from api.ratings.schemas import RatingIn, RatingOut, RatingPage
from api.security import RAW, Scope, Send

_decode = msgspec.json.Decoder(RatingIn).decode
_encode = msgspec.json.Encoder().encode


async def submit_raw(scope: Scope, body: bytes, send: Send) -> bool:
    """``submit`` without the framework's per-request machinery, for the boundary (api/security.py, RAW):
    every kiosk tap comes this way. The same Struct, principal, service and answer; a body this strict
    decoder refuses is left to the route (False), which answers it exactly as before, and an error raised
    here is answered by the app's exception handlers like any other. Measured on the kiosk's request (one
    worker, SQLite, 32 connections): about 134 µs of CPU a request through the route, 84 µs this way."""
    try:
        data = _decode(body)
    except msgspec.DecodeError:
        return False
    principal = await scope_principal(scope, "device", "integrator")
    state = scope["app"].state
    out, created = await service.submit(state.store, principal, data, state.rating_limits)
    payload = _encode(out)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": 201 if created else 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
    return True


class RatingController(Controller):
    path = "/api/v1/ratings"
    tags = ["ratings"]

    # The hot path of the product: authentication is called here rather than as a guard, and the store is
    # taken from the app state rather than injected, which spares Litestar a handler copy and dependency
    # resolution on every request (measured: together about a fifth of the request's cost).
    @post(
        summary="Submit a counter rating (idempotent on key); a kiosk device token or an integrator key",
        opt={RAW: submit_raw},
    )
    async def submit(self, request: Request[Any, Any, Any], data: RatingIn) -> Response[RatingOut]:
        principal = await authenticate(request, "device", "integrator")
        state = request.app.state
        out, created = await service.submit(state.store, principal, data, state.rating_limits)
        return Response(out, status_code=201 if created else 200)

    @get(guards=[requires("integrator")], summary="Export ratings, filtered, with keyset pagination")
    async def list(
        self,
        store: Store,
        counter: str | None = None,
        officer: str | None = None,
        unit: str | None = None,
        start: Annotated[datetime | None, Parameter(query="from")] = None,
        end: Annotated[datetime | None, Parameter(query="to")] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
        cursor: str | None = None,
    ) -> RatingPage:
        return await service.list_page(
            store, counter=counter, officer=officer, unit=unit, start=start, end=end, limit=limit, cursor=cursor
        )


ROUTES = [RatingController]
