"""Issue 14, items 2 and 3 in a real browser (Debian chromium via Playwright): a burst of "Không hài lòng" at a
counter raises an alert on the page within seconds; the manager acknowledges it with a note, answers the case
one of those ratings opened, and looks its dossier up."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
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
DOSSIER = "000.00.12.H36-261201-0042"


def prepare(live: Live) -> None:
    """A district with a counter and a dossier, its manager, and a burst of dissatisfied ratings."""
    with httpx.Client(base_url=live.base, timeout=10) as client:
        for body in (
            {"code": "HB", "name": "Tỉnh Hoà Bình", "kind": "province"},
            {"code": "HB.LS", "name": "Huyện Lương Sơn", "kind": "district", "parent": "HB"},
        ):
            assert client.post("/api/v1/units", json=body, headers=live.admin).status_code == 201
        counter = {"code": "LS-Q1", "unit": "HB.LS", "name": "Quầy 1"}
        assert client.post("/api/v1/counters", json=counter, headers=live.admin).status_code == 201
        proc = {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "legal_days": 1}
        assert client.post("/api/v1/procedures", json=proc, headers=live.admin).status_code == 201
        dossier = {
            "code": DOSSIER, "unit": "HB.LS", "procedure": "1.001193", "channel": "direct",
            "received_at": "2026-12-01T08:00:00+07:00", "due_at": "2026-12-02T08:00:00+07:00",
        }  # fmt: skip
        assert client.post("/api/v1/dossiers", json=dossier, headers=live.integrator).status_code == 201

    async def manager() -> None:
        store = open_store(live.db_url)
        await store.open()
        try:
            await service.add_user(
                store, "lan", "manager", "HB.LS", PASSWORD, display_name="Nguyễn Thị Lan", actor="e2e"
            )
        finally:
            await store.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps a loop running in this thread
        pool.submit(asyncio.run, manager()).result()
    with httpx.Client(base_url=live.base, timeout=10) as client:
        for extra in ({"dossier_code": DOSSIER, "comment": "Chờ 2 tiếng, gọi 0912 345 678 không ai nghe"}, {}, {}, {}):
            body = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, **extra}
            assert client.post("/api/v1/ratings", json=body, headers=live.integrator).status_code == 201


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_server(tmp_path, followup_poll_seconds=0.5) as server:
        prepare(server)
        yield server


def test_an_alert_is_acknowledged_and_its_case_answered_screenshots(live: Live, page: Any, tmp_path: Path) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live.base + "/login?next=%2Fdashboard%2Falerts")
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(live.base + "/dashboard/alerts")
    deadline = time.monotonic() + 15  # the follow-up job reads the ratings within a second or two
    while page.get_by_text("Nhiều đánh giá không hài lòng tại một quầy").count() == 0:
        assert time.monotonic() < deadline, "no alert on the page"
        time.sleep(0.5)
        page.reload()
    row = page.locator("tr", has_text="LS-Q1").first
    expect(row).to_contain_text("Mới mở")
    row.get_by_label("Ghi chú (đã làm gì)").fill("Đã bố trí thêm một cán bộ ở quầy 1")
    page.screenshot(path=str(screenshot_path(tmp_path, "alerts-vi.png")), full_page=True)
    assert_no_serious(page)
    row.get_by_role("button", name="Xác nhận đã xử lý").click()
    row = page.locator("tr", has_text="LS-Q1").first
    expect(row).to_contain_text("Đã xác nhận")
    expect(row).to_contain_text("Đã bố trí thêm một cán bộ ở quầy 1")
    expect(row).to_contain_text("Nguyễn Thị Lan")
    page.goto(live.base + "/dashboard/alerts?lang=en")
    expect(page.get_by_role("heading", name="Daily digest")).to_be_visible()
    assert_no_serious(page)
    page.goto(live.base + "/dashboard/alerts?lang=vi")

    page.get_by_role("navigation", name="Các trang theo dõi").get_by_role("link", name="Xử lý phản ánh").click()
    expect(page.get_by_role("heading", name="Phản ánh cần xử lý")).to_be_visible()
    page.locator("tr", has_text=DOSSIER).get_by_role("link", name=re.compile(r"^#\d+$")).click()
    page.get_by_label("Trạng thái mới").select_option("answered")
    assert_no_serious(page)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("alert")).to_have_text("Hãy ghi nội dung trả lời công dân để trả lời phản ánh.")
    assert_no_serious(page)  # with the error shown
    page.get_by_label("Nội dung trả lời công dân (bắt buộc khi trả lời)").fill("Đã gọi lại và xin lỗi công dân")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đã trả lời")
    expect(page.locator("table")).to_contain_text("Mới mở → Đã trả lời")
    page.screenshot(path=str(screenshot_path(tmp_path, "case-vi.png")), full_page=True)

    page.get_by_role("link", name=DOSSIER).first.click()
    expect(page.get_by_role("heading", name="Tra cứu hồ sơ")).to_be_visible()
    expect(page.locator("main")).to_contain_text("[SĐT]")
    expect(page.locator("main")).not_to_contain_text("0912 345 678")
    assert_no_serious(page)
    page.goto(live.base + "/dashboard/cases?lang=en")
    assert_no_serious(page)
    assert not refused, refused
