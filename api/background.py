"""Work the API process does off the request path, every few seconds: one small registry, one loop each.

A domain that must keep something up to date (the duty roster today; rollups, alerts and cases as they come)
adds a ``Periodic`` to ``PERIODIC`` (api/app.py). Each runs once at start-up, then every ``seconds``, and
when ``wake(app, name)`` asks for it sooner (e.g. right after a change made on a page). With several
worker processes every worker runs it: the work must be idempotent (upserts, unique constraints). A failing
round is logged and retried at the next tick; it never stops the service. Nothing here runs at import or in
the app factory: the loops start in the app's lifespan and stop with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

from api.db import Store
from api.settings import Settings

log = logging.getLogger("hailong.background")


@dataclass(frozen=True)
class Periodic:
    name: str
    seconds: float
    run: Callable[[Store, Settings], Awaitable[None]]


class Loops:
    """The running loops of one app, and the events that wake them early."""

    def __init__(self) -> None:
        self.events: dict[str, asyncio.Event] = {}
        self.tasks: list[asyncio.Task[None]] = []

    def wake(self, name: str) -> None:
        event = self.events.get(name)
        if event is not None:
            event.set()


async def _loop(job: Periodic, store: Store, settings: Settings, event: asyncio.Event) -> None:
    while True:
        event.clear()
        try:
            await job.run(store, settings)
        except asyncio.CancelledError:
            raise
        except Exception:  # logged and retried at the next tick
            log.exception("background job %s failed; retrying in %.0f s", job.name, job.seconds)
        with suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), job.seconds)


@asynccontextmanager
async def running(jobs: Sequence[Periodic], store: Store, settings: Settings) -> AsyncIterator[Loops]:
    loops = Loops()
    for job in jobs:
        event = loops.events[job.name] = asyncio.Event()
        loops.tasks.append(asyncio.create_task(_loop(job, store, settings, event), name=f"hailong:{job.name}"))
    try:
        yield loops
    finally:
        for task in loops.tasks:
            task.cancel()
        for task in loops.tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task


def wake(app: Any, name: str) -> None:
    """Ask the named job to run now rather than at its next tick (no-op when the app has no loops)."""
    loops = getattr(app.state, "loops", None)
    if isinstance(loops, Loops):
        loops.wake(name)
