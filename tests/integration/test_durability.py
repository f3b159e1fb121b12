"""kill -9 during load: every rating the server acknowledged is in the database afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from api.apikeys.service import create_key
from api.db import open_store
from api.db.migrate import migrate
from tests.live import free_port, hailong_serve, served


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_acknowledged_ratings_survive_kill_9(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = open_store(url)
    await store.open()
    await migrate(store)
    key = await create_key(store, "load", "admin")
    await store.close()
    port = free_port()
    env = os.environ | {"HAILONG_DB": url, "HAILONG_PORT": str(port)}
    acknowledged: list[str] = []
    with served(hailong_serve(), env, port, tmp_path / "server.log") as server:
        proc, base = server.proc, server.base
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=5) as client:
            for path, body in (
                ("/api/v1/units", {"code": "U", "name": "Xã A", "kind": "commune"}),
                ("/api/v1/counters", {"code": "Q", "unit": "U", "name": "Quầy"}),
            ):
                assert (await client.post(path, json=body)).status_code == 201
            stop_at = time.monotonic() + 1.5

            async def client_loop() -> None:
                while time.monotonic() < stop_at:
                    k = str(uuid.uuid4())
                    try:
                        r = await client.post(
                            "/api/v1/ratings", json={"idempotency_key": k, "counter": "Q", "level": 3}
                        )
                    except httpx.TransportError:
                        return
                    if r.status_code == 201:
                        acknowledged.append(k)

            async def killer() -> None:
                await asyncio.sleep(1.0)
                proc.send_signal(signal.SIGKILL)

            await asyncio.gather(killer(), *(client_loop() for _ in range(16)))
    assert len(acknowledged) > 50, "the load did not get going"
    store = open_store(url)
    await store.open()
    try:
        stored = {r["idempotency_key"] for r in await store.fetch_all("SELECT idempotency_key FROM ratings")}
    finally:
        await store.close()
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged ratings lost"
