"""``hailong serve``: one or more uvicorn workers, and the demo start that prints where to go."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Awaitable, Callable

import msgspec
from litestar import Litestar

from api.accounts.cli import demo_hint as users_hint
from api.db import Store, StoreError, open_store
from api.db.migrate import migrate
from api.db.open import parse_db_url
from api.devices.cli import demo_hint as kiosk_hint
from api.followup.demo import demo_hint as followup_hint
from api.health import probe_write
from api.limits import uvicorn_limits
from api.roster.cli import demo_hint as roster_hint
from api.settings import ENV, Settings, load_settings
from api.surveys.cli import demo_lines
from api.surveys.logs import install_access_log_filter

# Each returns the lines printed after a demo start, telling where to go.
DemoHint = Callable[[Store, Settings], Awaitable[list[str]]]
DEMO_HINTS: list[DemoHint] = [kiosk_hint, demo_lines, users_hint, roster_hint, followup_hint]

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
    check_file(settings)
    asyncio.run(preflight(settings))  # one clear line and a non-zero exit, not a traceback from a worker
    if demo:
        for line in asyncio.run(prepare_demo(settings, analyse=True)):
            print(line, flush=True)
    config: dict[str, object] = {
        "host": settings.host,
        "port": settings.port,
        "access_log": settings.access_log,
        "log_level": "info",
        "proxy_headers": False,  # the app believes X-Forwarded-For only from HAILONG_TRUSTED_PROXIES (api.clients)
        "server_header": False,
        **uvicorn_limits(),
    }
    if workers == 1:
        uvicorn.run(server_app(settings), **config)  # type: ignore[arg-type]
    else:
        values = msgspec.structs.asdict(settings)
        for field, (var, _) in ENV.items():
            if values[field] is not None:
                os.environ[var] = str(int(values[field]) if isinstance(values[field], bool) else values[field])
        uvicorn.run("api.serve:asgi_app", factory=True, workers=workers, **config)  # type: ignore[arg-type]
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
            await store.write(probe_write)
        except StoreError:
            raise
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(f"cannot write to the database {settings.db_url}: {reason}") from None
    finally:
        await store.close()


ANALYSIS_OUT = "hailong-analysis"


def analyse_in_background(settings: Settings) -> str:
    """``hailong analyze`` over the demo, in a child process that outlives nothing it should not (its own
    session; its output in ``hailong-analysis.log``); the service starts meanwhile."""
    import subprocess
    import sys

    code = "from api.cli import main; raise SystemExit(main())"
    with open(f"{ANALYSIS_OUT}.log", "wb") as log:
        subprocess.Popen(
            [sys.executable, "-c", code, "analyze", "--db", settings.db_url, "--out", ANALYSIS_OUT],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return (
        "  Analysis:             hailong analyze runs in the background: themes and flags in a minute or two"
        f" ({ANALYSIS_OUT}.log)"
    )


async def prepare_demo(settings: Settings, *, analyse: bool = False) -> list[str]:
    """Fill an empty database with the demo province; return the lines telling where to go. ``analyse``: on a
    fresh database, also start ``hailong analyze`` as a process of its own (numpy and scikit-learn never load
    in the API process), so the themes, flags and slow alerts appear a minute or two after the start."""
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
        lines.append(f"  OpenAPI document:     {base}/schema/openapi.json")
        if fresh:  # keys are shown once, when made; a later start does not mint new ones
            lines.append(f"  Admin API key:        {await create_key(store, 'demo admin', 'admin')}")
            lines.append(f"  Integrator API key:   {await create_key(store, 'demo integrator', 'integrator')}")
        else:
            lines.append(
                "  API keys:             shown when first made; another: hailong apikey create --name NAME --role admin"
            )
        for hint in DEMO_HINTS:
            lines.extend(await hint(store, settings))
        if fresh and analyse:
            lines.append(analyse_in_background(settings))
        lines.append("")
        return lines
    finally:
        await store.close()
