"""The counter kiosk in a real browser (Debian chromium via Playwright): pairing, taps, offline queue,
scanner input, revocation, accessibility, screenshots."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.axe import assert_no_serious
from tests.live import CHROMIUM, CHROMIUM_ARGS, free_port, hailong_serve, screenshot_path, served

ROOT = Path(__file__).parents[2]
TAP_INTERVAL_MS = 300
DOSSIER = "000.00.12.H36-261120-0001"
DOSSIER_2 = "000.00.12.H36-261120-0002"
NUMERIC_DOSSIER = "2611200003"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)"),
]
playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect


@dataclass
class Server:
    base: str
    db: Path
    admin: dict[str, str]

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with sqlite3.connect(self.db) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql, params)]

    def ratings(self) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT r.id, r.idempotency_key, r.level, r.comment, r.source, r.client_time, r.time_to_tap_ms,"
            " c.code AS counter, o.code AS officer, d.code AS dossier, v.code AS device,"
            " (SELECT group_concat(reason, ',') FROM (SELECT reason FROM rating_reasons x"
            "  WHERE x.rating_id = r.id ORDER BY reason)) AS reasons"
            " FROM ratings r JOIN counters c ON c.id = r.counter_id LEFT JOIN officers o ON o.id = r.officer_id"
            " LEFT JOIN dossiers d ON d.id = r.dossier_id LEFT JOIN devices v ON v.id = r.device_id ORDER BY r.id"
        )

    def post(self, path: str, body: Any) -> httpx.Response:
        return httpx.post(self.base + path, json=body, headers=self.admin, timeout=10)

    def pairing_code(self, counter: str = "LS-Q1") -> str:
        r = self.post("/api/v1/devices/pairing-codes", {"counter": counter})
        assert r.status_code == 201, r.text
        return str(r.json()["code"])


def hailong(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def seed(server: Server) -> None:
    """Two units (3- and 5-level), counters with officers on duty, dossiers with receiving officers."""
    steps: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/units", {"code": "HB", "name": "Tỉnh Hoà Bình", "kind": "province"}),
        ("/api/v1/units", {"code": "HB.LS", "name": "Huyện Lương Sơn", "kind": "district", "parent": "HB"}),
        (
            "/api/v1/units",
            {"code": "HB.KS", "name": "Huyện Kim Bôi", "kind": "district", "parent": "HB", "rating_scale": 5},
        ),
        ("/api/v1/counters", {"code": "LS-Q1", "unit": "HB.LS", "name": "Quầy 1 – Hộ tịch"}),
        ("/api/v1/counters", {"code": "KB-Q1", "unit": "HB.KS", "name": "Quầy 1 – Đất đai"}),
        ("/api/v1/officers", {"code": "CB01", "unit": "HB.LS", "full_name": "Nguyễn Thị Lan"}),
        ("/api/v1/officers", {"code": "CB02", "unit": "HB.LS", "full_name": "Trần Văn Hùng"}),
        ("/api/v1/officers", {"code": "CB03", "unit": "HB.KS", "full_name": "Bùi Văn Tâm"}),
        ("/api/v1/procedures", {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "legal_days": 1}),
    ]
    for code in (DOSSIER, DOSSIER_2, NUMERIC_DOSSIER):
        steps.append(
            (
                "/api/v1/dossiers",
                {
                    "code": code,
                    "unit": "HB.LS",
                    "procedure": "1.001193",
                    "officer": "CB02",
                    "channel": "direct",
                    "received_at": "2026-11-20T08:00:00+07:00",
                    "due_at": "2026-11-21T08:00:00+07:00",
                },
            )
        )
    for path, body in steps:
        r = server.post(path, body)
        assert r.status_code == 201, (path, r.text)
    for counter, officer in (("LS-Q1", "CB01"), ("KB-Q1", "CB03")):
        r = httpx.put(
            f"{server.base}/api/v1/counters/{counter}/duty", json={"officer": officer}, headers=server.admin, timeout=10
        )
        assert r.status_code == 200, r.text


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    """``hailong serve`` in a subprocess on a free port with a fresh SQLite file (more settings: a dict
    given through ``indirect`` parametrisation)."""
    db = tmp_path / "kiosk.db"
    port = free_port()
    env = (
        os.environ
        | {
            "HAILONG_DB": f"sqlite:///{db}",
            "HAILONG_PORT": str(port),
            "HAILONG_MIN_TAP_INTERVAL_MS": str(TAP_INTERVAL_MS),
        }
        | getattr(request, "param", {})
    )
    admin = hailong("apikey", "create", "--name", "e2e", "--role", "admin", env=env)
    with served(hailong_serve(), env, port, tmp_path / "server.log") as running:
        live = Server(running.base, db, {"Authorization": f"Bearer {admin}"})
        seed(live)
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def wait_for(check: Callable[[], bool], seconds: float = 20, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def open_paired(
    browser: Any,
    server: Server,
    counter: str = "LS-Q1",
    size: tuple[int, int] = (1280, 800),
    clock: bool = False,
    init_script: str = "",
) -> Any:
    """A fresh browser profile opens /kiosk, is paired by typing the code on the keypad, and is online."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="vi-VN")
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    if clock:
        page.clock.install()
    page.goto(server.base + "/kiosk")
    heading = page.get_by_role("heading", name="Ghép nối kiosk với quầy")
    heading.wait_for()
    for digit in server.pairing_code(counter):
        page.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="Ghép nối", exact=True).click()
    page.locator("#faces .face").first.wait_for()
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    return page


