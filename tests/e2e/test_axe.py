"""tests/axe.py itself: it finds a serious violation, names the element, passes a clean page, and works
under a Content-Security-Policy that forbids every script but the page's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.axe import assert_no_serious, violations
from tests.live import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)"),
]
playwright = pytest.importorskip("playwright.sync_api")

CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
GOOD = '<!doctype html><html lang="vi"><head><title>Tốt</title></head><body><main><h1>Xin chào</h1>'
BAD = GOOD + (
    '<button id="mute"></button><img src="data:," id="pic"><p id="faint" style="color:#eee">mờ</p></main></body></html>'
)


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def page(request: pytest.FixtureRequest) -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=request.param)
        served = {"good": GOOD + "<p>Một trang đủ.</p></main></body></html>", "bad": BAD}
        context.route(
            "http://axe.test/*",
            lambda route: route.fulfill(
                body=served[route.request.url.rsplit("/", 1)[1]],
                content_type="text/html; charset=utf-8",
                headers={"Content-Security-Policy": CSP},
            ),
        )
        yield context.new_page()
        browser.close()


def test_a_clean_page_passes_under_a_strict_csp(page: Any) -> None:
    page.goto("http://axe.test/good")
    assert_no_serious(page)


def test_serious_violations_fail_naming_rule_and_element(page: Any) -> None:
    page.goto("http://axe.test/bad")
    with pytest.raises(AssertionError) as failed:
        assert_no_serious(page)
    message = str(failed.value)
    for rule, element in (("button-name", "#mute"), ("image-alt", "#pic"), ("color-contrast", "#faint")):
        assert rule in message and element in message, message
    assert {v["id"] for v in violations(page, "#pic")} == {"image-alt"}  # a selector narrows the run
    assert_no_serious(page, skip=("button-name", "image-alt", "color-contrast"))
