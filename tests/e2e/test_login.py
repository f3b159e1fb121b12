"""Sign in → the layout → sign out, in a real browser (Debian chromium via Playwright)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from api.accounts import service
from api.db import open_store
from tests.axe import assert_no_serious
from tests.e2e.survey_live import Live, live_server
from tests.live import CHROMIUM, screenshot_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
PASSWORD = "a long enough password"


def add_admin(live: Live) -> None:
    async def run() -> None:
        store = open_store(live.db_url)
        await store.open()
        try:
            await service.add_user(
                store, "root", "admin", None, PASSWORD, display_name="Trần Thị Quản Trị", actor="e2e"
            )
        finally:
            await store.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps a loop running in this thread
        pool.submit(asyncio.run, run()).result()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_server(tmp_path) as server:
        add_admin(server)
        yield server


def test_sign_in_see_the_layout_switch_language_and_sign_out(live: Live, page: Any, tmp_path: Path) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live.base + "/dashboard/audit")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fdashboard%2Faudit$"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert_no_serious(page)

    page.get_by_label("Tên đăng nhập").fill("root")
    page.get_by_label("Mật khẩu").fill("not the password")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    page.screenshot(path=str(screenshot_path(tmp_path, "login-vi.png")))
    assert_no_serious(page)  # with the error shown

    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(live.base + "/dashboard/audit")
    header = page.locator("header.top")
    expect(header).to_contain_text("Trần Thị Quản Trị")
    expect(header).to_contain_text("Quản trị hệ thống")
    nav = page.get_by_role("navigation", name="Các trang theo dõi")
    expect(nav.get_by_role("link", name="Nhật ký hệ thống")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Tổng quan")).to_have_attribute("href", "/dashboard")
    expect(page.locator("table.data")).to_contain_text("login-failed")
    assert_no_serious(page)
    # the stylesheet loaded from this origin and applied (the header's dark background)
    assert page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor") == "rgb(11, 61, 110)"
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["hailong_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # no cookie is readable by a script

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(header).to_contain_text("Administrator")
    assert_no_serious(page)
    page.screenshot(path=str(screenshot_path(tmp_path, "dashboard-audit-en.png")), full_page=True)
    page.goto(live.base + "/dashboard/audit")  # the language is remembered
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live.base + "/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert "hailong_session" not in {c["name"] for c in page.context.cookies()}
    page.goto(live.base + "/dashboard/audit")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert live.query("SELECT count(*) AS n FROM sessions")[0]["n"] == 0
    actions = [r["action"] for r in live.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["user-add", "login-failed", "login", "logout"]
    assert not refused, refused