def tap(page: Any, label: str) -> None:
    """A citizen's tap on a face (waiting out the inhumanly-fast-tap interval first)."""
    page.wait_for_timeout(TAP_INTERVAL_MS + 50)
    page.get_by_role("button", name=label, exact=True).click()


def thanks_then_home(page: Any) -> None:
    page.get_by_text("Cảm ơn Ông/Bà đã đánh giá!").wait_for()
    page.locator("#again").click()
    page.locator("#rate").wait_for()


def test_pair_then_each_level_is_stored_with_counter_officer_reasons_comment(browser: Any, server: Server) -> None:
    page = open_paired(browser, server)
    assert page.locator("#counter").inner_text() == "Quầy 1 – Hộ tịch"
    assert "Nguyễn Thị Lan" in page.locator("#officer").inner_text()
    expect(page.locator("#status")).to_have_text("Trực tuyến", timeout=20_000)
    tap(page, "Rất hài lòng")
    thanks_then_home(page)
    tap(page, "Hài lòng")
    thanks_then_home(page)
    tap(page, "Không hài lòng")
    page.get_by_role("heading", name="Ông/Bà chưa hài lòng về điều gì? (không bắt buộc)").wait_for()
    page.get_by_role("button", name="Phải chờ lâu").click()
    page.get_by_role("button", name="Thái độ chưa tốt").click()
    assert page.get_by_role("button", name="Phải chờ lâu").get_attribute("aria-pressed") == "true"
    page.get_by_label("Góp ý thêm (không bắt buộc)").fill("Chờ hơn hai tiếng")
    page.get_by_role("button", name="Gửi đánh giá").click()
    thanks_then_home(page)
    tap(page, "Không hài lòng")
    page.get_by_role("button", name="Bỏ qua").click()  # every step can be skipped
    thanks_then_home(page)
    wait_for(lambda: len(server.ratings()) == 4, what="4 ratings stored")
    stored = server.ratings()
    assert [(r["level"], r["reasons"], r["comment"]) for r in stored] == [
        (3, None, None),
        (2, None, None),
        (1, "attitude,waiting", "Chờ hơn hai tiếng"),
        (1, None, None),
    ]
    assert {(r["counter"], r["officer"], r["source"], r["device"]) for r in stored} == {
        ("LS-Q1", "CB01", "kiosk", "LS-Q1-K1")
    }
    assert all(r["time_to_tap_ms"] is not None and r["client_time"] for r in stored)
    # An inhumanly fast second tap is acknowledged gently and not recorded.
    page.wait_for_timeout(TAP_INTERVAL_MS + 50)
    page.evaluate("""async () => {
        document.querySelector('.face').click();
        while (document.getElementById('thanks').hidden) await new Promise(requestAnimationFrame);
        document.getElementById('again').click();
        document.querySelector('.face').click();
    }""")
    page.get_by_text("Cảm ơn, đã ghi nhận").wait_for()
    wait_for(lambda: len(server.ratings()) == 5, what="the first of the fast taps")
    page.wait_for_timeout(500)
    assert len(server.ratings()) == 5


