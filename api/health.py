from __future__ import annotations

import msgspec
from litestar import get

from api.db import Store, StoreError, Tx
from api.db.errors import unavailable_reason
from api.errors import DomainError


class Health(msgspec.Struct):
    status: str


class NotReady(DomainError):
    status, code, title = 503, "not-ready", "Not ready"


@get("/healthz", tags=["health"], summary="The process answers (does not touch the database)")
async def healthz() -> Health:
    return Health("ok")


# "HLNG": written by every readiness probe, so the probe is a real committed write (a WAL frame on SQLite).
SQLITE_APPLICATION_ID = 0x484C4E47


async def probe_write(tx: Tx) -> None:
    """A write that commits: a read-only file or database, a full disk or a lost server fail it."""
    if tx.dialect == "sqlite":
        await tx.execute(f"PRAGMA application_id = {SQLITE_APPLICATION_ID}")
    elif await tx.fetch_val("SHOW transaction_read_only") != "off":
        raise StoreError("PostgreSQL is read-only here (a standby?)")


@get("/readyz", tags=["health"], summary="The database takes writes (a small committed write)")
async def readyz(store: Store) -> Health:
    try:
        await store.write(probe_write)
    except Exception as exc:
        reason = unavailable_reason(exc) or f"{type(exc).__name__}: {exc}"
        store.health.failed(reason)
        raise NotReady(f"The database cannot take writes: {reason}") from None
    if store.health.down is not None and store.health.damaged:
        # A damaged file does not mend itself: the probe's one page may be whole while others are not.
        raise NotReady(f"The database file is damaged: {store.health.down}; restore it from a backup")
    store.health.recovered()
    return Health("ready")


ROUTES = [healthz, readyz]
