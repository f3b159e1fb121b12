"""Issue 14, item 4 on the page: a manager pairs a kiosk (a big code to type on the tablet) and revokes it,
plans and removes shifts (the officer on duty follows), and an impossible shift is refused in words; a viewer
sees the page without any form and cannot change anything."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.accounts import service
from tests.harness import Harness, harness, seed_reference
from tests.integration.test_accounts import PASSWORD, accounts, cheap, csrf_of, login

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def h(db_url: str) -> AsyncIterator[Harness]:
    async with harness(db_url) as ready:
        accounts(ready).passwords = cheap()
        await seed_reference(ready)
        for name, role in (("lan", "manager"), ("hung", "viewer")):
            await service.add_user(ready.store, name, role, "HB.LS", PASSWORD, actor="test", passwords=cheap())
        yield ready


async def page(h: Harness, query: str = "unit=HB.LS") -> tuple[str, str]:
    r = await h.client.get(f"/dashboard/kiosks?{query}")
    assert r.status_code == 200, r.text[:500]
    return html.unescape(r.text), csrf_of(r.text)


async def test_a_manager_pairs_and_revokes_a_kiosk_from_the_page(h: Harness) -> None:
    assert (await login(h, "lan", PASSWORD)).status_code == 303
    text, csrf = await page(h)
    assert "LS-Q1" in text and "Nguyễn Thị Lan" in text  # on duty at LS-Q1
    r = await h.client.post("/dashboard/kiosks/pair", data={"csrf": csrf, "counter": "LS-Q2", "unit": "HB.LS"})
    assert r.status_code == 200
    code = re.search(r'class="pairing-code"[^>]*>(\d{4}) (\d{4})<', r.text)
    assert code, r.text[:1500]
    paired = await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code[1] + code[2], "name": "tablet"})
    assert paired.status_code == 201
    device = paired.json()["device"]
    text, csrf = await page(h)
    assert device in text
    r = await h.client.post(f"/dashboard/kiosks/{device}/revoke", data={"csrf": csrf, "unit": "HB.LS"})
    assert (r.status_code == 200 and "Revoked" in r.text) or "Đã thu hồi" in r.text
    assert (await h.rows("SELECT revoked_at FROM devices"))[0]["revoked_at"] is not None
    audit = await h.rows("SELECT action FROM audit_log WHERE action LIKE 'kiosk%' ORDER BY id")
    assert [a["action"] for a in audit] == ["kiosk-pairing-code", "kiosk-revoke"]


async def test_shifts_planned_on_the_page_set_who_is_on_duty_and_clashes_are_refused(h: Harness) -> None:
    assert (await login(h, "lan", PASSWORD)).status_code == 303
    now = datetime.now(TZ)
    starts = max(now - timedelta(hours=1), now.replace(hour=0, minute=0))
    ends = min(now + timedelta(hours=1), now.replace(hour=23, minute=59))
    form = {"unit": "HB.LS", "counter": "LS-Q2", "officer": "CB02", "day": now.date().isoformat(),
            "starts": starts.strftime("%H:%M"), "ends": ends.strftime("%H:%M")}  # fmt: skip
    _, csrf = await page(h)
    r = await h.client.post("/dashboard/roster/shifts", data={**form, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and "done=shift-added" in r.headers["location"]
    duty = await h.rows("SELECT o.code FROM counter_duty d JOIN officers o ON o.id = d.officer_id"
                        " JOIN counters c ON c.id = d.counter_id WHERE c.code = 'LS-Q2'")  # fmt: skip
    assert [d["code"] for d in duty] == ["CB02"]
    text, csrf = await page(h)
    assert "Trần Văn Hùng" in text
    again = await h.client.post("/dashboard/roster/shifts", data={**form, "csrf": csrf})
    assert (again.status_code == 200 and "overlaps" in html.unescape(again.text)) or "trùng" in html.unescape(
        again.text
    )
    assert await h.count("duty_shifts") == 1
    shift = (await h.rows("SELECT id FROM duty_shifts"))[0]["id"]
    r = await h.client.post(f"/dashboard/roster/shifts/{shift}/remove", data={"csrf": csrf, "unit": "HB.LS"})
    assert r.status_code == 200 and await h.count("duty_shifts") == 0


async def test_a_viewer_sees_no_form_and_cannot_change_anything(h: Harness) -> None:
    assert (await login(h, "hung", PASSWORD)).status_code == 303
    text, csrf = await page(h)
    assert "LS-Q1" in text and 'action="/dashboard/kiosks/pair"' not in text and "/dashboard/roster/shifts" not in text
    r = await h.client.post("/dashboard/kiosks/pair", data={"csrf": csrf, "counter": "LS-Q2", "unit": "HB.LS"})
    assert r.status_code == 403
    assert await h.count("pairing_codes") == 0
