"""Two API worker processes on one PostgreSQL database: the invariants hold across processes."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import httpx
import pytest

from api.apikeys.service import create_key
from api.db import open_store
from api.db.migrate import migrate
from tests.live import free_port, hailong_serve, served
from tests.pg import pg_url_or_skip, temp_schema

pytestmark = pytest.mark.postgres


async def test_two_workers_store_one_rating_per_key_and_per_dossier(tmp_path: Path) -> None:
    with temp_schema(pg_url_or_skip()) as url:
        store = open_store(url)
        await store.open()
        try:
            await migrate(store)
            key = await create_key(store, "two workers", "admin")
        finally:
            await store.close()
        port = free_port()
        env = os.environ | {"HAILONG_DB": url, "HAILONG_PORT": str(port)}
        with served(hailong_serve("--workers", "2"), env, port, tmp_path / "server.log") as server:
            base = server.base
            headers = {"Authorization": f"Bearer {key}"}
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=0)  # new connection each time
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10, limits=limits) as client:
                for path, body in (
                    ("/api/v1/units", {"code": "U", "name": "Xã A", "kind": "commune"}),
                    ("/api/v1/counters", {"code": "Q", "unit": "U", "name": "Quầy 1"}),
                    ("/api/v1/procedures", {"code": "P", "name": "Chứng thực", "field": "Chứng thực", "legal_days": 1}),
                    (
                        "/api/v1/dossiers",
                        {
                            "code": "D-1",
                            "unit": "U",
                            "procedure": "P",
                            "channel": "direct",
                            "received_at": "2026-11-20T08:00:00+07:00",
                            "due_at": "2026-11-21T08:00:00+07:00",
                        },
                    ),
                ):
                    assert (await client.post(path, json=body)).status_code == 201
                same_key = {"idempotency_key": str(uuid.uuid4()), "counter": "Q", "level": 3}
                replays = await asyncio.gather(*(client.post("/api/v1/ratings", json=same_key) for _ in range(60)))
                same_dossier = [
                    {"idempotency_key": str(uuid.uuid4()), "counter": "Q", "level": 2, "dossier_code": "D-1"}
                    for _ in range(60)
                ]
                racers = await asyncio.gather(*(client.post("/api/v1/ratings", json=b) for b in same_dossier))
        log = server.output()
        assert [r.status_code for r in replays].count(201) == 1, [r.status_code for r in replays]
        assert len({r.json()["id"] for r in replays}) == 1
        codes = [r.status_code for r in racers]
        assert codes.count(201) == 1 and codes.count(409) == 59, codes
        assert log.count("Started server process") >= 2, log[-2000:]
        store = open_store(url)
        await store.open()
        try:
            rows = await store.fetch_all("SELECT idempotency_key, dossier_id FROM ratings")
        finally:
            await store.close()
        assert len(rows) == 2
        assert sum(1 for r in rows if r["dossier_id"] is not None) == 1
