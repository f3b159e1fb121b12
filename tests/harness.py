"""A fresh app and a fresh database per test, driven through HTTP, with direct access to stored rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient

from api.apikeys.service import create_key
from api.app import create_app
from api.db import Row, Store, open_store
from api.db.migrate import migrate
from api.settings import load_settings


@dataclass
class Harness:
    client: AsyncTestClient[Any]
    store: Store
    db_url: str
    admin_key: str
    integrator_key: str
    settings: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    @property
    def integrator(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.integrator_key}"}

    async def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
        return await self.store.fetch_all(sql, params)

    async def count(self, table: str) -> int:
        row = await self.store.fetch_one(f"SELECT count(*) AS n FROM {table}")
        assert row is not None
        return int(row["n"])

    async def post(self, path: str, body: Any, key: str = "admin") -> Any:
        headers = self.admin if key == "admin" else self.integrator
        return await self.client.post(path, json=body, headers=headers)


def local_today(zone: str = "Asia/Ho_Chi_Minh") -> date:
    """Today where the test units live: from 17:00 UTC on, Vietnam's date is already the next one."""
    return datetime.now(ZoneInfo(zone)).date()


@asynccontextmanager
async def harness(db_url: str, **overrides: Any) -> AsyncIterator[Harness]:
    store = open_store(db_url)
    await store.open()
    try:
        await migrate(store)
        admin = await create_key(store, "test admin", "admin")
        integrator = await create_key(store, "test integrator", "integrator")
        settings = load_settings({"db_url": db_url, **overrides}, environ={})
        async with AsyncTestClient(create_app(settings)) as client:
            yield Harness(client, store, db_url, admin, integrator, settings)
    finally:
        await store.close()


async def seed_reference(h: Harness, *, scale: int = 3) -> None:
    """A small unit tree, two counters with duty officers, procedures and one dossier."""
    for body in (
        {"code": "HB", "name": "Tỉnh Hoà Bình", "kind": "province"},
        {"code": "HB.LS", "name": "Huyện Lương Sơn", "kind": "district", "parent": "HB", "rating_scale": scale},
    ):
        assert (await h.post("/api/v1/units", body)).status_code == 201
    for body in (
        {"code": "LS-Q1", "unit": "HB.LS", "name": "Quầy 1"},
        {"code": "LS-Q2", "unit": "HB.LS", "name": "Quầy 2"},
    ):
        assert (await h.post("/api/v1/counters", body)).status_code == 201
    for body in (
        {"code": "CB01", "unit": "HB.LS", "full_name": "Nguyễn Thị Lan"},
        {"code": "CB02", "unit": "HB.LS", "full_name": "Trần Văn Hùng"},
    ):
        assert (await h.post("/api/v1/officers", body)).status_code == 201
    assert (
        await h.client.put("/api/v1/counters/LS-Q1/duty", json={"officer": "CB01"}, headers=h.admin)
    ).status_code == 200
    proc = {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "legal_days": 1}
    assert (await h.post("/api/v1/procedures", proc)).status_code == 201
    dossier = {
        "code": "000.00.12.H36-261120-0001",
        "unit": "HB.LS",
        "procedure": "1.001193",
        "officer": "CB02",
        "channel": "direct",
        "received_at": "2026-11-20T08:00:00+07:00",
        "due_at": "2026-11-21T08:00:00+07:00",
    }
    assert (await h.post("/api/v1/dossiers", dossier, key="integrator")).status_code == 201
