"""The dashboard in a real browser (Debian chromium) on the small demo: sign in, the overview's numbers are
the API's, every page passes axe-core, hostile names stay text, a district manager sees nothing of another
district; screenshots of the four pages for the README (``just screenshots``)."""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.axe import assert_no_serious
from tests.live import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, hailong_serve, screenshot_path, served
from web.i18n import text

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)"),
]
playwright = pytest.importorskip("playwright.sync_api")

PASSWORD = "correct horse battery"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
PERIOD = "from=2025-11-01&to=2026-10-31"  # the demo's last twelve months
PAGES = {
    "overview": "/dashboard",
    "trends": "/dashboard/trends",
    "units": "/dashboard/units",
    "officers": "/dashboard/officers",
}


@dataclass
class Server:
    base: str
    admin: dict[str, str]


def hailong(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, cwd=ROOT, input=stdin, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The small demo (a copy), a province user and the manager of Lương Sơn, an officer with a hostile name."""
    folder = tmp_path_factory.mktemp("dashboard")
    db = folder / "demo.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    port = free_port()
    env = os.environ | {"HAILONG_DB": f"sqlite:///{db}", "HAILONG_PORT": str(port)}
    admin = hailong("apikey", "create", "--name", "e2e", "--role", "admin", env=env).split()[-1]
    for name, role, unit in (("so", "province", None), ("lan", "manager", "HB.LS")):
        hailong("user", "add", name, "--role", role, *(["--unit", unit] if unit else []), "--password-stdin",
                env=env, stdin=PASSWORD + "\n")  # fmt: skip
    with served(hailong_serve(), env, port, folder / "server.log") as running:
        headers = {"Authorization": f"Bearer {admin}"}
        r = httpx.patch(f"{running.base}/api/v1/officers/HB.LS-CB01", json={"full_name": HOSTILE}, headers=headers)
        assert r.status_code == 200, r.text
        yield Server(running.base, headers)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def signed_in(browser: Any, server: Server, username: str) -> Any:
    page = browser.new_page(viewport={"width": 1200, "height": 1300})
    page.on("dialog", lambda d: pytest.fail(f"a script ran: {d.message}"))  # a hostile name must never run
    page.goto(server.base + "/dashboard")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard"))
    return page


def test_sign_in_then_the_overview_shows_the_apis_numbers(browser: Any, server: Server) -> None:
    page = signed_in(browser, server, "so")
    page.goto(f"{server.base}/dashboard?unit=HB.LS&{PERIOD}")
    api = page.request.get(f"{server.base}/api/v1/overview?unit=HB.LS&{PERIOD}").json()  # the same session
    t = text("vi")
    figures = [f for f in api["figures"] if not f["measure"].startswith("sipas_factor:")]
    assert len(figures) >= 8
    for f in figures:
        card = page.locator(f'article.card[data-measure="{f["measure"]}"]')
        words = card.inner_text()
        assert f"n = {t.number(f['n'])}" in words
        if f["suppressed"]:
            assert t("too few to judge") in words
        else:
            assert card.locator(".value").inner_text() == t.percent(f["value"])
            assert f"{t.percent(f['ci_low'])} – {t.percent(f['ci_high'])}" in words
        marked = card.locator(".change.good, .change.bad").count() == 1
        assert marked == bool(f["change"] and f["change"]["significant"])  # marked only when significant
    page.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screenshots_and_axe_on_every_dashboard_page(browser: Any, server: Server, lang: str, tmp_path: Path) -> None:
    page = signed_in(browser, server, "so")
    for name, path in PAGES.items():
        page.goto(f"{server.base}{path}?unit=HB.LS&{PERIOD}&lang={lang}")
        assert page.locator("h1").count() == 1
        if lang == "vi" and os.environ.get("HAILONG_SCREENSHOTS"):
            page.screenshot(path=str(screenshot_path(tmp_path, f"dashboard-{name}.png")))  # the first screen
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")  # tables too
        assert_no_serious(page)
    page.close()


def test_a_hostile_officer_name_is_text_on_the_page_and_in_the_export(browser: Any, server: Server) -> None:
    page = signed_in(browser, server, "lan")
    page.goto(f"{server.base}/dashboard/officers?unit=HB.LS&{PERIOD}")
    assert page.locator("table.data th[scope=row]", has_text="<script>alert(1)</script>").count() == 1
    assert page.locator("img[src=x]").count() == 0 and page.locator("body script").count() == 0
    export = page.request.get(f"{server.base}/dashboard/export/officers.csv?unit=HB.LS&{PERIOD}")
    assert export.status == 200
    rows = list(csv.DictReader(io.StringIO(export.text().lstrip("\ufeff"))))
    assert next(r for r in rows if r["officer"] == "HB.LS-CB01")["name"] == HOSTILE
    page.close()


def test_a_district_manager_sees_nothing_of_another_district(browser: Any, server: Server) -> None:
    page = signed_in(browser, server, "lan")
    for path in PAGES.values():
        page.goto(f"{server.base}{path}?{PERIOD}")
        options = page.locator("#pick-unit option").evaluate_all("(os) => os.map((o) => o.value)")
        assert options and all(code.startswith("HB.LS") for code in options)
        links = page.locator("a").evaluate_all("(as) => as.map((a) => a.getAttribute('href') || '')")
        assert not [href for href in links if "unit=" in href and "unit=HB.LS" not in href]
        answer = page.goto(f"{server.base}{path}?unit=HB.KB&{PERIOD}")
        assert answer is not None and answer.status == 403
        assert page.locator("h1").inner_text()  # a readable page
    page.close()