def test_five_level_unit_and_language_toggle(browser: Any, server: Server) -> None:
    page = open_paired(browser, server, counter="KB-Q1")
    labels = page.locator("#faces .face").all_inner_texts()
    assert labels == ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"]
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Very satisfied").wait_for()
    assert page.title() == "Rate our service"
    assert_no_serious(page)  # five faces, in English
    tap(page, "Very dissatisfied")
    page.get_by_role("heading", name="What was not satisfactory? (optional)").wait_for()
    assert page.get_by_role("button", name="Unclear guidance").is_visible()
    assert_no_serious(page)  # reasons, in English
    page.get_by_role("button", name="Skip").click()
    page.get_by_text("Thank you for your rating!").wait_for()
    assert page.get_by_role("button", name="Tiếng Việt").is_visible()
    page.locator("#again").click()
    page.get_by_role("button", name="English").wait_for()  # the next citizen starts in Vietnamese
    tap(page, "Bình thường")  # neutral: no reasons asked on the 5-level scale
    thanks_then_home(page)
    tap(page, "Không hài lòng")
    page.get_by_role("button", name="Hướng dẫn chưa rõ").click()
    page.get_by_role("button", name="Gửi đánh giá").click()
    thanks_then_home(page)
    wait_for(lambda: len(server.ratings()) == 3, what="3 ratings")
    assert [(r["level"], r["reasons"], r["officer"]) for r in server.ratings()] == [
        (1, None, "CB03"),
        (3, None, "CB03"),
        (2, "guidance", "CB03"),
    ]


