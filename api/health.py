from __future__ import annotations

import msgspec
from litestar import get

from api.db import Store
from api.errors import DomainError


class Health(msgspec.Struct):
    status: str


class NotReady(DomainError):
    status, code, title = 503, "not-ready", "Not ready"


@get("/healthz", tags=["health"], summary="The process answers (does not touch the database)")
async def healthz() -> Health:
    return Health("ok")


@get("/readyz", tags=["health"], summary="The database answers")
async def readyz(store: Store) -> Health:
    try:
        await store.ping()
    except Exception as exc:
        raise NotReady(f"database not reachable: {type(exc).__name__}") from None
    return Health("ready")


ROUTES = [healthz, readyz]
