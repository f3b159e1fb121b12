"""Issues 13 and 14, "a test walks every data route and page for every role": every route of the app (a new
one without an entry in ``ROUTES`` fails) called by an admin, a province user, the manager of district A, a
viewer of A's commune and an anonymous browser, with its parameters pointing at district A, at A's commune and
at district B (tests/integration/walk_world.py). A caller who may not see a place gets 403 (problem details
on the API, a readable page on pages); a page or answer they may open names nothing of a place they may not
see (unit, counter, officer, dossier, comment; for the viewer role, no comment naming a person), nor the
units above theirs; read-only roles are offered no change and change nothing (the stored state of each place
is compared); anonymous callers get 401 on the API and are sent to /login from pages; the public routes stay
public; bad parameters are refused in words. The province is analysed by ``hailong analyze`` first, so the
themes page and the comments endpoint have data to show."""

from __future__ import annotations

import asyncio
import html
import io
import re
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from api.cli import main
from tests.conftest import STORES
from tests.harness import harness, local_today
from tests.integration.test_accounts import csrf_of
from tests.integration.test_hostile_text import query_names
from tests.integration.test_route_access import app_routes
from tests.integration.walk_world import CHANGES, NAMED, SEES, Place, World, build
from web.i18n import text

pytestmark = pytest.mark.asyncio(loop_scope="module")

TODAY = local_today()
PERIOD = {"from": (TODAY - timedelta(days=3)).isoformat(), "to": (TODAY + timedelta(days=1)).isoformat()}
MONTH = TODAY.strftime("%Y-%m")
SHIFT = {"unit": "{unit}", "counter": "{counter}", "officer": "{officer}", "starts": "08:00", "ends": "11:00",
         "day": (TODAY + timedelta(days=2)).isoformat()}  # fmt: skip
EXPORTS = [
    f"{table}{kind}" for table in ("ratings", "indices", "officers") for kind in (".csv", ".xlsx", "-dictionary.csv")
]

# Who may call a route (the kinds of ROUTES):
PUBLIC = "public"  # anyone, signed in or not
KEY = "key"  # API keys and kiosk devices only (integration, kiosk): a browser's session gets 401/403
SESSION_WRITE = "api write"  # an API change: needs a key, a signed-in browser gets 401 whatever its role
READ = "read"  # an API read of the place's data: 403 outside the caller's units
ADMIN_READ = "admin read"  # an API read for administrators only
PAGE = "page"  # a page showing the place: a 403 page outside the caller's units
PAGE_OWN = "own page"  # a page of the caller's own units (no place in its address): open to every role
ADMIN_PAGE = "admin page"  # a page for administrators only (a 403 page for the others)
FORM = "form"  # a page's form changing the place: managers of it and admins only
SIGN_FORM = "sign-in form"  # /login, /logout: without the form's token, 403 for everyone


@dataclass(frozen=True)
class Call:
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None


Make = Callable[[Place | None], Call]


def at(path: str, **params: str) -> Make:
    """A call without a place (the same for every target)."""
    return lambda _: Call(path, dict(params))


def placed(make: Make) -> Make:
    """Marks a call that points at a place: the walk makes it once for each target."""
    setattr(make, "placed", True)  # noqa: B010
    return make


def unit(path: str, *, period: bool = True, **extra: str) -> Make:
    return placed(lambda p: Call(path, {"unit": p.unit if p else "HB", **(PERIOD if period else {}), **extra}))


def place(template: str, *, json: Any = None, form: dict[str, str] | None = None, **params: str) -> Make:
    """``template`` with {unit} {counter} {officer} {dossier} {alert} {case} {rating} {shift} {device} {survey}."""

    def make(p: Place | None) -> Call:
        assert p is not None
        words = {**vars(p), "survey_token": p.survey.rsplit("/", 1)[-1]}
        body = {k: v.format(**words) if isinstance(v, str) else v for k, v in json.items()} if json else json
        fields = {k: v.format(**words) for k, v in form.items()} if form is not None else None
        return Call(template.format(**words), dict(params), body, fields)

    return placed(make)


