"""kill -9 during load: every rating the server acknowledged is in the database afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from api.apikeys.service import create_key
from api.db import open_store
from api.db.migrate import migrate
from tests.live import free_port


async def wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            if proc.poll() is not None:
                raise RuntimeError("server exited during start-up")
            try:
                if (await client.get(base + "/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("server did not become ready")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_acknowledged_ratings_survive_kill_9(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = open_store(url)
    await store.open()
    await migrate(store)
    key = await create_key(store, "load", "admin")
    await store.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"HAILONG_DB": url, "HAILONG_PORT": str(port)}
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before the load
        [sys.executable, "-m", "api.cli", "serve"], env=env, stderr=subprocess.DEVNULL
    )
    acknowledged: list[str] = []
    try:
        await wait_ready(base, proc)
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
    finally:
        proc.kill()
        proc.wait()
    assert len(acknowledged) > 50, "the load did not get going"
    store = open_store(url)
    await store.open()
    try:
        stored = {r["idempotency_key"] for r in await store.fetch_all("SELECT idempotency_key FROM ratings")}
    finally:
        await store.close()
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged ratings lost"
