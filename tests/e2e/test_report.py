"""Issue 14 in a real browser, on the demo's 24 months analysed: the monthly report printed by chromium to
PDF (the national motto and the tables are there, no table row is cut across two pages, a district manager
sees only their district), its XLSX, the public results page, the themes page and the kiosks page, each
checked by axe-core and photographed for the README (``just screenshots``)."""

from __future__ import annotations

import asyncio
import io
import random
import re
import shutil
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from api.accounts import service
from api.db import open_store
from api.demo.tree import build
from tests.axe import assert_no_serious
from tests.e2e.survey_live import Live, live_server
from tests.live import CHROMIUM, CHROMIUM_ARGS, screenshot_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api")
pypdf = pytest.importorskip("pypdf")
PASSWORD = "a long enough password"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TREE = build(random.Random(7), "small")
ROOT = TREE.units[0]
DISTRICTS = [u for u in TREE.units if u.parent_id == ROOT.id and u.kind == "district"]
MINE, OTHER = DISTRICTS[0], DISTRICTS[1]


@pytest.fixture
def live(analysed: Path, tmp_path: Path) -> Iterator[Live]:
    shutil.copy(analysed.parent / "copy.db", tmp_path / "live.db")  # the demo, analysed; the shared file stays

    async def users(db_url: str) -> None:
        store = open_store(db_url)
        await store.open()
        try:
            await service.add_user(store, "lan", "manager", MINE.code, PASSWORD, display_name="Lê Thị Lan", actor="e2e")
        finally:
            await store.close()

    with live_server(tmp_path) as server:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, users(server.db_url)).result()
        yield server


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_printed_report_has_the_motto_whole_rows_and_only_the_managers_units_screenshots(
    live: Live, tmp_path: Path
) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(live.base + "/login?next=/dashboard/report%3Fmonth%3D2026-10")
            page.get_by_label("Tên đăng nhập").fill("lan")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(re.compile(r"/dashboard/report"))
            body = page.locator("main").inner_text()
            assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body and "Độc lập - Tự do - Hạnh phúc" in body
            assert MINE.name.upper() in body and "tháng 10 năm 2026" in body
            others = [u.name for u in TREE.units if u.id != MINE.id and u.parent_id != MINE.id and u.id != ROOT.id]
            assert not [name for name in others if name in body]  # nothing of another district
            assert_no_serious(page)

            rows = page.locator("main table.data tbody tr").evaluate_all(
                "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
            )
            assert len(rows) >= 8
            pdf = tmp_path / "report.pdf"
            page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
            pages = [squash(pg.extract_text() or "") for pg in pypdf.PdfReader(str(pdf)).pages]
            whole = "".join(pages)
            assert squash("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") in pages[0]
            assert squash("Độc lập - Tự do - Hạnh phúc") in pages[0]
            for cells in rows:  # a row's first and last cells are printed on the same page
                first, last = squash(cells[0])[:30], squash(cells[-1])[:30]
                assert first in whole, cells
                assert any(first in pg and last in pg for pg in pages), f"row cut across pages: {cells}"
            assert squash("Nơi nhận:") in pages[-1] and squash("THỦ TRƯỞNG ĐƠN VỊ") in pages[-1]
            page.emulate_media(media="print")  # what the printer gets: no toolbar, the A4 layout
            assert page.locator(".toolbar").is_hidden()
            page.screenshot(path=str(screenshot_path(tmp_path, "report-print.png")), full_page=True)
            page.emulate_media(media="screen")

            book = page.request.get(live.base + "/dashboard/report.xlsx?month=2026-10&lang=vi")
            assert book.status == 200 and book.headers["content-type"].startswith(XLSX)
            with zipfile.ZipFile(io.BytesIO(book.body())) as z:
                workbook = z.read("xl/workbook.xml").decode()
                strings = z.read("xl/sharedStrings.xml").decode()
            sheets = re.findall(r'<sheet name="([^"]+)"', workbook)
            assert sheets[:2] == ["Tiến độ giải quyết hồ sơ", "Mức độ hài lòng"] and len(sheets) == 7
            assert "Trả kết quả trước hạn" in strings  # the early row, named as on every page
            assert not [name for name in others if name in strings]

            answer = page.request.get(live.base + f"/dashboard/report?unit={OTHER.code}&month=2026-10")
            assert answer.status == 403 and OTHER.name not in answer.text()
        finally:
            browser.close()


def test_the_public_page_shows_last_months_figures_no_officer_and_is_light_screenshots(
    live: Live, tmp_path: Path
) -> None:
    from bench.page_weight import http_fetch, weigh

    rows, external = weigh(http_fetch(live.base), f"/public/{MINE.code}")
    total = sum(gz for _, _, gz in rows)
    assert not external and total <= 25 * 1024, rows
    officers = [o.full_name for u in TREE.units for o in getattr(u, "officers", [])]
    assert officers
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})  # a phone, nobody signed in
            page.goto(live.base + f"/public/{MINE.code}")
            text = page.locator("body").inner_text()
            assert MINE.name in text and "tháng 10 năm 2026" in text and "Hài lòng tại quầy tiếp nhận" in text
            assert re.search(r"\d+ trên \d+ phiếu", text)  # each figure with its number of answers
            assert not [name for name in officers if name in text]
            assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
            assert_no_serious(page)
            page.screenshot(path=str(screenshot_path(tmp_path, "public-vi.png")), full_page=True)
            page.get_by_role("link", name="English").click()
            assert "Satisfied at the reception counter" in page.locator("body").inner_text()
            assert page.request.get(live.base + "/public/NO-SUCH-UNIT").status == 404
        finally:
            browser.close()


def sign_in(page: Any, live: Live, next_path: str) -> None:
    page.goto(live.base + "/login?next=" + next_path.replace("?", "%3F").replace("&", "%26").replace("=", "%3D"))
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_the_themes_and_kiosks_pages_for_a_manager_screenshots(live: Live, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            sign_in(page, live, "/dashboard/themes?from=2025-11-01&to=2026-10-31")
            page.wait_for_url(re.compile(r"/dashboard/themes"))
            table = page.get_by_role("table", name=re.compile("Các chủ đề cố định"))
            expect = sync_api.expect
            expect(table).to_contain_text("Phải chờ lâu")
            assert table.locator("tbody tr").count() >= 5
            assert page.locator("form[action='/dashboard/themes/wrong']").count() > 0  # a manager may mark
            assert_no_serious(page)
            page.screenshot(path=str(screenshot_path(tmp_path, "themes.png")), full_page=False)

            page.goto(live.base + "/dashboard/kiosks")
            expect(page.get_by_role("heading", level=1)).to_contain_text(MINE.name)
            page.get_by_role("button", name="Lấy mã ghép nối").click()
            code = page.locator(".pairing-code").inner_text().replace(" ", "")
            assert re.fullmatch(r"\d{8}", code)
            assert_no_serious(page)
            page.goto(live.base + "/dashboard/kiosks")
            assert_no_serious(page)
            page.screenshot(path=str(screenshot_path(tmp_path, "kiosks.png")), full_page=False)
        finally:
            browser.close()