def each(*makes: Make) -> Make:
    """Several calls of one route (each parameter that can point at a place)."""

    def make(p: Place | None) -> Call:
        raise AssertionError("calls() takes them apart")

    setattr(make, "several", makes)  # noqa: B010
    return placed(make)


def calls(make: Make, p: Place | None) -> list[Call]:
    return [m(p) for m in getattr(make, "several", (make,))]


# (method, path) -> (who may call it, how to call it with a place). Every route of the app is here.
ROUTES: dict[tuple[str, str], tuple[str, Make]] = {
    ("GET", "/healthz"): (PUBLIC, at("/healthz")),
    ("GET", "/readyz"): (PUBLIC, at("/readyz")),
    ("GET", "/schema"): (PUBLIC, at("/schema")),
    ("GET", "/schema/openapi.json"): (PUBLIC, at("/schema/openapi.json")),
    ("GET", "/schema/{path:str}"): (PUBLIC, at("/schema/openapi.yaml")),
    ("GET", "/kiosk"): (PUBLIC, at("/kiosk")),
    ("GET", "/kiosk/{name:str}"): (PUBLIC, at("/kiosk/app.js")),
    ("GET", "/static/{name:str}"): (PUBLIC, at("/static/dashboard.css")),
    ("GET", "/login"): (PUBLIC, at("/login")),
    ("GET", "/public/{unit:str}"): (PUBLIC, place("/public/{unit}")),
    ("GET", "/s/{token:str}"): (PUBLIC, place("/s/{survey_token}")),
    ("POST", "/s/{token:str}"): (PUBLIC, place("/s/{survey_token}", form={"comment": "x"})),
    ("POST", "/api/v1/kiosk/pair"): (PUBLIC, at("/api/v1/kiosk/pair")),
    ("POST", "/login"): (SIGN_FORM, at("/login")),
    ("POST", "/logout"): (SIGN_FORM, at("/logout")),
    # integration and kiosk routes: keys and devices only
    ("GET", "/api/v1/kiosk/config"): (KEY, at("/api/v1/kiosk/config")),
    ("POST", "/api/v1/kiosk/heartbeat"): (KEY, at("/api/v1/kiosk/heartbeat")),
    ("POST", "/api/v1/ratings"): (KEY, place("/api/v1/ratings", json={"counter": "{counter}"})),
    ("GET", "/api/v1/ratings"): (KEY, unit("/api/v1/ratings", period=False)),
    ("POST", "/api/v1/dossiers"): (KEY, at("/api/v1/dossiers")),
    ("GET", "/api/v1/dossiers/{code:str}"): (KEY, place("/api/v1/dossiers/{dossier}")),
    ("PATCH", "/api/v1/dossiers/{code:str}"): (KEY, place("/api/v1/dossiers/{dossier}", json={})),
    ("GET", "/api/v1/dossiers/{code:str}/qr.svg"): (KEY, place("/api/v1/dossiers/{dossier}/qr.svg")),
    ("GET", "/api/v1/dossiers/{code:str}/qr.png"): (KEY, place("/api/v1/dossiers/{dossier}/qr.png")),
    ("GET", "/api/v1/dossiers/{code:str}/receipt"): (KEY, place("/api/v1/dossiers/{dossier}/receipt")),
    ("GET", "/api/v1/units"): (KEY, at("/api/v1/units")),
    ("GET", "/api/v1/counters"): (KEY, at("/api/v1/counters")),
    ("GET", "/api/v1/officers"): (KEY, at("/api/v1/officers")),
    ("GET", "/api/v1/procedures"): (KEY, at("/api/v1/procedures")),
    # API changes: keys only (a browser changes things through the pages' forms)
    ("POST", "/api/v1/units"): (SESSION_WRITE, at("/api/v1/units")),
    ("PATCH", "/api/v1/units/{code:str}"): (SESSION_WRITE, place("/api/v1/units/{unit}", json={"name": "X"})),
    ("POST", "/api/v1/counters"): (SESSION_WRITE, at("/api/v1/counters")),
    ("PATCH", "/api/v1/counters/{code:str}"): (SESSION_WRITE, place("/api/v1/counters/{counter}", json={})),
    ("PUT", "/api/v1/counters/{code:str}/duty"): (
        SESSION_WRITE,
        place("/api/v1/counters/{counter}/duty", json={"officer": None}),
    ),
    ("POST", "/api/v1/officers"): (SESSION_WRITE, at("/api/v1/officers")),
    ("PATCH", "/api/v1/officers/{code:str}"): (SESSION_WRITE, place("/api/v1/officers/{officer}", json={})),
    ("POST", "/api/v1/procedures"): (SESSION_WRITE, at("/api/v1/procedures")),
    ("PATCH", "/api/v1/procedures/{code:str}"): (SESSION_WRITE, at("/api/v1/procedures/1.001193")),
    ("POST", "/api/v1/devices/pairing-codes"): (
        SESSION_WRITE,
        place("/api/v1/devices/pairing-codes", json={"counter": "{counter}"}),
    ),
    ("POST", "/api/v1/devices/{code:str}/revoke"): (SESSION_WRITE, place("/api/v1/devices/{device}/revoke")),
    ("POST", "/api/v1/alerts/{alert_id:int}/acknowledge"): (
        SESSION_WRITE,
        place("/api/v1/alerts/{alert}/acknowledge", json={"note": "ok"}),
    ),
    ("POST", "/api/v1/cases/{case_id:int}/transition"): (
        SESSION_WRITE,
        place("/api/v1/cases/{case}/transition", json={"to": "in_progress"}),
    ),
    ("POST", "/api/v1/cases/{case_id:int}/assign"): (
        SESSION_WRITE,
        place("/api/v1/cases/{case}/assign", json={"assignee": None}),
    ),
    ("POST", "/api/v1/roster/shifts"): (SESSION_WRITE, place("/api/v1/roster/shifts", json={"counter": "{counter}"})),
    ("DELETE", "/api/v1/roster/shifts/{shift_id:int}"): (SESSION_WRITE, place("/api/v1/roster/shifts/{shift}")),
    ("POST", "/api/v1/comments/{rating_id:int}/wrong-themes"): (
        SESSION_WRITE,
        place("/api/v1/comments/{rating}/wrong-themes", json={"theme": "waiting"}),
    ),
    # API reads, scoped by the caller's units
    ("GET", "/api/v1/overview"): (READ, unit("/api/v1/overview")),
    ("GET", "/api/v1/trends"): (READ, unit("/api/v1/trends")),
    ("GET", "/api/v1/drilldown"): (READ, unit("/api/v1/drilldown")),
    ("GET", "/api/v1/officer-scores"): (READ, unit("/api/v1/officer-scores")),
    ("GET", "/api/v1/heatmap"): (READ, unit("/api/v1/heatmap")),
    ("GET", "/api/v1/themes"): (READ, unit("/api/v1/themes")),
    ("GET", "/api/v1/comments"): (READ, unit("/api/v1/comments")),
    ("GET", "/api/v1/roster"): (READ, unit("/api/v1/roster")),
    ("GET", "/api/v1/devices"): (
        READ,
        each(
            unit("/api/v1/devices", period=False),
            lambda p: Call("/api/v1/devices", {"counter": p.counter if p else ""}),
        ),
    ),
    ("GET", "/api/v1/alerts"): (READ, unit("/api/v1/alerts", period=False)),
    ("GET", "/api/v1/alerts/digest"): (READ, unit("/api/v1/alerts/digest", period=False)),
    ("GET", "/api/v1/alerts/{alert_id:int}"): (READ, place("/api/v1/alerts/{alert}")),
    ("GET", "/api/v1/cases"): (READ, unit("/api/v1/cases", period=False)),
    ("GET", "/api/v1/cases/timeliness"): (READ, unit("/api/v1/cases/timeliness")),
    ("GET", "/api/v1/cases/{case_id:int}"): (READ, place("/api/v1/cases/{case}")),
    ("GET", "/api/v1/dossiers/{code:str}/feedback"): (READ, place("/api/v1/dossiers/{dossier}/feedback")),
    ("GET", "/api/v1/audit"): (ADMIN_READ, at("/api/v1/audit")),
    # pages
    ("GET", "/dashboard"): (PAGE, unit("/dashboard")),
    ("GET", "/dashboard/trends"): (PAGE, unit("/dashboard/trends")),
    ("GET", "/dashboard/units"): (PAGE, unit("/dashboard/units")),
    ("GET", "/dashboard/officers"): (PAGE, unit("/dashboard/officers")),
    ("GET", "/dashboard/export/{name:str}"): (PAGE, each(*(unit(f"/dashboard/export/{name}") for name in EXPORTS))),
    ("GET", "/dashboard/report"): (PAGE, unit("/dashboard/report", period=False, month=MONTH)),
    ("GET", "/dashboard/report.xlsx"): (PAGE, unit("/dashboard/report.xlsx", period=False, month=MONTH)),
    ("GET", "/dashboard/cases/{case_id:int}"): (PAGE, place("/dashboard/cases/{case}")),
    ("GET", "/dashboard/dossiers"): (
        PAGE,
        placed(lambda p: Call("/dashboard/dossiers", {"code": p.dossier} if p else {})),
    ),
    ("GET", "/dashboard/themes"): (PAGE, unit("/dashboard/themes")),
    ("GET", "/dashboard/kiosks"): (PAGE, unit("/dashboard/kiosks", period=False)),
    ("GET", "/dashboard/alerts"): (PAGE_OWN, at("/dashboard/alerts")),
    ("GET", "/dashboard/cases"): (PAGE_OWN, at("/dashboard/cases")),
    ("GET", "/dashboard/audit"): (ADMIN_PAGE, at("/dashboard/audit")),
    ("POST", "/dashboard/alerts/{alert_id:int}/acknowledge"): (
        FORM,
        place("/dashboard/alerts/{alert}/acknowledge", form={"note": "Đã xem"}),
    ),
    ("POST", "/dashboard/cases/{case_id:int}/transition"): (
        FORM,
        place("/dashboard/cases/{case}/transition", form={"to": "in_progress", "note": "Đang xử lý"}),
    ),
    ("POST", "/dashboard/cases/{case_id:int}/assign"): (
        FORM,
        place("/dashboard/cases/{case}/assign", form={"assignee": ""}),
    ),
    ("POST", "/dashboard/themes/wrong"): (
        FORM,
        place("/dashboard/themes/wrong", form={"rating": "{rating}", "theme": "waiting"}),
    ),
    ("POST", "/dashboard/kiosks/pair"): (
        FORM,
        place("/dashboard/kiosks/pair", form={"counter": "{counter}", "unit": "{unit}"}),
    ),
    ("POST", "/dashboard/kiosks/{device:str}/revoke"): (
        FORM,
        place("/dashboard/kiosks/{device}/revoke", form={"unit": "{unit}"}),
    ),
    ("POST", "/dashboard/roster/shifts"): (FORM, place("/dashboard/roster/shifts", form=SHIFT)),
    ("POST", "/dashboard/roster/shifts/{shift_id:int}/remove"): (
        FORM,
        place("/dashboard/roster/shifts/{shift}/remove", form={"unit": "{unit}"}),
    ),
}
ROLES = ("anonymous", "viewer", "province", "manager", "admin")  # those who may change last
TARGETS = ("B", "A", "A1")


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=STORES)
async def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    folder = tmp_path_factory.mktemp("walk")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'walk.db'}"
        async with harness(url, followup_poll_seconds=0) as h:
            yield await analysed(await build(h), folder)
        return
    from tests.pg import pg_url_or_skip, temp_schema_url

    async with temp_schema_url(pg_url_or_skip()) as url, harness(url, followup_poll_seconds=0) as h:
        yield await analysed(await build(h), folder)


