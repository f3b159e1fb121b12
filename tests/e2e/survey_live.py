"""A live hailong server for browser tests: uvicorn in a thread, a temp SQLite file, keys for the API.

(Used by the survey browser tests; the kiosk tests run the CLI server in a subprocess instead.)
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from api.apikeys.service import create_key
from api.db import open_store
from api.db.migrate import migrate
from api.settings import load_settings
from tests.live import free_port

T = TypeVar("T")


@dataclass
class Live:
    base: str
    db_url: str
    admin: dict[str, str]
    integrator: dict[str, str]

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Stored rows, read through a store of our own (the server keeps running)."""

        async def run() -> list[dict[str, Any]]:
            store = open_store(self.db_url)
            await store.open()
            try:
                return await store.fetch_all(sql, params)
            finally:
                await store.close()

        return _run(run())


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: Playwright's sync API keeps a loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _keys(db_url: str) -> tuple[str, str]:
    store = open_store(db_url)
    await store.open()
    try:
        await migrate(store)
        return await create_key(store, "e2e admin", "admin"), await create_key(store, "e2e integrator", "integrator")
    finally:
        await store.close()


@contextmanager
def live_server(tmp: Path, **overrides: Any) -> Iterator[Live]:
    import uvicorn

    import api.app

    port = free_port()
    db_url = f"sqlite:///{tmp / 'live.db'}"
    admin, integrator = _run(_keys(db_url))
    settings = load_settings({"db_url": db_url, "port": port, **overrides}, environ={})
    config = uvicorn.Config(api.app.create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("live server did not start")
    try:
        yield Live(base, db_url, {"Authorization": f"Bearer {admin}"}, {"Authorization": f"Bearer {integrator}"})
    finally:
        server.should_exit = True
        thread.join(10)


def seed(live: Live, dossier_code: str = "000.00.12.H36-261120-0001") -> dict[str, Any]:
    """A unit, a procedure and one dossier registered by the integrator; returns the dossier answer."""
    with httpx.Client(base_url=live.base, timeout=10) as c:
        c.post("/api/v1/units", json={"code": "HB", "name": "Tỉnh Hoà Bình", "kind": "province"}, headers=live.admin)
        c.post(
            "/api/v1/procedures",
            json={"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "legal_days": 1},
            headers=live.admin,
        )
        r = c.post(
            "/api/v1/dossiers",
            json={
                "code": dossier_code,
                "unit": "HB",
                "procedure": "1.001193",
                "channel": "direct",
                "received_at": "2026-11-20T08:00:00+07:00",
                "due_at": "2026-11-21T08:00:00+07:00",
            },
            headers=live.integrator,
        )
        assert r.status_code in (200, 201), r.text
        body: dict[str, Any] = r.json()
        return body
