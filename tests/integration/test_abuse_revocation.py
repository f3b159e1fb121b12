"""Issue 10, item 10: a revocation from the CLI (another process) or from any worker takes effect on the next
request in every worker, however long credentials are cached."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.apikeys.service import create_key, revoke_key
from api.db import open_store
from api.db.migrate import migrate
from api.devices import service as devices
from tests.harness import harness, seed_reference
from tests.live import free_port, hailong_serve, served
from tests.pg import pg_url_or_skip, temp_schema


async def test_revocation_by_another_connection_is_seen_at_once(db_url: str) -> None:
    async with harness(db_url, auth_cache_seconds=300) as h:
        await seed_reference(h)
        code = (await h.post("/api/v1/devices/pairing-codes", {"counter": "LS-Q1"})).json()["code"]
        paired = (await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})).json()
        kiosk = {"Authorization": f"Bearer {paired['device_token']}"}
        for _ in range(3):  # cached now, for 300 s
            assert (await h.client.get("/api/v1/units", headers=h.integrator)).status_code == 200
            assert (await h.client.get("/api/v1/kiosk/config", headers=kiosk)).status_code == 200
        assert await revoke_key(h.store, h.integrator_key[:7]) == 1  # the harness's own connection: "the CLI"
        r = await h.client.get("/api/v1/units", headers=h.integrator)
        assert r.status_code == 401 and r.json()["type"].endswith("/key-revoked")
        assert (await h.client.get("/api/v1/kiosk/config", headers=kiosk)).status_code == 200
        await devices.revoke(h.store, paired["device"])
        r = await h.client.get("/api/v1/kiosk/config", headers=kiosk)
        assert r.status_code == 401 and r.json()["type"].endswith("/device-revoked")
        assert (await h.client.get("/api/v1/units", headers=h.admin)).status_code == 200


def _cli(url: str, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "api.cli", *args, "--db", url], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.postgres
async def test_cli_revocation_reaches_both_workers_on_the_next_request(tmp_path: Path) -> None:
    with temp_schema(pg_url_or_skip()) as url:
        store = open_store(url)
        await store.open()
        try:
            await migrate(store)
            admin = await create_key(store, "admin", "admin")
            integrator = await create_key(store, "integrator", "integrator")
        finally:
            await store.close()
        port = free_port()
        env = os.environ | {"HAILONG_DB": url, "HAILONG_PORT": str(port), "HAILONG_AUTH_CACHE_SECONDS": "300"}
        with served(hailong_serve("--workers", "2"), env, port, tmp_path / "server.log") as server:
            base = server.base
            limits = httpx.Limits(max_keepalive_connections=0)  # a new connection each time: both workers answer
            async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:
                as_admin = {"Authorization": f"Bearer {admin}"}
                as_integrator = {"Authorization": f"Bearer {integrator}"}
                assert (
                    await client.post(
                        "/api/v1/units", json={"code": "U", "name": "Xã", "kind": "commune"}, headers=as_admin
                    )
                ).status_code == 201
                assert (
                    await client.post(
                        "/api/v1/counters", json={"code": "Q", "unit": "U", "name": "Q1"}, headers=as_admin
                    )
                ).status_code == 201
                code = (
                    await client.post("/api/v1/devices/pairing-codes", json={"counter": "Q"}, headers=as_admin)
                ).json()
                paired = (await client.post("/api/v1/kiosk/pair", json={"pairing_code": code["code"]})).json()
                as_kiosk = {"Authorization": f"Bearer {paired['device_token']}"}
                warm = await asyncio.gather(
                    *(client.get("/api/v1/units", headers=as_integrator) for _ in range(20)),
                    *(client.get("/api/v1/kiosk/config", headers=as_kiosk) for _ in range(20)),
                )
                assert all(r.status_code == 200 for r in warm)
                await asyncio.to_thread(_cli, url, "apikey", "revoke", integrator[:7])
                after = await asyncio.gather(*(client.get("/api/v1/units", headers=as_integrator) for _ in range(20)))
                assert [r.status_code for r in after] == [401] * 20
                await asyncio.to_thread(_cli, url, "kiosk", "revoke", paired["device"])
                after = await asyncio.gather(*(client.get("/api/v1/kiosk/config", headers=as_kiosk) for _ in range(20)))
                assert [r.status_code for r in after] == [401] * 20
                assert (await client.get("/api/v1/units", headers=as_admin)).status_code == 200
        assert server.output().count("Started server process") >= 2