async def analysed(world: World, folder: Path) -> World:
    """``hailong analyze`` over the province: the themes page and the comments endpoint read its run."""
    args = ["analyze", "--db", world.h.db_url, "--out", str(folder / "out"), "--from", PERIOD["from"]]
    assert await asyncio.to_thread(main, [*args, "--to", PERIOD["to"]]) == 0
    return world


async def test_every_route_has_an_expectation(world: World) -> None:
    routes = app_routes(world.h.client.app)
    missing = sorted(routes - ROUTES.keys())
    assert not missing, f"routes without an entry in ROUTES (say who may call them and how): {missing}"
    assert not sorted(ROUTES.keys() - routes), "entries for routes the app no longer has"


def expected(kind: str, role: str, target: str | None, method: str) -> int | str:
    """The status (or a class of statuses) ``role`` must get from a ``kind`` route pointed at ``target``."""
    api = kind in (KEY, SESSION_WRITE, READ, ADMIN_READ)
    if kind == PUBLIC:
        return "ok"
    if kind == SIGN_FORM:
        return 403
    if role == "anonymous":
        if kind == FORM:
            return 403  # the form's token is checked first: an anonymous browser has none
        return 401 if api else 303
    if kind == KEY:
        return "refused"
    if kind == SESSION_WRITE:
        return 401
    if kind in (ADMIN_READ, ADMIN_PAGE):
        return "ok" if role == "admin" else 403
    if kind == PAGE_OWN:
        return "ok"
    assert target is not None
    if kind == FORM:
        return "ok" if target in CHANGES[role] else 403
    return "ok" if target in SEES[role] else 403


