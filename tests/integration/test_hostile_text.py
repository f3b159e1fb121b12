"""Issues 13 and 14, "a rating comment and an officer name containing <script> / <img src=x onerror=…> appear as
text on every page and in exports; a CSV/XLSX cell starting with = opens as text". The province of
tests/integration/walk_world.py with hostile words planted (an officer's name, comments, a unit's name that
breaks out of an attribute), analysed by ``hailong analyze``; then every dashboard page (each GET page route of
the app must be listed in ``PAGES``) is read as an administrator and parsed: no script, image or svg element
of ours is in its DOM, and the planted words are shown, escaped. Every export (CSV and XLSX, the monthly
report's too) is read cell by cell: a cell beginning with = + - @ is neutralised in CSV and a string in XLSX."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import pytest_asyncio

from api.cli import main
from tests.harness import harness, local_today
from tests.integration.test_accounts import csrf_of
from tests.integration.test_route_access import app_routes
from tests.integration.walk_world import PLAIN, Place, World, build

pytestmark = pytest.mark.asyncio(loop_scope="module")

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
OFFICER = f"=Lò Văn {SCRIPT}{IMG}"  # a name a spreadsheet would run, and a page would too
COMMENT = f"=1+1 Chờ lâu {SCRIPT} {IMG}"
UNIT = f"@Kim Bôi {SVG}"
FORMULAS = ("\t=2+3 tab", "+1+1 thủ tục", "-1+1 giấy tờ", "@SUM(A1) phí", '=HYPERLINK("http://x.example","bấm")')
NOTE = f"Đã gọi lại {IMG}"  # a note a user writes
COUNTER = f"Quầy {IMG}{SVG}"  # a counter's (and a procedure's) name
ADMIN = f"Quản trị {SCRIPT}"  # a user's display name
TODAY = local_today()
PERIOD = {"from": (TODAY - timedelta(days=3)).isoformat(), "to": (TODAY + timedelta(days=1)).isoformat()}
MONTH = TODAY.strftime("%Y-%m")
ESCAPED = {  # how each planted word reads in the page's source once escaped
    "officer": "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
    "comment": "Chờ lâu &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;",
    "unit": "@Kim Bôi &#34;&gt;&lt;svg onload=alert(1)&gt;",
    "answer": "&lt;img src=x onerror=alert(1)&gt; (phiếu)",  # the questionnaire's comment
    "note": "Đã gọi lại &lt;img src=x onerror=alert(1)&gt;",  # a user's note
    "user": "Quản trị &lt;script&gt;alert(1)&lt;/script&gt;",  # a user's display name
    "counter": "Quầy &lt;img src=x onerror=alert(1)&gt;&#34;&gt;&lt;svg onload=alert(1)&gt;",
}

# Every dashboard page (GET) → (the address to read with place B's words, what of B it must show escaped).
PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "/dashboard": ("/dashboard?unit=HB.KB", ("unit",)),
    "/dashboard/trends": ("/dashboard/trends?unit=HB.KB", ("unit",)),
    "/dashboard/units": ("/dashboard/units?unit=HB", ("unit",)),
    "/dashboard/officers": ("/dashboard/officers?unit=HB.KB", ("unit", "officer")),
    "/dashboard/alerts": ("/dashboard/alerts", ("unit", "note", "user")),
    "/dashboard/cases": ("/dashboard/cases", ("unit",)),
    "/dashboard/cases/{case_id:int}": ("/dashboard/cases/{case}", ("unit", "note", "user")),
    "/dashboard/dossiers": ("/dashboard/dossiers?code={dossier}", ("comment", "answer")),
    "/dashboard/report": ("/dashboard/report?unit=HB.KB&month=" + MONTH, ("unit",)),
    "/dashboard/audit": ("/dashboard/audit", ("user",)),
    "/public/{unit:str}": ("/public/HB.KB", ("unit",)),
    "/login": ("/login", ()),
    "/dashboard/themes": ("/dashboard/themes?unit=HB.KB", ("unit", "comment")),
    "/dashboard/kiosks": ("/dashboard/kiosks?unit=HB.KB", ("unit", "officer", "counter")),
}
NOT_PAGES = {"/dashboard/export/{name:str}", "/dashboard/report.xlsx"}  # files: read by the export tests below
EXPORTS = [
    f"/dashboard/export/{table}{kind}" for table in ("ratings", "indices", "officers")
    for kind in (".csv", ".xlsx", "-dictionary.csv")
]  # fmt: skip


def hostile_places() -> dict[str, Place]:
    places = {k: Place(**vars(p)) for k, p in PLAIN.items()}
    b = places["B"]
    b.unit_name, b.officer_name, b.comment = UNIT, OFFICER, COMMENT
    return places


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    folder = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{folder / 'hostile.db'}"
    async with harness(url, followup_poll_seconds=0) as h:
        world = await build(h, hostile_places(), ratings=32)
        for comment in FORMULAS:  # comments a spreadsheet would run, entered by staff
            body = {"idempotency_key": str(uuid.uuid4()), "counter": "KB-Q1", "level": 1, "comment": comment}
            r = await h.post("/api/v1/ratings", body, key="integrator")
            assert r.status_code == 201, r.text
        args = ["analyze", "--db", url, "--out", str(folder / "out"), "--from", PERIOD["from"], "--to", PERIOD["to"]]
        assert await asyncio.to_thread(main, args) == 0  # the themes and comment pages read its run
        world.as_role("admin")
        await handled(world)
        yield world


async def handled(world: World) -> None:
    """What users write joins what citizens wrote: the administrator, whose display name is hostile,
    acknowledges B's alert, answers and assigns its case, and plans a shift there, each with hostile notes."""
    h, b = world.h, world.places["B"]
    for path, body in (
        (f"/api/v1/counters/{b.counter}", {"name": COUNTER}),
        ("/api/v1/procedures/1.001193", {"name": COUNTER}),
    ):
        assert (await h.client.patch(path, json=body, headers=h.admin)).is_success
    await h.store.write(
        lambda tx: tx.execute("UPDATE users SET display_name = :n WHERE username = 'root'", {"n": ADMIN})
    )
    csrf = csrf_of((await h.client.get("/dashboard/alerts")).text)
    for path, form in (
        (f"/dashboard/alerts/{b.alert}/acknowledge", {"note": NOTE}),
        (f"/dashboard/cases/{b.case}/transition", {"to": "answered", "response": NOTE, "note": NOTE}),
        (f"/dashboard/cases/{b.case}/assign", {"assignee": "root", "note": NOTE}),
        ("/dashboard/roster/shifts", {"unit": b.unit, "counter": b.counter, "officer": b.officer, "day": PERIOD["to"],
                                      "starts": "13:00", "ends": "15:00"}),
    ):  # fmt: skip
        r = await h.client.post(path, data={**form, "csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303 and "problem" not in r.headers["location"], (path, r.status_code, r.text[:300])


class Elements(HTMLParser):
    """The elements an injection would add: a script running the planted alert, images of src=x, svg with
    onload, and any on… attribute (the app's own inline script, allowed by its CSP hash, is no injection)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        self.script = tag == "script" and "src" not in given
        if (tag == "img" and given.get("src") == "x") or (tag == "svg" and "onload" in given):
            self.found.append(f"<{tag} {attrs}>")
        self.found += [f"<{tag} {name}=…>" for name in given if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        if self.script and "alert(" in data:
            self.found.append(f"<script>{data[:80]}</script>")

    def handle_endtag(self, tag: str) -> None:
        self.script = False


def injected(html: str) -> list[str]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.found


async def test_every_page_is_listed(world: World) -> None:
    pages = {path for method, path in app_routes(world.h.client.app) if method == "GET"}
    pages = {p for p in pages if p.startswith(("/dashboard", "/public", "/login"))} - NOT_PAGES
    missing = sorted(pages - PAGES.keys())
    assert not missing, f"pages without an entry in PAGES (say where the hostile words show): {missing}"


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_page_shows_hostile_words_as_text(world: World, lang: str) -> None:
    routes = {path for _, path in app_routes(world.h.client.app)}
    b = world.places["B"]
    wrong: list[str] = []
    for route, (address, shows) in PAGES.items():
        if route not in routes:
            continue  # a page not built yet (its route appears in the test above once it is)
        path = address.format(case=b.case, dossier=b.dossier)
        r = await world.h.client.get(path + ("&" if "?" in path else "?") + f"lang={lang}" + period_of(path))
        if r.status_code != 200:
            wrong.append(f"{path}: {r.status_code} {r.text[:200]!r}")
            continue
        found = injected(r.text)
        if found:
            wrong.append(f"{path}: elements from user text in the DOM: {found}")
        for raw in (SCRIPT, IMG, "<svg onload"):
            if raw in r.text:
                wrong.append(f"{path}: {raw!r} unescaped in the source")
        for word in shows:
            if ESCAPED[word] not in r.text:
                wrong.append(f"{path}: the {word}'s name is not shown as escaped text")
    assert not wrong, "\n".join(wrong)


def period_of(path: str) -> str:
    """The test's period on the pages that take one."""
    takes = ("/dashboard?", "/dashboard/trends", "/dashboard/units", "/dashboard/officers", "/dashboard/themes")
    return "&from={from}&to={to}".format(**PERIOD) if path.startswith(takes) else ""


RISKY = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def risky(cell: str) -> bool:
    """A cell a spreadsheet would read as a formula (a plain negative number is only a number)."""
    return cell.startswith(RISKY) and not NUMBER.fullmatch(cell)


async def test_csv_exports_neutralise_formula_cells(world: World) -> None:
    seen: list[str] = []
    for path in [p for p in EXPORTS if p.endswith(".csv")]:
        r = await world.h.client.get(path, params={"unit": "HB", **PERIOD})
        assert r.status_code == 200, (path, r.text[:300])
        cells = [cell for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig"))) for cell in row]
        bad = [cell for cell in cells if risky(cell)]
        assert not bad, f"{path}: cells a spreadsheet would run: {bad}"
        seen += cells
    for planted in (*FORMULAS, OFFICER):
        assert any(cell.startswith("'" + planted.strip()[:8]) for cell in seen), f"{planted!r} is not exported as text"
    assert any(SCRIPT in cell for cell in seen)  # as it was written, not escaped: a CSV file is not HTML


NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def xlsx_cells(content: bytes) -> list[tuple[str, str, bool, bool]]:
    """(text, type, is a formula, stays text when edited: its style's quotePrefix) of every cell of every sheet."""
    book = zipfile.ZipFile(io.BytesIO(content))
    shared: list[str] = []
    if "xl/sharedStrings.xml" in book.namelist():
        shared = ["".join(si.itertext()) for si in ET.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{NS}si")]
    xfs = ET.fromstring(book.read("xl/styles.xml")).find(f"{NS}cellXfs")
    quoted = [xf.get("quotePrefix") == "1" for xf in (xfs if xfs is not None else [])]
    out = []
    for name in book.namelist():
        if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
            continue
        for c in ET.fromstring(book.read(name)).iter(f"{NS}c"):
            kind = c.get("t", "n")
            v = c.find(f"{NS}v")
            value = shared[int(v.text or 0)] if kind == "s" and v is not None else "".join(c.itertext())
            style = int(c.get("s", 0))
            out.append((value, kind, c.find(f"{NS}f") is not None, style < len(quoted) and quoted[style]))
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_xlsx_exports_hold_formula_text_as_strings(world: World, lang: str) -> None:
    seen: list[str] = []
    files = [(p, {"unit": "HB", **PERIOD}) for p in EXPORTS if p.endswith(".xlsx")]
    files.append(("/dashboard/report.xlsx", {"unit": "HB.KB", "month": MONTH}))
    for path, params in files:
        r = await world.h.client.get(path, params={**params, "lang": lang})
        assert r.status_code == 200, (path, r.text[:300])
        cells = xlsx_cells(r.content)
        assert not [c for c in cells if c[2]], f"{path}: a formula in the file"
        bad = [c for c in cells if risky(c[0]) and (c[1] not in ("s", "inlineStr", "str") or not c[3])]
        assert not bad, f"{path}: cells a spreadsheet would read as formulas: {bad}"
        seen += [c[0] for c in cells]
    for planted in (*FORMULAS, OFFICER, UNIT):
        assert any(cell.startswith(planted.strip()) for cell in seen), f"{planted!r} is not in the files"


def csv_cells(folder: Path) -> list[str]:
    out = []
    for name in sorted(folder.glob("*.csv")):
        with name.open(encoding="utf-8-sig") as f:
            out += [cell for row in csv.reader(f) for cell in row]
    return out


async def test_the_analysis_files_keep_hostile_words_as_text(world: World, tmp_path: Path) -> None:
    """``hailong analyze`` writes report.html and CSV files (the comments among them): text there as well."""
    url = world.h.db_url
    assert await asyncio.to_thread(main, ["analyze", "--db", url, "--out", str(tmp_path)]) == 0
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not injected(report) and SCRIPT not in report and "<svg onload" not in report
    cells = csv_cells(tmp_path)
    assert not [c for c in cells if risky(c)]
    assert any(c.startswith("'" + COMMENT) for c in cells)  # the comment is there, neutralised


def query_names(app: object, path: str) -> set[str]:
    """The query parameters the GET handler of ``path`` takes."""
    for route in getattr(app, "routes", []):
        if route.path == path:
            for handler, model in getattr(route, "route_handler_map", {}).values():
                if "GET" in handler.http_methods:
                    return {p.field_alias for p in model.expected_query_params}
    return set()


REFLECTED = f"{SVG}{SCRIPT}'><img src=x onerror=alert(1)>"


async def test_hostile_query_parameters_are_never_reflected_as_markup(world: World) -> None:
    """Every parameter of every page set, one at a time, to markup: whatever the answer (a page, a refusal),
    nothing of it reaches the DOM, and no header carries it unescaped."""
    b = world.places["B"]
    wrong: list[str] = []
    for route, (address, _) in {**PAGES, "/dashboard/export/{name:str}": ("/dashboard/export/ratings.csv", ())}.items():
        names = query_names(world.h.client.app, route) | {"lang"}
        path, _, query = address.format(case=b.case, dossier=b.dossier).partition("?")
        base = dict(pair.split("=", 1) for pair in query.split("&") if pair)
        for name in sorted(names):
            r = await world.h.client.get(path, params={**base, name: REFLECTED}, follow_redirects=False)
            if r.status_code >= 500:
                wrong.append(f"{path} {name}=…: {r.status_code}")
            found = injected(r.text) if r.headers.get("content-type", "").startswith("text/html") else []
            if found or ("<svg onload" in r.text and "text/html" in r.headers.get("content-type", "")):
                wrong.append(f"{path} {name}=…: {found or 'unescaped'}")
            if any("<" in v or "onload" in v for v in r.headers.values()):
                wrong.append(f"{path} {name}=…: markup in a header {dict(r.headers)}")
    for path in ("/public/", "/dashboard/export/", "/dashboard/cases/"):  # markup in the address itself
        r = await world.h.client.get(path + quote(REFLECTED, safe=""), follow_redirects=False)
        if r.status_code >= 500 or injected(r.text) or "<svg onload" in r.text:
            wrong.append(f"{path}…: {r.status_code} {r.text[:200]!r}")
    assert not wrong, "\n".join(wrong)


async def test_pages_answering_a_form_show_what_was_sent_as_text(world: World) -> None:
    """A refused form comes back filled in with what was sent, and the pairing page names the counter: text."""
    h, b = world.h, world.places["B"]
    csrf = csrf_of((await h.client.get("/dashboard/alerts")).text)
    for path, form in (
        (f"/dashboard/cases/{b.case}/transition", {"to": "dismissed", "reason": "", "note": REFLECTED}),
        (f"/dashboard/cases/{b.case}/transition", {"to": "answered", "response": "", "note": REFLECTED}),
        (f"/dashboard/cases/{b.case}/assign", {"assignee": REFLECTED, "note": REFLECTED}),
        (f"/dashboard/alerts/{b.alert}/acknowledge", {"note": "   "}),
        ("/dashboard/kiosks/pair", {"counter": b.counter, "unit": REFLECTED}),
        ("/dashboard/themes/wrong", {"rating": str(b.rating), "theme": REFLECTED, "back": REFLECTED}),
        ("/login", {"username": REFLECTED, "password": "x", "next": REFLECTED}),
    ):
        r = await h.client.post(path, data={**form, "csrf": csrf}, follow_redirects=False)
        assert r.status_code < 500, (path, r.status_code)
        assert not injected(r.text) and "<svg onload" not in r.text, (path, r.text[:3000])
        assert not any("<" in v or "onload" in v for v in r.headers.values()), (path, dict(r.headers))
    world.as_role("admin")  # the sign-in attempt above left the session alone; make sure of it


async def test_the_citizens_pages_show_hostile_names_as_text(world: World) -> None:
    """The questionnaire and the printed receipt name the unit and the procedure (here hostile): as text."""
    h, b = world.h, world.places["B"]
    dossier = {
        "code": "000.00.13.H36-261120-0077", "unit": b.unit, "procedure": "1.001193", "channel": "direct",
        "received_at": "2026-11-20T08:00:00+07:00", "due_at": "2026-11-21T08:00:00+07:00",
    }  # fmt: skip
    r = await h.post("/api/v1/dossiers", dossier, key="integrator")
    assert r.status_code == 201, r.text
    survey = r.json()["survey_url"].removeprefix(h.settings.base_url)
    receipt = await h.client.get(f"/api/v1/dossiers/{dossier['code']}/receipt", headers=h.integrator)
    for lang in ("vi", "en"):
        page = await h.client.get(survey, params={"lang": lang})
        assert page.status_code == 200
        for shown in (page.text, receipt.text):
            assert not injected(shown) and "<svg onload" not in shown and IMG not in shown
    assert ESCAPED["counter"].split("&#34;")[0] in page.text + receipt.text  # the procedure's name, escaped
