"""``hailong serve``: one or more uvicorn workers, and the demo start that prints where to go."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import msgspec

from api.db import Store, StoreError, Tx, open_store
from api.db.migrate import migrate
from api.db.open import parse_db_url
from api.devices.cli import demo_hint as kiosk_hint
from api.limits import uvicorn_limits
from api.settings import ENV, Settings
from api.surveys.cli import demo_lines

# Async callables (store, settings) -> list of (label, line) printed after a demo start.
DEMO_HINTS: list[Any] = [kiosk_hint, demo_lines]


class WorkersRefused(Exception):
    """Several workers on an embedded SQLite file."""


def serve(settings: Settings, *, workers: int = 1, demo: bool = False) -> int:
    import uvicorn

    from api.cli import UsageError

    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if workers > 1 and settings.db_url.startswith("sqlite"):
        raise UsageError(
            "SQLite has one writer per file, so hailong runs one worker on it (that worker batches writes and"
            " serves a province). For more workers move to PostgreSQL: hailong store copy SRC postgresql://…"
        )
    check_file(settings)
    asyncio.run(preflight(settings))  # one clear line and a non-zero exit, not a traceback from a worker
    if demo:
        for line in asyncio.run(prepare_demo(settings)):
            print(line, flush=True)
    config: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "access_log": settings.access_log,
        "log_level": "info",
        "proxy_headers": False,  # the app believes X-Forwarded-For only from HAILONG_TRUSTED_PROXIES (api.clients)
        "server_header": False,
        **uvicorn_limits(),
    }
    if workers == 1:
        from api.app import create_app

        uvicorn.run(create_app(settings), **config)
    else:
        values = msgspec.structs.asdict(settings)
        for field, (var, _) in ENV.items():
            if values[field] is not None:
                os.environ[var] = str(int(values[field]) if isinstance(values[field], bool) else values[field])
        uvicorn.run("api.app:create_app_from_env", factory=True, workers=workers, **config)
    return 0


def check_file(settings: Settings) -> None:
    """A SQLite file this user may not write: say so before SQLite tries (and logs its own failures)."""
    dialect, target = parse_db_url(settings.db_url)
    if dialect == "sqlite" and os.path.exists(target) and not os.access(target, os.W_OK):
        raise StoreError(f"the SQLite file {target} is read-only for this user: hailong must be able to write it")


async def preflight(settings: Settings) -> None:
    """Before any worker starts: the store opens, is migrated (once, not in each worker) and takes a write.
    A store that cannot be reached or written (a read-only file or replica, a full disk) is a StoreError
    with one line, and ``hailong serve`` exits non-zero rather than start and fail every write."""
    store = open_store(settings.db_url)
    await store.open()
    try:
        await migrate(store)
        try:
            await store.write(_probe_write)
        except StoreError:
            raise
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(f"cannot write to the database {settings.db_url}: {reason}") from None
    finally:
        await store.close()


async def _probe_write(tx: Tx) -> None:
    """A write that changes nothing but needs a writable store: SQLite opens a write transaction on the file,
    PostgreSQL refuses it on a read-only server or transaction."""
    await tx.execute("UPDATE schema_migrations SET applied_at = applied_at WHERE version = -1")
    if tx.dialect == "sqlite":  # SQLite opens the write only once a row could change: make it so, undone
        await tx.execute("CREATE TABLE IF NOT EXISTS hailong_write_probe (x INTEGER)")
        await tx.execute("DROP TABLE hailong_write_probe")


async def prepare_demo(settings: Settings) -> list[str]:
    """Fill an empty database with the demo province; return the lines telling where to go."""
    from api.apikeys.service import create_key
    from api.demo.generate import fill_demo

    store: Store = open_store(settings.db_url)
    await store.open()
    try:
        await migrate(store)
        if await store.fetch_one("SELECT 1 AS x FROM units") is None:
            print("Filling an empty database with the demo province (seed 7)…", flush=True)
            await fill_demo(store, scale="small", seed=7)
        admin = await create_key(store, "demo admin", "admin")
        integrator = await create_key(store, "demo integrator", "integrator")
        base = settings.base_url
        lines = [
            "",
            f"hailong demo is starting on {base}  (database: {settings.db_url})",
            f"  OpenAPI document:     {base}/schema/openapi.json",
            f"  Admin API key:        {admin}",
            f"  Integrator API key:   {integrator}",
        ]
        for hint in DEMO_HINTS:
            lines.extend(await hint(store, settings))
        lines.append("")
        return lines
    finally:
        await store.close()