def hidden_words(world: World, role: str) -> list[str]:
    """What ``role`` may never read: every word of each place it does not see, and for the viewer role the
    comments that name a person."""
    out: list[str] = [NAMED] if role == "viewer" else []
    for name, p in world.places.items():
        if role != "anonymous" and name not in SEES[role]:
            out += p.words()
    return out


def unzipped(content: bytes) -> str:
    """The text of every part of an XLSX file (its cells are in the sheets and the shared strings)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())


STATE = {  # what the walk's changes would alter at a place: {0} its counter's code, {1} alert, {2} case, {3} rating
    "alert": "SELECT state, ack_note FROM alerts WHERE id = {1}",
    "case": "SELECT state, assignee_id, (SELECT count(*) FROM case_events e WHERE e.case_id = {2}) AS events"
    " FROM cases WHERE id = {2}",
    "kiosks": "SELECT d.code, d.revoked_at FROM devices d JOIN counters c ON c.id = d.counter_id"
    " WHERE c.code = '{0}' ORDER BY d.id",
    "pairing codes": "SELECT count(*) AS n FROM pairing_codes p JOIN counters c ON c.id = p.counter_id"
    " WHERE c.code = '{0}'",
    "shifts": "SELECT s.id, s.starts_at FROM duty_shifts s JOIN counters c ON c.id = s.counter_id"
    " WHERE c.code = '{0}' ORDER BY s.id",
    "theme marks": "SELECT theme FROM theme_marks WHERE rating_id = {3}",
}


async def state_of(world: World, place: Place) -> dict[str, Any]:
    values = (place.counter, place.alert, place.case, place.rating)
    return {name: await world.h.rows(sql.format(*values)) for name, sql in STATE.items()}


@pytest.mark.parametrize("role", ROLES)
async def test_walk_every_route_as(world: World, role: str) -> None:
    h = world.h
    kept = [name for name in TARGETS if name not in CHANGES.get(role, set())]
    before = {name: await state_of(world, world.places[name]) for name in kept}
    world.as_role(role)
    csrf = ""
    if role != "anonymous":
        csrf = csrf_of((await h.client.get("/dashboard/alerts")).text)
    hidden = hidden_words(world, role)
    wrong: list[str] = []
    for (method, template), (kind, make) in sorted(ROUTES.items()):
        for target, call in [
            (t, c) for t in (TARGETS if getattr(make, "placed", False) else (None,))
            for c in calls(make, world.places[t] if t else None)
        ]:  # fmt: skip
            form = None if call.form is None else {**call.form, **({"csrf": csrf} if csrf else {})}
            r = await h.client.request(
                method, call.path, params=call.params, json=call.json if form is None and method != "GET" else None,
                data=form, follow_redirects=False,
            )  # fmt: skip
            want = expected(kind, role, target, method)
            got = r.status_code
            where = f"{role} {method} {call.path}?{call.params} → {target}: {got} (want {want}) {r.text[:160]!r}"
            ctype = r.headers.get("content-type", "")
            if want == "ok":
                if got in (401, 403) or got >= 500 or (method == "GET" and kind != PUBLIC and got != 200):
                    wrong.append(where)
            elif want == "refused":
                if got not in (401, 403):
                    wrong.append(where)
            elif got != want:
                wrong.append(where)
            elif got == 303 and not r.headers["location"].startswith("/login?next="):
                wrong.append(where + " (not sent to /login)")
            elif got in (401, 403):
                page = not template.startswith("/api/")
                if page and not (ctype.startswith("text/html") and "<h1" in r.text):
                    wrong.append(where + " (a refusal on a page must be a readable page)")
                if not page and not ctype.startswith("application/problem+json"):
                    wrong.append(where + " (a refusal on the API must be problem details)")
                elif not page and (r.json().get("status") != got or not r.json().get("type", "").endswith(
                    "outside-your-units" if kind == READ and role != "anonymous" else ""
                )):  # fmt: skip
                    wrong.append(where + " (problem details: the status and why)")
            if 200 <= got < 300 and kind != PUBLIC and "no-store" not in r.headers.get("cache-control", ""):
                wrong.append(where + " (data without Cache-Control: no-store)")
            if ctype.startswith("text/html") and "frame-ancestors 'none'" not in r.headers.get(
                "content-security-policy", ""
            ):  # fmt: skip
                wrong.append(where + " (a page that may be framed)")
            secret = hidden if kind != PUBLIC else []
            if template == "/public/{unit:str}":  # a centre's public page: no officer, no comment, anyone
                secret = [NAMED] + [w for p in world.places.values() for w in (p.officer, p.officer_name, p.comment)]
            if not 200 <= got < 300:  # a refusal may repeat what was sent, and nothing more
                sent = f"{call.path} {call.params} {call.json} {call.form}"
                secret = [w for w in secret if w not in sent]
            body = unzipped(r.content) if r.content.startswith(b"PK") else r.text
            shown = [w for w in secret if re.search(rf"(?<![\w.-]){re.escape(w)}(?![\w.-])", body)]
            if shown:
                wrong.append(f"{where}: shows {shown} of a place this role may not see")
    for name in kept:  # nothing changed where this role may not change anything
        after = await state_of(world, world.places[name])
        wrong += [f"{role} changed the {what} of place {name}" for what in STATE if after[what] != before[name][what]]
    assert not wrong, f"{len(wrong)} wrong answer(s):\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["manager", "viewer"])
async def test_the_pages_link_to_nothing_outside_the_callers_units(world: World, role: str) -> None:
    """The navigation and the unit pickers offer only the caller's own units."""
    world.as_role(role)
    own = {"manager": ("HB.LS", "HB.LS.TT"), "viewer": ("HB.LS.TT",)}[role]
    for (method, template), (kind, make) in ROUTES.items():
        if method != "GET" or kind not in (PAGE, PAGE_OWN) or "export" in template or template.endswith(".xlsx"):
            continue
        target = "A1" if role == "viewer" else "A"
        r = await world.h.client.get(make(world.places[target]).path, params=make(world.places[target]).params)
        assert r.status_code == 200, (template, r.status_code, r.text[:300])
        for link in re.findall(r'(?:href|action)="([^"]*)"', r.text):
            codes = re.findall(r"unit=([A-Z0-9.]+)", link.replace("&amp;", "&"))
            assert all(code in own for code in codes), (template, link)
        options = re.findall(r'<option[^>]*value="(HB[^"]*)"', r.text)
        assert all(code in own for code in options), (template, options)


