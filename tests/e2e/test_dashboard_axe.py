"""Issues 13 and 14 in a real browser (Debian chromium): axe-core finds no serious or critical violation on
any dashboard page — sign-in, overview, trends, units, officers, themes, alerts, cases, a case, dossiers,
kiosks, report, audit and the public page — in Vietnamese and in English, signed in as the manager of the
district (the audit log as the administrator). The district's officer, comments and name carry hostile
markup (tests/integration/walk_world.py): on every page no element of it is in the DOM and no dialog opens.

Pages whose route the app does not have yet are left out of the walk (test_every_dashboard_page_is_walked
names them, so a new page cannot be forgotten here)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.settings import load_settings
from tests.axe import assert_no_serious
from tests.harness import harness, local_today
from tests.integration.test_route_access import app_routes
from tests.integration.walk_world import PASSWORD, PLAIN, USERS, Place, build
from tests.live import CHROMIUM, free_port, hailong_serve, served
from tests.pg import run_in_thread

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)"),
]
playwright = pytest.importorskip("playwright.sync_api")

SCRIPT, IMG, SVG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>'
INJECTED = "script:not([src]), img[src=x], svg[onload]"
MONTH = local_today().strftime("%Y-%m")
PERIOD = f"from={local_today().replace(day=1).isoformat()}&to={local_today().isoformat()}"
# route → the address the manager of HB.LS opens ({case}, {dossier}: district A's)
PAGES = {
    "/dashboard": f"/dashboard?unit=HB.LS&{PERIOD}",
    "/dashboard/trends": f"/dashboard/trends?unit=HB.LS&{PERIOD}",
    "/dashboard/units": f"/dashboard/units?unit=HB.LS&{PERIOD}",
    "/dashboard/officers": f"/dashboard/officers?unit=HB.LS&{PERIOD}",
    "/dashboard/themes": f"/dashboard/themes?unit=HB.LS&{PERIOD}",
    "/dashboard/alerts": "/dashboard/alerts",
    "/dashboard/cases": "/dashboard/cases",
    "/dashboard/cases/{case_id:int}": "/dashboard/cases/{case}",
    "/dashboard/dossiers": "/dashboard/dossiers?code={dossier}",
    "/dashboard/kiosks": "/dashboard/kiosks?unit=HB.LS",
    "/dashboard/report": f"/dashboard/report?unit=HB.LS&month={MONTH}",
    "/public/{unit:str}": "/public/HB.LS",
}
ADMIN_PAGES = {"/dashboard/audit": "/dashboard/audit"}
FILES = {"/dashboard/export/{name:str}", "/dashboard/report.xlsx"}


def routes() -> set[str]:
    app = create_app(load_settings({"db_url": "sqlite:///:memory:"}, environ={}))
    return {path for method, path in app_routes(app) if method == "GET"}


def test_every_dashboard_page_is_walked() -> None:
    pages = {p for p in routes() if p.startswith(("/dashboard", "/public"))} - FILES
    assert not sorted(pages - PAGES.keys() - ADMIN_PAGES.keys()), "pages this test does not open"


def hostile() -> dict[str, Place]:
    places = {k: Place(**vars(p)) for k, p in PLAIN.items()}
    a = places["A"]
    a.unit_name = f"Huyện Lương Sơn {SVG}"
    a.officer_name = f"Nguyễn Thị Lan {SCRIPT}{IMG}"
    a.comment = f"Chờ lâu {SCRIPT} {IMG}"
    return places


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Place]]]:
    folder = tmp_path_factory.mktemp("axe")
    url = f"sqlite:///{folder / 'axe.db'}"

    async def fill() -> dict[str, Place]:
        async with harness(url, followup_poll_seconds=0) as h:
            return (await build(h, hostile(), ratings=32)).places

    places = run_in_thread(fill(), timeout=120)  # a thread of its own: Playwright may hold this one's loop
    port = free_port()
    env = os.environ | {"HAILONG_DB": url, "HAILONG_PORT": str(port)}
    with served(hailong_serve(), env, port, folder / "server.log") as running:
        yield running.base, places


DIALOGS: list[str] = []  # every dialog any page opened (an injected alert(1) would open one)


def opened(viewport: dict[str, int], browser: Any) -> Any:
    page = browser.new_page(viewport=viewport)
    page.on("dialog", lambda d: (DIALOGS.append(f"{page.url}: {d.message}"), d.dismiss()))
    return page


DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 360, "height": 740}


def signed_in(browser: Any, base: str, role: str, lang: str, viewport: dict[str, int] = DESKTOP) -> Any:
    page = opened(viewport, browser)
    page.goto(f"{base}/login?lang={lang}")
    assert_no_serious(page)
    page.fill("input[name=username]", USERS[role][0])
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" in page.url
    assert_no_serious(page)  # the sign-in page with its error
    page.fill("input[name=username]", USERS[role][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard"))
    return page


def check(page: Any, address: str) -> None:
    answer = page.goto(address)
    assert answer is not None and answer.status == 200, (address, answer and answer.status)
    assert page.locator("h1").count() == 1, address
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert page.locator(INJECTED).count() == 0, f"{address}: an element from user text is in the DOM"
    assert_no_serious(page)


def check_refused_forms(page: Any, base: str, a: Place, lang: str) -> None:
    """The pages that say what was wrong with a form (422): a note of blanks, an answer without a response."""
    page.goto(f"{base}/dashboard/alerts?lang={lang}")
    form = page.locator(f"form[action^='/dashboard/alerts/{a.alert}/acknowledge']")
    form.locator("textarea").fill("   ")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("[role=alert], .error").count() >= 1, "the refused note is not said"
    assert_no_serious(page)
    page.goto(f"{base}/dashboard/cases/{a.case}?lang={lang}")
    page.select_option("#to", "answered")
    with page.expect_navigation():
        page.locator("form[action*='/transition'] button[type=submit]").click()
    assert page.locator("[role=alert]").count() >= 1, "the refused move is not said"
    assert_no_serious(page)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_axe_finds_nothing_serious_on_any_page(chromium: Any, server: tuple[str, dict[str, Place]], lang: str) -> None:
    base, places = server
    browser = chromium
    have = routes()
    a = places["A"]
    page = signed_in(browser, base, "manager", lang)
    shown: list[str] = []
    for route, address in PAGES.items():
        if route in have:
            check(page, base + address.format(case=a.case, dossier=a.dossier) + ("&" if "?" in address else "?") +
                  f"lang={lang}")  # fmt: skip
            shown.append(page.locator("main").inner_text())
    refused = page.goto(f"{base}/dashboard?unit=HB.KB&lang={lang}")  # another district: the refusal page
    assert refused is not None and refused.status == 403
    assert_no_serious(page)
    missing = page.goto(f"{base}/dashboard/nothing-here?lang={lang}")
    assert missing is not None and missing.status == 404
    assert_no_serious(page)
    check_refused_forms(page, base, a, lang)
    if "/dashboard/kiosks" in have:  # the page a pairing code is shown on
        page.goto(f"{base}/dashboard/kiosks?unit=HB.LS&lang={lang}")
        page.click("form[action='/dashboard/kiosks/pair'] button[type=submit]")
        page.wait_for_load_state()
        assert re.search(r"\d{4}", page.locator("main").inner_text()), "no pairing code shown"
        assert_no_serious(page)
    page.close()
    words = "\n".join(shown)
    for planted in (SCRIPT, IMG, "<svg onload=alert(1)>"):
        assert planted in words, f"{planted!r} is not shown as text on any page"
    admin = signed_in(browser, base, "admin", lang)
    for address in ADMIN_PAGES.values():
        check(admin, f"{base}{address}?lang={lang}")
    admin.close()
    assert not DIALOGS, f"a script from user text ran: {DIALOGS}"


def test_axe_finds_nothing_serious_at_phone_width(chromium: Any, server: tuple[str, dict[str, Place]]) -> None:
    """Wide tables scroll inside their box on a phone: such a box must be reachable by keyboard too."""
    base, places = server
    have = routes()
    a = places["A"]
    page = signed_in(chromium, base, "manager", "vi", PHONE)
    for route, address in PAGES.items():
        if route in have:
            check(page, base + address.format(case=a.case, dossier=a.dossier))
    page.close()
    admin = signed_in(chromium, base, "admin", "vi", PHONE)
    for address in ADMIN_PAGES.values():
        check(admin, base + address)
    admin.close()
    assert not DIALOGS, f"a script from user text ran: {DIALOGS}"


def test_axe_finds_nothing_serious_for_a_read_only_viewer(chromium: Any, server: tuple[str, dict[str, Place]]) -> None:
    """The commune's viewer: pages without forms, comments naming a person counted but not shown."""
    base, places = server
    have = routes()
    a1 = places["A1"]
    page = signed_in(chromium, base, "viewer", "vi")
    for route, address in PAGES.items():
        if route in have:
            address = address.replace("HB.LS", "HB.LS.TT").replace("HB.LS.TT.TT", "HB.LS.TT")
            check(page, base + address.format(case=a1.case, dossier=a1.dossier))
    page.close()
    assert not DIALOGS, f"a script from user text ran: {DIALOGS}"