def test_offline_taps_survive_reload_and_arrive_once_in_order(browser: Any, server: Server) -> None:
    page = open_paired(browser, server)
    expect(page.locator("#status")).to_have_text("Trực tuyến", timeout=20_000)
    page.context.set_offline(True)
    expected = []
    for i in range(20):
        level = 3 - i % 3
        comment = f"lần {i:02d}" if level == 1 else None
        started = time.monotonic()
        tap(page, {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"}[level])
        if level == 1:
            page.get_by_label("Góp ý thêm (không bắt buộc)").fill(comment or "")
            page.get_by_role("button", name="Gửi đánh giá").click()
        page.get_by_text("Cảm ơn Ông/Bà đã đánh giá!").wait_for()
        assert time.monotonic() - started < 5
        page.locator("#again").click()
        expected.append((level, comment))
    expect(page.locator("#status")).to_have_text("Ngoại tuyến · 20 chờ gửi")
    assert_no_serious(page)  # the offline mark
    page.reload()  # still offline: the service worker serves the page, IndexedDB still holds the queue
    page.locator("#faces .face").first.wait_for()
    expect(page.locator("#status")).to_contain_text("20 chờ gửi")
    assert server.ratings() == []
    page.context.set_offline(False)
    wait_for(lambda: len(server.ratings()) >= 20, seconds=45, what="20 ratings delivered")
    expect(page.locator("#status")).to_have_text("Trực tuyến", timeout=20_000)
    time.sleep(1)
    stored = server.ratings()
    assert len(stored) == 20 and len({r["idempotency_key"] for r in stored}) == 20
    assert [(r["level"], r["comment"]) for r in stored] == expected
    times = [r["client_time"] for r in stored]
    assert times == sorted(times)


NO_INDEXEDDB = """Object.defineProperty(window, 'indexedDB', {
  get() { return { open() { throw new DOMException('blocked by the test', 'SecurityError'); } }; },
});"""


def test_without_indexeddb_a_tap_is_thanked_only_once_the_server_has_it(browser: Any, server: Server) -> None:
    page = open_paired(browser, server, init_script=NO_INDEXEDDB)
    expect(page.locator("#status")).to_have_text("Trực tuyến", timeout=20_000)
    tap(page, "Rất hài lòng")  # no queue on the device: sent at once, thanked once stored
    thanks_then_home(page)
    assert [r["level"] for r in server.ratings()] == [3]
    page.route("**/api/v1/ratings", lambda route: route.abort())  # and now the network fails too
    tap(page, "Hài lòng")
    page.get_by_text("Chưa gửi được đánh giá").wait_for()
    assert_no_serious(page)
    assert page.get_by_text("Cảm ơn Ông/Bà đã đánh giá!").count() == 0
    page.unroute("**/api/v1/ratings")
    page.locator("#again").click()
    tap(page, "Hài lòng")  # tried again once the network is back
    thanks_then_home(page)
    assert [r["level"] for r in server.ratings()] == [3, 2]


@pytest.mark.parametrize("server", [{"HAILONG_DEVICE_BURST": "1", "HAILONG_DEVICE_PER_MINUTE": "12"}], indirect=True)
def test_a_rate_limited_tap_waits_in_the_queue_as_told_and_then_arrives(browser: Any, server: Server) -> None:
    page = open_paired(browser, server)
    expect(page.locator("#status")).to_have_text("Trực tuyến", timeout=20_000)
    answers: list[tuple[int, str | None]] = []
    page.on(
        "response", lambda r: answers.append((r.status, r.headers.get("retry-after"))) if "/ratings" in r.url else None
    )
    tap(page, "Rất hài lòng")
    thanks_then_home(page)
    tap(page, "Hài lòng")  # over the burst: 429, kept on the device, thanked all the same
    thanks_then_home(page)
    wait_for(lambda: any(status == 429 for status, _ in answers), what="the 429")
    retry_after = int(next(after for status, after in answers if status == 429) or 0)
    assert 1 <= retry_after <= 5
    expect(page.locator("#status")).to_contain_text("1 chờ gửi")
    assert [r["level"] for r in server.ratings()] == [3]
    wait_for(lambda: len(server.ratings()) == 2, seconds=retry_after + 15, what="the held rating")
    assert [r["level"] for r in server.ratings()] == [3, 2]
    assert [status for status, _ in answers].count(429) == 1  # no resend before the Retry-After was up


def test_scanner_and_keypad_attach_the_dossier(browser: Any, server: Server) -> None:
    page = open_paired(browser, server)
    page.keyboard.type(DOSSIER)  # a keyboard-wedge scanner: characters, then Enter
    page.keyboard.press("Enter")
    page.get_by_role("button", name=f"Hồ sơ: {DOSSIER}").wait_for()
    tap(page, "Hài lòng")
    thanks_then_home(page)
    # On the reasons screen, with the comment box focused, the scan still goes to the dossier.
    tap(page, "Không hài lòng")
    box = page.get_by_label("Góp ý thêm (không bắt buộc)")
    box.fill("Thiếu hướng dẫn")
    box.focus()
    page.keyboard.type(DOSSIER_2)
    page.keyboard.press("Enter")
    assert box.input_value() == "Thiếu hướng dẫn"
    page.get_by_role("button", name="Gửi đánh giá").click()
    thanks_then_home(page)
    # The big keypad.
    page.get_by_role("button", name="Nhập mã hồ sơ (không bắt buộc)").click()
    for digit in NUMERIC_DOSSIER:
        page.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="Xong").click()
    page.get_by_role("button", name=f"Hồ sơ: {NUMERIC_DOSSIER}").wait_for()
    tap(page, "Rất hài lòng")
    thanks_then_home(page)
    assert page.get_by_role("button", name="Nhập mã hồ sơ (không bắt buộc)").is_visible()
    wait_for(lambda: len(server.ratings()) == 3, what="3 ratings")
    assert [(r["dossier"], r["officer"], r["comment"]) for r in server.ratings()] == [
        (DOSSIER, "CB02", None),
        (DOSSIER_2, "CB02", "Thiếu hướng dẫn"),
        (NUMERIC_DOSSIER, "CB02", None),
    ]


def test_idle_reset_records_the_unfinished_rating_and_clears_the_screen(browser: Any, server: Server) -> None:
    page = open_paired(browser, server, clock=True)
    tap(page, "Không hài lòng")
    page.get_by_role("button", name="Phải chờ lâu").click()
    page.clock.fast_forward(46_000)  # the citizen walked away: the tap and the chosen reason still count
    page.get_by_text("Cảm ơn Ông/Bà đã đánh giá!").wait_for()
    page.clock.fast_forward(5_000)
    page.locator("#rate").wait_for()
    wait_for(lambda: len(server.ratings()) == 1, what="the idle rating")
    assert [(r["level"], r["reasons"]) for r in server.ratings()] == [(1, "waiting")]
    page.keyboard.type(DOSSIER)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name=f"Dossier: {DOSSIER}").wait_for()
    page.clock.fast_forward(46_000)  # nobody tapped: the next citizen gets a clean screen in Vietnamese
    page.get_by_role("button", name="Nhập mã hồ sơ (không bắt buộc)").wait_for()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert len(server.ratings()) == 1