@pytest.mark.parametrize("role", ["province", "manager", "viewer"])
async def test_figures_count_only_the_callers_units(world: World, role: str) -> None:
    """No figure of a place the caller may not see: the overview's n (by default, of the caller's own unit) is
    the number of ratings stored at counters of the units it sees, on the API and on the page alike."""
    h = world.h
    seen = [world.places[p].counter for p in sorted(SEES[role])]
    [row] = await h.rows(
        "SELECT count(*) AS n FROM ratings r JOIN counters c ON c.id = r.counter_id WHERE c.code IN ("
        + ", ".join(f"'{code}'" for code in seen) + ")"
    )  # fmt: skip
    world.as_role(role)
    api = (await h.client.get("/api/v1/overview", params=PERIOD)).json()
    rate = next(f for f in api["figures"] if f["measure"] == "counter_rate")
    assert rate["n"] == int(row["n"]) > 0
    page = await h.client.get("/dashboard", params=PERIOD)
    card = re.search(r'<article class="card" data-measure="counter_rate">(.*?)</article>', page.text, re.S)
    assert card and f"n = {rate['n']}" in card[1]


@pytest.mark.parametrize("role", ["province", "viewer"])
async def test_read_only_roles_are_offered_no_change(world: World, role: str) -> None:
    """No form that changes anything on any page they open (signing out aside)."""
    world.as_role(role)
    target = world.places["A1"]
    for (method, template), (kind, make) in ROUTES.items():
        if method != "GET" or kind not in (PAGE, PAGE_OWN) or "export" in template or template.endswith(".xlsx"):
            continue
        call = calls(make, target)[0]
        r = await world.h.client.get(call.path, params=call.params)
        assert r.status_code == 200, (template, r.status_code)
        posts = re.findall(r'<form[^>]*method="post"[^>]*>', r.text, re.I)
        assert all('action="/logout"' in f for f in posts), (template, posts)


