"""What the dashboard's browser tests share: a fresh chromium page (Debian's package, never a downloaded one)
for the module's own ``live`` server fixture."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.live import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def page(live: Any) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800})
        finally:
            browser.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for a module's tests (each test opens its own pages)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
