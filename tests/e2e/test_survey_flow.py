"""The receipt journey in a real browser (Debian chromium): QR → decode → form → stored answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.instruments.loader import ChoiceItem, GridItem, ProfileItem, Questionnaire, ScaleItem, TextItem, load_all
from tests.axe import assert_no_serious
from tests.e2e.survey_live import Live, live_server, seed
from tests.live import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e
cv2 = pytest.importorskip("cv2")
np = pytest.importorskip("numpy")
sync_api = pytest.importorskip("playwright.sync_api")

Q: Questionnaire = load_all().questionnaire("sipas-service-2023")
COMMENT = "Chờ hơi lâu nhưng cán bộ tận tình."


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_server(tmp_path) as server:
        yield server


def decode_qr(png: bytes) -> tuple[str, int]:
    """Text and version of a QR image, read by OpenCV (an independent decoder)."""
    image = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    # OpenCV's Aruco-based detector reads clean 1-bit codes reliably; the classic one misses ~1 in 100.
    for detector in (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()):
        text, _, straight = detector.detectAndDecode(image)
        if text:
            break
    assert text, "OpenCV could not read the QR code"
    modules = straight.shape[0]  # the rectified code, one pixel per module
    return text, (modules - 17) // 4


def plan() -> dict[str, str]:
    """One answer for every item, varied so a mix-up between items would show."""
    chosen: dict[str, str] = {}
    for n, item in enumerate(Q.items):
        if isinstance(item, ScaleItem):
            chosen[item.code] = "na" if n % 6 == 5 else str(n % 5 + 1)
        elif isinstance(item, GridItem):
            chosen.update({r.code: str(item.options[k % len(item.options)].value) for k, r in enumerate(item.rows)})
        elif isinstance(item, ChoiceItem | ProfileItem):
            chosen[item.code] = str(item.options[n % len(item.options)].value)
        elif isinstance(item, TextItem):
            chosen[item.code] = COMMENT
    return chosen


def answer_section(page: Any, section: str, chosen: dict[str, str]) -> None:
    for item in Q.items_of(section):
        codes = [r.code for r in item.rows] if isinstance(item, GridItem) else [item.code]
        for code in codes:
            value = chosen[code]
            if isinstance(item, ProfileItem):
                page.select_option(f'select[name="{code}"]', value)
            elif isinstance(item, TextItem):
                page.fill(f'textarea[name="{code}"]', value)
            else:
                page.click(f'label.o:has(input[name="{code}"][value="{value}"])')


def stored(live: Live) -> dict[str, str]:
    rows = live.query("SELECT a.item, a.value, a.text_value FROM answers a")
    return {r["item"]: r["text_value"] if r["value"] is None else str(r["value"]) for r in rows}


def survey_url_from_qr(live: Live, code: str) -> str:
    png = httpx.get(f"{live.base}/api/v1/dossiers/{code}/qr.png?size=240", headers=live.integrator).content
    url, version = decode_qr(png)
    assert version <= 6, f"QR version {version} is too big for a 25 mm receipt code"
    return url


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_receipt_qr_to_stored_answers(browser: Any, live: Live, javascript: bool) -> None:
    dossier = seed(live)
    url = survey_url_from_qr(live, dossier["code"])
    assert url == dossier["survey_url"]
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
    page = context.new_page()
    first = page.goto(url)
    assert first is not None and first.status == 200
    chosen = plan()
    for n, section in enumerate(s.code for s in Q.sections):
        if javascript:
            assert page.locator(f"#h-{section}").is_visible()
            if n == 0:
                assert_no_serious(page)  # the first step
                page.click("button.nx")  # nothing chosen yet: the step stays, the error is beside the question
                assert page.locator("#e-I\\.1").inner_text().startswith("Vui lòng chọn")
                assert page.locator("#h-I").is_visible()
                assert page.locator(".pos").inner_text() == f"Bước 1 / {len(Q.sections)}"
                assert_no_serious(page)  # and its error
        elif n == 0:
            assert_no_serious(page)  # the whole form, every question at once
        answer_section(page, section, chosen)
        if javascript and n == 0:
            page.reload()  # answers survive a reload
            assert page.locator('input[name="I.1"]:checked').get_attribute("value") == chosen["I.1"]
        if javascript and n < len(Q.sections) - 1:
            page.click("button.nx")
    with page.expect_navigation() as nav:
        page.click("button.send")
    assert nav.value.status == 200
    assert "Cảm ơn" in page.inner_text("h1")
    assert_no_serious(page)
    assert stored(live) == chosen
    again = page.goto(url)
    assert again is not None and again.status == 200 and "đã được đánh giá" in page.inner_text("h1")
    assert_no_serious(page)
    assert stored(live) == chosen and live.query("SELECT count(*) AS n FROM responses")[0]["n"] == 1
    context.close()


def test_second_submission_is_409(browser: Any, live: Live) -> None:
    dossier = seed(live)
    url = dossier["survey_url"]
    contexts = [browser.new_context(java_script_enabled=False) for _ in range(2)]
    one, two = (c.new_page() for c in contexts)
    chosen = plan()
    for page in (one, two):  # two tabs opened before either is sent
        page.goto(url)
        for section in Q.sections:
            answer_section(page, section.code, chosen)
    with one.expect_navigation() as nav:
        one.click("button.send")
    assert nav.value.status == 200
    two.click('label.o:has(input[name="I.1"][value="1"])')
    with two.expect_navigation() as nav:
        two.click("button.send")
    assert nav.value.status == 409 and "đã được đánh giá" in two.inner_text("h1")
    assert stored(live) == chosen
    for c in contexts:
        c.close()


def test_tampered_and_expired_links(browser: Any, live: Live) -> None:
    dossier = seed(live)
    url = dossier["survey_url"]
    at = len(url) - 5
    tampered = url[:at] + ("A" if url[at] != "A" else "B") + url[at + 1 :]
    context = browser.new_context()
    page = context.new_page()
    r = page.goto(tampered)
    assert r is not None and r.status == 404 and "Liên kết không hợp lệ" in page.inner_text("h1")
    assert_no_serious(page)
    r = page.goto(tampered + "?lang=en")
    assert r is not None and r.status == 404 and "not valid" in page.inner_text("h1")
    assert_no_serious(page)

    with httpx.Client(base_url=live.base, headers=live.integrator) as c:
        body = {
            "code": "OLD-2025",
            "unit": "HB",
            "procedure": "1.001193",
            "channel": "direct",
            "received_at": "2025-01-02T08:00:00+07:00",
            "due_at": "2025-01-03T08:00:00+07:00",
        }
        expired = c.post("/api/v1/dossiers", json=body).json()["survey_url"]
        returned = {"returned_at": "2025-01-03T08:00:00+07:00"}
        assert c.patch("/api/v1/dossiers/OLD-2025", json=returned).status_code == 200
    r = page.goto(expired)
    assert r is not None and r.status == 410 and "hết hạn" in page.inner_text("h1")
    assert "ngày kể từ khi trả kết quả" in page.inner_text("main p")
    assert_no_serious(page)
    posted = httpx.post(expired, data={"I.1": "5"})
    assert posted.status_code == 410
    assert live.query("SELECT count(*) AS n FROM responses")[0]["n"] == 0
    context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_english_form_errors_and_messages(browser: Any, live: Live, javascript: bool) -> None:
    url = seed(live)["survey_url"]
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(url + "?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.inner_text("h1") == Q.title.en and page.locator(".doss").inner_text().startswith("Dossier")
    assert page.get_by_role("link", name="Tiếng Việt").get_attribute("hreflang") == "vi"
    assert_no_serious(page)
    if javascript:
        assert page.locator(".pos").inner_text() == f"Step 1 of {len(Q.sections)}"
        page.click("button.nx")
        assert page.locator("#e-I\\.1").inner_text() == "Please choose a level, or “Not applicable”."
        assert_no_serious(page)
    else:
        with page.expect_navigation() as nav:
            page.click("button.send")  # nothing answered: the form again, each error beside its question
        assert nav.value.status == 422
        assert page.get_by_role("alert").inner_text().startswith("Some questions are unanswered")
        assert page.locator("#e-I\\.1").inner_text() == "Please choose a level, or “Not applicable”."
        assert_no_serious(page)
        answer_section(page, "I", plan())
        for section in Q.sections:
            answer_section(page, section.code, plan())
        with page.expect_navigation() as nav:
            page.click("button.send")
        assert nav.value.status == 200 and page.inner_text("h1") == "Thank you!"
        assert_no_serious(page)
        page.goto(url + "?lang=en")
        assert page.inner_text("h1") == "This dossier has already been rated"
        assert_no_serious(page)
    context.close()


def test_readable_at_320_px_and_light(browser: Any, live: Live) -> None:
    url = seed(live)["survey_url"]
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript, viewport={"width": 320, "height": 640})
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda req, seen=requests: seen.append(req.url))
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling
        assert all(r.startswith(live.base) for r in requests)  # nothing external
        assert len(requests) == 1  # style and script are inline
        context.close()
    body = httpx.get(url, headers={"Accept-Encoding": "identity"}).content
    import gzip

    assert len(gzip.compress(body, 9)) <= 25 * 1024