BAD = {  # a parameter → values a page or an endpoint must refuse in words (a 4xx), never with a 500
    "unit": ["NOPE", "HB.LS'--", "x" * 80],
    "from": ["2026-13-01", "yesterday", "0000-01-01"],
    "to": ["2026-02-30", "9999-99-99"],
    "month": ["2026-13", "26-1", "2026-00"],
    "code": ["x" * 65, "NOPE"],
}


@pytest.mark.parametrize("role", ["admin", "manager"])
async def test_bad_parameters_are_refused_in_words_everywhere(world: World, role: str) -> None:
    world.as_role(role)
    wrong: list[str] = []
    for (method, template), (kind, make) in sorted(ROUTES.items()):
        if method != "GET" or kind not in (PAGE, READ):
            continue
        for call in calls(make, world.places["A"]):
            for name, values in BAD.items():
                if name not in call.params:
                    continue
                for value in values:
                    params = {**call.params, name: value}
                    r = await world.h.client.get(call.path, params=params, follow_redirects=False)
                    ctype = r.headers.get("content-type", "")
                    want = "text/html" if not template.startswith("/api/") else "application/problem+json"
                    if not (400 <= r.status_code < 500 and ctype.startswith(want)):
                        wrong.append(f"{call.path} {params}: {r.status_code} {ctype} {r.text[:150]!r}")
    for (method, template), (kind, make) in sorted(ROUTES.items()):  # any value in any parameter: never a 500
        if method != "GET" or kind in (PUBLIC, KEY):
            continue
        call = calls(make, world.places["A"])[0]
        for name in sorted(query_names(world.h.client.app, template)):
            for value in ("-1", "0", "9" * 30, "x" * 300, "2026-02-29", "true", "ü", "%", "_", "\\", "'--", "a\nb"):
                r = await world.h.client.get(call.path, params={**call.params, name: value}, follow_redirects=False)
                if r.status_code >= 500:
                    wrong.append(f"{call.path} {name}={value[:20]}: {r.status_code} {r.text[:150]!r}")
    for path in ("/dashboard/cases/999999", "/api/v1/cases/999999", "/api/v1/alerts/999999", "/public/NOPE"):
        r = await world.h.client.get(path)
        if r.status_code != 404:
            wrong.append(f"{path}: {r.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ["manager", "viewer"])
async def test_the_units_above_the_callers_are_refused_too(world: World, role: str) -> None:
    """The province itself (and, for the commune's viewer, its district) holds other places' figures: 403.
    Without a unit, a route shows the caller's own (nothing of the others, in either language) or asks for one."""
    world.as_role(role)
    above = {"manager": ["HB"], "viewer": ["HB", "HB.LS"]}[role]
    wrong: list[str] = []
    for (method, _path), (kind, make) in sorted(ROUTES.items()):
        if method != "GET" or kind not in (PAGE, READ):
            continue
        for call in calls(make, world.places["A1"]):
            if "unit" not in call.params:
                continue
            for code in above:
                r = await world.h.client.get(call.path, params={**call.params, "unit": code}, follow_redirects=False)
                if r.status_code != 403:
                    wrong.append(f"{call.path} unit={code}: {r.status_code} {r.text[:150]!r}")
            without = {k: v for k, v in call.params.items() if k != "unit"}
            for lang in ("vi", "en") if not call.path.startswith("/api/") else (None,):
                params = {**without, **({"lang": lang} if lang else {})}
                r = await world.h.client.get(call.path, params=params, follow_redirects=False)
                if r.status_code not in (200, 400, 422):  # their own unit by default, or the unit is required
                    wrong.append(f"{call.path} without a unit: {r.status_code} {r.text[:150]!r}")
                body = unzipped(r.content) if r.content.startswith(b"PK") else r.text
                shown = [
                    w for w in hidden_words(world, role) if re.search(rf"(?<![\w.-]){re.escape(w)}(?![\w.-])", body)
                ]
                if shown:
                    wrong.append(f"{call.path} without a unit ({lang}): shows {shown}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_a_refusal_page_says_why_in_the_callers_language(world: World, lang: str) -> None:
    """Every page refusing the manager district B says so in words of the page's language, with the nav."""
    t = text(lang)
    words = html.escape(t("This unit is outside the units you may see. Choose a unit you are responsible for."))
    world.as_role("manager")
    for (method, template), (kind, make) in sorted(ROUTES.items()):
        if method != "GET" or kind != PAGE:
            continue
        for call in calls(make, world.places["B"]):
            r = await world.h.client.get(call.path, params={**call.params, "lang": lang})
            assert r.status_code == 403, (template, r.status_code)
            assert r.headers["content-language"] == lang and f'<html lang="{lang}">' in r.text, template
            assert words in r.text, (template, r.text[:1500])
            assert 'href="/dashboard' in r.text  # a way on


BIG = "9" * 25  # beyond any 64-bit id
JUNK_FORMS = [  # (path, form) with {alert}, {case}, {rating}, {unit}, {counter}, {officer} of place A
    ("/dashboard/themes/wrong", {"rating": BIG, "theme": "waiting"}),
    ("/dashboard/themes/wrong", {"rating": "-3", "theme": "waiting"}),
    ("/dashboard/themes/wrong", {"rating": "{rating}", "theme": "x" * 300}),
    ("/dashboard/themes/wrong", {}),
    ("/dashboard/kiosks/pair", {"counter": "x" * 300, "unit": "{unit}"}),
    ("/dashboard/kiosks/pair", {}),
    ("/dashboard/roster/shifts", {**SHIFT, "starts": "25:00"}),
    ("/dashboard/roster/shifts", {**SHIFT, "day": "99999-12-05"}),
    ("/dashboard/roster/shifts", {**SHIFT, "counter": "x" * 300}),
    ("/dashboard/roster/shifts", {**SHIFT, "officer": BIG}),
    ("/dashboard/roster/shifts", {}),
    (f"/dashboard/roster/shifts/{BIG}/remove", {"unit": "{unit}"}),
    ("/dashboard/kiosks/" + "x" * 300 + "/revoke", {}),
    ("/dashboard/cases/{case}/transition", {"to": "zzz"}),
    ("/dashboard/cases/{case}/transition", {}),
    ("/dashboard/cases/{case}/assign", {"assignee": "x" * 500}),
    (f"/dashboard/cases/{BIG}/assign", {"assignee": ""}),
    ("/dashboard/alerts/{alert}/acknowledge", {}),
    (f"/dashboard/alerts/{BIG}/acknowledge", {"note": "x"}),
]


async def test_junk_in_a_form_is_refused_in_words_never_a_500(world: World) -> None:
    world.as_role("admin")
    a = world.places["A"]
    csrf = csrf_of((await world.h.client.get("/dashboard/alerts")).text)
    wrong = []
    for path, form in JUNK_FORMS:
        fields = {k: v.format(**vars(a)) for k, v in form.items()}
        r = await world.h.client.post(path.format(**vars(a)), data={**fields, "csrf": csrf}, follow_redirects=False)
        readable = r.status_code in (200, 303) or (400 <= r.status_code < 500 and "<h1" in r.text)
        if not readable:
            wrong.append(f"{path[:60]} {fields}: {r.status_code} {r.text[:200]!r}")
    assert not wrong, "\n".join(wrong)