def test_revoked_device_says_so_and_stops_taking_taps(browser: Any, server: Server) -> None:
    page = open_paired(browser, server)
    assert server.post("/api/v1/devices/LS-Q1-K1/revoke", {}).status_code == 200
    tap(page, "Rất hài lòng")
    page.get_by_role("heading", name="Kiosk đã bị thu hồi").wait_for()
    page.get_by_text("Kiosk này không còn nhận đánh giá").wait_for()
    assert page.locator("#faces .face").first.is_hidden()
    assert_no_serious(page)
    page.reload()
    page.get_by_role("heading", name="Kiosk đã bị thu hồi").wait_for()
    assert page.locator("#faces .face").first.is_hidden()
    page.keyboard.type(DOSSIER)
    page.keyboard.press("Enter")
    assert server.ratings() == []


CHECK_A11Y = """() => {
  const lum = (c) => { const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map((v) => {
    v = v / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
    if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
  const bad = [];
  for (const el of document.querySelectorAll('button, h1, p, label, span, b, output')) {
    const box = el.getBoundingClientRect();
    if (!box.width || el.closest('[hidden]')) continue;
    if (el.tagName === 'BUTTON' && (box.width < 72 || box.height < 72)) bad.push(`small ${el.textContent}`);
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const a = lum(getComputedStyle(el).color), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) bad.push(`contrast ${ratio.toFixed(2)} ${el.textContent}`);
  }
  return bad;
}"""


@pytest.mark.parametrize(("size", "name"), [((1280, 800), "landscape"), ((800, 1280), "portrait")])
def test_screenshots_targets_and_contrast(
    browser: Any, server: Server, size: tuple[int, int], name: str, tmp_path: Path
) -> None:
    page = open_paired(browser, server, size=size)
    expect(page.locator("#status")).to_have_text("Trực tuyến", timeout=20_000)
    page.locator("#lang").focus()
    page.locator("#lang").blur()
    assert page.evaluate(CHECK_A11Y) == []
    assert_no_serious(page)  # faces
    page.screenshot(path=str(screenshot_path(tmp_path, f"kiosk-{name}.png")))
    tap(page, "Không hài lòng")
    page.locator("#reasons h1").wait_for()
    assert page.evaluate(CHECK_A11Y) == []
    assert_no_serious(page)  # reasons
    if name == "landscape":
        page.screenshot(path=str(screenshot_path(tmp_path, "kiosk-reasons.png")))
    page.get_by_role("button", name="Bỏ qua").click()
    page.locator("#again").click()
    page.get_by_role("button", name="Nhập mã hồ sơ (không bắt buộc)").click()
    assert page.evaluate(CHECK_A11Y) == []
    assert_no_serious(page)  # keypad
    # Keyboard operable: Tab to a face and press Enter.
    page.keyboard.press("Escape")
    page.wait_for_timeout(TAP_INTERVAL_MS + 50)
    page.locator(".face").first.focus()
    page.keyboard.press("Enter")
    page.get_by_text("Cảm ơn Ông/Bà đã đánh giá!").wait_for()
    assert_no_serious(page)  # thank-you


def test_no_external_requests_and_the_weight_script_sees_every_file(browser: Any, server: Server) -> None:
    from bench.page_weight import http_fetch, weigh

    context = browser.new_context(viewport={"width": 1024, "height": 600})
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    page.goto(server.base + "/kiosk")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)")
    page.reload()
    page.get_by_role("heading", name="Ghép nối kiosk với quầy").wait_for()
    assert page.title() == "Đánh giá mức độ hài lòng"
    assert_no_serious(page)  # pairing, with its keypad
    assert seen and all(url.startswith(server.base + "/") for url in seen), seen
    rows, external = weigh(http_fetch(server.base), "/kiosk")
    assert not external
    weighed = {path for path, _, _ in rows}
    assert {url.removeprefix(server.base) for url in seen} <= weighed
    assert sum(gz for _, _, gz in rows) <= 25_000
    for digit in "12345678":
        page.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="Ghép nối", exact=True).click()
    page.get_by_text("Mã không đúng, đã hết hạn hoặc đã dùng. Xin mã mới.").wait_for()
    assert_no_serious(page)  # and its error
    context.close()
