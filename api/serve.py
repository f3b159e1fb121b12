"""``hailong serve``: one or more uvicorn workers, and the demo start that prints where to go."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Awaitable, Callable

import msgspec
from litestar import Litestar

from api.db import Store, open_store
from api.db.migrate import migrate
from api.devices.cli import demo_hint as kiosk_hint
from api.settings import ENV, Settings, load_settings
from api.surveys.cli import demo_lines
from api.surveys.logs import install_access_log_filter

# Each returns the lines printed after a demo start, telling where to go.
DemoHint = Callable[[Store, Settings], Awaitable[list[str]]]
DEMO_HINTS: list[DemoHint] = [kiosk_hint, demo_lines]

# The collector's thresholds once started: a young collection only after 20,000 more live containers
# (not 700), and the older generations as often as by default relative to it.
GC_THRESHOLDS = (20_000, 10, 10)


def tune_process(app: Litestar) -> None:
    """Process-wide settings that belong to a server process, not to an app: run once the app has started.

    What start-up built lives as long as the process: keep it out of the collector's generations, so
    that collections under load stay short (p99 latency). Group commit keeps a whole batch of requests
    alive at once, which at the default threshold (700) set off a young-generation collection every
    batch or two: measured, 6.5 µs per rating. Survey tokens are masked in uvicorn's and Litestar's logs.
    """
    install_access_log_filter()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def server_app(settings: Settings) -> Litestar:
    """The app as a server process runs it: ``create_app`` plus the process tuning once started."""
    from api.app import create_app

    app = create_app(settings)
    app.on_startup.append(tune_process)
    return app


def asgi_app() -> Litestar:
    """For ``uvicorn --factory`` with several workers: settings come from the environment."""
    return server_app(load_settings())


class WorkersRefused(Exception):
    """Several workers on an embedded SQLite file."""


def serve(settings: Settings, *, workers: int = 1, demo: bool = False) -> int:
    import uvicorn

    from api.commands import UsageError

    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if workers > 1 and settings.db_url.startswith("sqlite"):
        raise UsageError(
            "SQLite has one writer per file, so hailong runs one worker on it (that worker batches writes and"
            " serves a province). For more workers move to PostgreSQL: hailong store copy SRC postgresql://…"
        )
    if demo:
        for line in asyncio.run(prepare_demo(settings)):
            print(line, flush=True)
    config: dict[str, object] = {
        "host": settings.host,
        "port": settings.port,
        "access_log": settings.access_log,
        "log_level": "info",
        "proxy_headers": True,
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(server_app(settings), **config)  # type: ignore[arg-type]
    else:
        asyncio.run(migrate_once(settings))  # before the workers start, not in each of them
        values = msgspec.structs.asdict(settings)
        for field, (var, _) in ENV.items():
            if values[field] is not None:
                os.environ[var] = str(int(values[field]) if isinstance(values[field], bool) else values[field])
        uvicorn.run("api.serve:asgi_app", factory=True, workers=workers, **config)  # type: ignore[arg-type]
    return 0


async def migrate_once(settings: Settings) -> None:
    store = open_store(settings.db_url)
    await store.open()
    try:
        await migrate(store)
    finally:
        await store.close()


async def prepare_demo(settings: Settings) -> list[str]:
    """Fill an empty database with the demo province; return the lines telling where to go."""
    from api.apikeys.service import create_key
    from api.demo.generate import fill_demo

    store: Store = open_store(settings.db_url)
    await store.open()
    try:
        await migrate(store)
        fresh = await store.fetch_one("SELECT 1 AS x FROM units") is None
        if fresh:
            print("Filling an empty database with the demo province (seed 7)…", flush=True)
            await fill_demo(store, scale="small", seed=7)
        base = settings.base_url
        lines = ["", f"hailong demo is starting on {base}  (database: {settings.db_url})"]
        lines.append(f"  API docs (OpenAPI):   {base}/schema")
        if fresh:  # keys are shown once, when made; a later start does not mint new ones
            lines.append(f"  Admin API key:        {await create_key(store, 'demo admin', 'admin')}")
            lines.append(f"  Integrator API key:   {await create_key(store, 'demo integrator', 'integrator')}")
        else:
            lines.append(
                "  API keys:             shown when first made; another: hailong apikey create --name NAME --role admin"
            )
        for hint in DEMO_HINTS:
            lines.extend(await hint(store, settings))
        lines.append("")
        return lines
    finally:
        await store.close()
