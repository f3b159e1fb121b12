"""Issue 13, item 1: dashboard accounts — argon2id passwords, sessions, throttling, CSRF, audit, roles."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import argon2
import httpx
import pytest
from litestar import Request, Response, get

from api.accounts import service
from api.accounts.service import Accounts, Passwords
from api.units.service import require_id
from api.viewer import SESSION_COOKIE, subtree
from tests.harness import Harness, harness, seed_reference
from web import pages

PASSWORD = "correct horse battery"


def cheap() -> Passwords:
    """Fast argon2id parameters, for tests that try many passwords."""
    return Passwords(argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found[1]


async def login(h: Harness, username: str, password: str, next_path: str = "/dashboard") -> httpx.Response:
    h.client.cookies.delete(SESSION_COOKIE)  # a fresh visit (a signed-in one is sent on from /login)
    page = await h.client.get("/login")
    form = {"csrf": csrf_of(page.text), "username": username, "password": password, "next": next_path}
    return await h.client.post("/login", data=form, follow_redirects=False)


async def logout(h: Harness) -> httpx.Response:
    """Press the layout's sign-out button (every page has it; the audit page is at hand for every role)."""
    page = await h.client.get("/dashboard/audit")
    assert 'action="/logout"' in page.text
    return await h.client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)


async def users(h: Harness, *, fast: bool = True) -> None:
    """The reference tree (HB → HB.LS) plus a commune under the district, and one user per role; ``fast``:
    with cheap argon2id parameters, in the store and in the app (the real ones are tested once, below)."""
    passwords = cheap() if fast else None
    if fast:
        accounts(h).passwords = cheap()
    await seed_reference(h)
    body = {"code": "HB.LS.TT", "name": "Thị trấn Lương Sơn", "kind": "commune", "parent": "HB.LS"}
    assert (await h.post("/api/v1/units", body)).status_code == 201
    for name, role, unit in (("root", "admin", None), ("so", "province", None), ("lan", "manager", "HB.LS"),
                             ("hung", "viewer", "HB.LS.TT")):  # fmt: skip
        await service.add_user(h.store, name, role, unit, PASSWORD, actor="cli:test", passwords=passwords)


def accounts(h: Harness) -> Accounts:
    """The app's own accounts (its clock and hasher can be set from here; it runs on the app's loop)."""
    found: Accounts = h.client.app.state.sessions
    return found


def sessions(h: Harness) -> Accounts:
    """Accounts on the test's own store and loop, with the app's clock, to resolve a token directly."""
    return Accounts(h.store, h.settings, clock=accounts(h).clock)


class Clock:
    def __init__(self, at: int = 1_800_000_000_000) -> None:
        self.at = at

    def __call__(self) -> int:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += int(seconds * 1000)


def fake_clock(h: Harness) -> Clock:
    clock = Clock()
    accounts(h).clock = clock
    return clock


async def test_the_password_is_stored_as_an_argon2id_hash_and_checked(h: Harness) -> None:
    await users(h, fast=False)
    row = (await h.rows("SELECT password_hash FROM users WHERE username = 'lan'"))[0]
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    assert argon2.PasswordHasher().verify(row["password_hash"], PASSWORD)
    assert "$m=65536,t=3,p=4$" in row["password_hash"]  # RFC 9106's low-memory profile
    r = await login(h, "lan", PASSWORD, "/dashboard/audit?before=5")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/audit?before=5"
    token = h.client.cookies.get(SESSION_COOKIE)
    assert token and len(token) >= 40
    stored = await h.rows("SELECT token_hash FROM sessions")
    assert len(stored) == 1 and stored[0]["token_hash"] != token and token not in str(stored)


async def test_a_wrong_password_or_unknown_name_is_refused_alike(h: Harness) -> None:
    await users(h)
    wrong = await login(h, "lan", "not the password")
    unknown = await login(h, "nobody", "not the password")
    disabled_name = "hung"
    await service.set_disabled(h.store, disabled_name, True, actor="cli:test")
    disabled = await login(h, disabled_name, PASSWORD)  # the right password of a disabled user
    for r in (wrong, unknown, disabled):
        assert r.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in r.text
        assert SESSION_COOKIE not in r.headers.get("set-cookie", "")

    def same(page: httpx.Response) -> str:  # the page without what the browser itself sent
        return re.sub(r'<input id="username"[^>]*>', "", page.text)

    assert same(wrong) == same(unknown) == same(disabled)
    assert await h.count("sessions") == 0
    failed = await h.rows("SELECT username, via, detail FROM audit_log WHERE action = 'login-failed' ORDER BY id")
    assert [(r["username"], r["via"]) for r in failed] == [("", "anonymous")] * 3
    assert '"nobody"' in failed[1]["detail"]


async def test_throttling_grows_then_clears_with_time_and_never_locks_out(h: Harness) -> None:
    await users(h)
    clock = fake_clock(h)
    for _ in range(service.FREE_FAILURES):  # the first few refusals cost nothing
        assert (await login(h, "lan", "wrong password!")).status_code == 401
    waits = []
    for _ in range(6):  # each further refusal doubles the wait, up to the cap
        r = await login(h, "lan", PASSWORD)  # even the right password waits while the delay runs
        assert r.status_code == 429
        assert "Tài khoản này đã đăng nhập sai nhiều lần" in r.text
        wait = int(r.headers["retry-after"])
        waits.append(wait)
        clock.advance(wait)
        assert (await login(h, "lan", "wrong password!")).status_code == 401
    assert waits == [15, 30, 60, 120, 240, 300]
    assert (await login(h, "lan", PASSWORD)).status_code == 429
    clock.advance(service.MAX_DELAY_MS / 1000)  # the cap: never locked out for good
    r = await login(h, "lan", PASSWORD)
    assert r.status_code == 303
    assert await h.count("login_failures") == 0  # a sign-in clears the account's refusals

    # Another account is not slowed by lan's refusals, and refusals older than the window stop counting.
    for _ in range(service.FREE_FAILURES):
        assert (await login(h, "so", "wrong password!")).status_code == 401
    assert (await login(h, "so", "wrong password!")).status_code == 429
    clock.advance(service.ACCOUNT_WINDOW_MS / 1000 + 1)
    assert (await login(h, "so", "wrong password!")).status_code == 401  # counted afresh: free again
    assert (await login(h, "so", PASSWORD)).status_code == 303


async def test_one_address_is_limited_across_names_until_its_window_passes(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await users(h)
    monkeypatch.setattr(service, "MAX_FAILURES_PER_CLIENT", 4)
    clock = fake_clock(h)
    for n in range(4):
        assert (await login(h, f"guess{n}", "wrong password!")).status_code == 401
        clock.advance(60)
    r = await login(h, "lan", PASSWORD)
    assert r.status_code == 429 and "Có quá nhiều lần đăng nhập sai từ địa chỉ này" in r.text
    assert int(r.headers["retry-after"]) == service.CLIENT_WINDOW_MS // 1000 - 4 * 60
    assert "<form" in r.text  # a readable page with the form, not problem JSON
    clock.advance(int(r.headers["retry-after"]))
    assert (await login(h, "lan", PASSWORD)).status_code == 303


async def test_every_form_needs_its_csrf_token(h: Harness) -> None:
    await users(h)
    form = {"username": "lan", "password": PASSWORD, "next": "/dashboard"}
    assert (await h.client.get("/login")).status_code == 200
    for bad in ({}, {"csrf": "0" * 64}):
        r = await h.client.post("/login", data={**form, **bad}, follow_redirects=False)
        assert r.status_code == 403 and "Biểu mẫu đã hết hạn" in r.text
    assert await h.count("sessions") == 0
    assert (await login(h, "lan", PASSWORD)).status_code == 303
    r = await h.client.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403
    assert await h.count("sessions") == 1  # still signed in
    foreign = pages._token_of("another browser's session")  # a token made for another browser is no good here
    r = await h.client.post("/logout", data={"csrf": foreign}, follow_redirects=False)
    assert r.status_code == 403 and await h.count("sessions") == 1
    r = await logout(h)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert await h.count("sessions") == 0
    assert (await h.client.get("/dashboard/audit", follow_redirects=False)).status_code == 303


def cookie_attributes(response: httpx.Response, name: str) -> set[str]:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return {part.strip().lower() for part in header.split(";")[1:]}
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")


async def test_cookie_flags_and_secure_over_tls(db_url: str) -> None:
    for tls in (False, True):
        async with harness(db_url, tls=tls) as h:
            if not tls:
                await users(h)
            page = await h.client.get("/login")
            pre = cookie_attributes(page, "hailong_csrf")
            form = {"csrf": csrf_of(page.text), "username": "lan", "password": PASSWORD}
            secret = page.headers["set-cookie"].split(";")[0]  # a Secure cookie is not sent back over http
            h.client.cookies.clear()
            r = await h.client.post("/login", data=form, headers={"Cookie": secret}, follow_redirects=False)
            assert r.status_code == 303
            flags = cookie_attributes(r, SESSION_COOKIE)
            for found in (pre, flags):
                assert {"httponly", "samesite=strict", "path=/"} <= found
                assert ("secure" in found) is tls
            assert not any(f.startswith(("max-age", "expires")) for f in flags)  # ends with the browser


async def test_disabling_a_user_or_a_new_password_ends_their_sessions_at_once(h: Harness) -> None:
    await users(h)
    assert (await login(h, "root", PASSWORD)).status_code == 303
    token = h.client.cookies.get(SESSION_COOKIE)
    assert token
    assert (await h.client.get("/dashboard/audit")).status_code == 200
    assert (await h.client.get("/api/v1/audit")).status_code == 200  # a signed-in browser reads the API too
    assert await service.set_disabled(h.store, "root", True, actor="cli:test") == 1
    assert await sessions(h).viewer(token) is None
    r = await h.client.get("/dashboard/audit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fdashboard%2Faudit"
    assert (await h.client.get("/api/v1/audit")).status_code == 401
    await service.set_disabled(h.store, "root", False, actor="cli:test")
    assert await sessions(h).viewer(token) is None  # enabling again does not bring the session back
    assert (await login(h, "root", PASSWORD)).status_code == 303
    assert await service.set_password(h.store, "root", "another good one", actor="cli:test") == 1
    assert (await h.client.get("/dashboard/audit", follow_redirects=False)).status_code == 303
    assert (await login(h, "root", PASSWORD)).status_code == 401
    assert (await login(h, "root", "another good one")).status_code == 303


async def test_sessions_end_after_idle_time_and_after_their_lifetime(h: Harness) -> None:
    await users(h)
    clock = fake_clock(h)
    idle, hours = h.settings.session_idle_minutes * 60, h.settings.session_hours * 3600
    assert (await login(h, "lan", PASSWORD)).status_code == 303
    token = h.client.cookies.get(SESSION_COOKIE)
    assert token
    clock.advance(idle - 5)
    assert await sessions(h).viewer(token) is not None  # and that request counts as activity
    elapsed = idle - 5
    while elapsed + idle - 5 < hours:  # active all day, never idle for long
        clock.advance(idle - 5)
        elapsed += idle - 5
        assert await sessions(h).viewer(token) is not None
    clock.advance(hours - elapsed)
    assert await sessions(h).viewer(token) is None  # at its lifetime, however active
    assert (await login(h, "lan", PASSWORD)).status_code == 303
    token = h.client.cookies.get(SESSION_COOKIE)
    assert token
    clock.advance(idle + 1)
    assert await sessions(h).viewer(token) is None  # idle too long


async def test_the_viewer_sees_its_unit_subtree_and_admins_see_all(h: Harness) -> None:
    await users(h)
    expected = {}
    for code in ("HB", "HB.LS", "HB.LS.TT"):
        unit_id = await h.store.read(lambda tx, c=code: require_id(tx, c))
        expected[code] = (unit_id, await h.store.read(lambda tx, u=unit_id: subtree(tx, u)))
    assert len(expected["HB.LS"][1]) == 2 and len(expected["HB"][1]) == 3
    for name, role, code in (("root", "admin", None), ("so", "province", None), ("lan", "manager", "HB.LS"),
                             ("hung", "viewer", "HB.LS.TT")):  # fmt: skip
        assert (await login(h, name, PASSWORD)).status_code == 303
        token = h.client.cookies.get(SESSION_COOKIE)
        assert token
        viewer = await sessions(h).viewer(token)
        assert viewer is not None and viewer.role == role and viewer.via == "session"
        if code is None:
            assert viewer.units is None and viewer.unit_id is None
        else:
            assert (viewer.unit_id, viewer.units) == expected[code]
            assert not viewer.sees(expected["HB"][0])
        h.client.cookies.clear()


async def test_audit_rows_are_written_and_only_admins_read_them(h: Harness) -> None:
    await users(h)
    assert (await login(h, "lan", "wrong password!")).status_code == 401
    assert (await login(h, "lan", PASSWORD)).status_code == 303
    r = await h.client.get("/dashboard/audit")
    assert r.status_code == 403 and "Không được phép" in r.text and "<form" in r.text
    r = await h.client.get("/dashboard/audit?lang=en")
    assert r.status_code == 403 and "Not allowed" in r.text
    assert (await h.client.get("/api/v1/audit")).status_code == 403
    assert (await logout(h)).status_code == 303
    r = await h.client.get("/api/v1/audit", headers=h.integrator)
    assert r.status_code == 403
    assert (await h.client.get("/api/v1/audit")).status_code == 401
    r = await h.client.get("/api/v1/audit", headers=h.admin)
    assert r.status_code == 200
    actions = [(e["action"], e["username"]) for e in r.json()]
    assert actions[:4] == [("logout", "lan"), ("login", "lan"), ("login-failed", ""), ("user-add", "cli:test")]
    assert r.json()[2]["detail"] == {"username": "lan"} and r.json()[2]["client"]
    older = (await h.client.get(f"/api/v1/audit?before={r.json()[1]['id']}&limit=1", headers=h.admin)).json()
    assert [e["action"] for e in older] == ["login-failed"]
    only = (await h.client.get("/api/v1/audit?action=login", headers=h.admin)).json()
    assert {e["action"] for e in only} == {"login"}
    assert (await login(h, "root", PASSWORD)).status_code == 303
    page = await h.client.get("/dashboard/audit?lang=en")
    assert page.status_code == 200 and "login-failed" in page.text and "Audit log" in page.text
    assert "cli:test" in page.text and "user-add" in page.text
    logins = await h.client.get("/dashboard/audit?action=login")
    cells = re.findall(r"<td><code>([^<]+)</code></td>", logins.text)
    assert cells and set(cells) == {"login"} and '<option value="login" selected>' in logins.text
    for bad in ("before=99999999999999999999", "before=0", "before=x", "action=" + "x" * 101):
        r = await h.client.get(f"/dashboard/audit?{bad}")
        assert 400 <= r.status_code < 500 and "Something in this request is not right" in r.text, (bad, r.status_code)
        assert 'action="/logout"' in r.text and "/dashboard/audit" in r.text  # the layout knows who is signed in


async def test_pages_have_safe_headers_the_language_switch_and_the_role_nav(h: Harness) -> None:
    await users(h)
    r = await h.client.get("/login")
    assert r.headers["content-language"] == "vi" and 'lang="vi"' in r.text and "Đăng nhập" in r.text
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert r.headers["cache-control"] == "no-store"
    assert "<script" not in r.text and "style=" not in r.text and "<style" not in r.text
    r = await h.client.get("/login?lang=en")
    assert "Sign in" in r.text and "lang_en" not in r.text
    assert "hailong_lang=en" in r.headers.get("set-cookie", "")
    assert (await h.client.get("/login")).headers["content-language"] == "en"  # remembered
    css = re.search(r'href="(/static/dashboard\.css\?v=\w+)"', r.text)
    assert css
    sheet = await h.client.get(css[1])
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
    assert "@media print" in sheet.text
    assert (await h.client.get("/static/../pages.py")).status_code == 404
    assert (await h.client.get("/static/nothing.css")).status_code == 404
    navs = {}
    for name in ("root", "lan", "hung"):
        await login(h, name, PASSWORD)
        page = await h.client.get("/dashboard/audit")  # 200 for the admin, a 403 page (with the nav) for others
        navs[name] = re.findall(r'<li><a href="(/dashboard[^"]*)"', page.text)
        h.client.cookies.delete(SESSION_COOKIE)
    assert "/dashboard/audit" in navs["root"] and "/dashboard/kiosks" in navs["root"]
    assert "/dashboard/audit" not in navs["lan"] and "/dashboard/kiosks" in navs["lan"]
    assert "/dashboard/kiosks" not in navs["hung"] and "/dashboard" in navs["hung"]


async def test_login_sends_only_to_this_site_and_a_signed_in_visit_goes_on(h: Harness) -> None:
    await users(h)
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        r = await login(h, "lan", PASSWORD, evil)
        assert r.status_code == 303 and r.headers["location"] == "/dashboard", evil
    r = await h.client.get("/login?next=/dashboard/units", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/units"
    r = await h.client.get("/login?next=%3Cscript%3E", follow_redirects=False)
    assert r.headers["location"] == "/dashboard"
    r = await login(h, "lan", PASSWORD, "/dashboard/units?q=Hòa Bình")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/units?q=H%C3%B2a%20B%C3%ACnh"


async def test_a_store_written_audit_entry_from_another_domain(h: Harness) -> None:
    from api.accounts.audit import audit
    from api.viewer import Viewer

    key_viewer = Viewer("admin", 7, "test admin", None, None, via="key")
    await audit(h.store, key_viewer, "export", {"what": "ratings", "rows": 3, "text": "<b>"}, client="10.0.0.1")

    async def inside(tx: Any) -> None:
        await audit(tx, Viewer("manager", 1, "Lan", 2, frozenset({2})), "counter-change", {"code": "LS-Q1"})

    await h.store.write(inside)
    rows = await h.rows("SELECT user_id, username, via, action, detail, client FROM audit_log ORDER BY id")
    assert rows[0] == {
        "user_id": None, "username": "test admin", "via": "key", "action": "export",
        "detail": '{"what":"ratings","rows":3,"text":"<b>"}', "client": "10.0.0.1",
    }  # fmt: skip
    assert (rows[1]["user_id"], rows[1]["via"], rows[1]["action"]) == (1, "session", "counter-change")


async def test_parallel_guesses_do_not_slip_past_the_throttle(h: Harness) -> None:
    await users(h)
    mine = Accounts(h.store, h.settings)
    mine.passwords = cheap()

    async def attempt(name: str, client: str) -> str:
        try:
            await mine.sign_in(name, "wrong password!", client)
        except service.Throttled as exc:
            return f"429 {exc.scope}"
        except service.BadCredentials:
            return "401"
        return "signed in"

    same_name = await asyncio.gather(*(attempt("lan", f"10.0.0.{n}") for n in range(6)))
    assert sorted(same_name) == ["401"] + ["429 account"] * 5  # one at a time per name
    names = await asyncio.gather(*(attempt(f"guess{n}", "10.9.9.9") for n in range(7)))
    at_once = service.ATTEMPTS_AT_ONCE_PER_CLIENT
    assert sorted(names) == ["401"] * at_once + ["429 address"] * (7 - at_once)
    assert await h.count("login_failures") == 1 + at_once


async def test_outside_the_subtree_a_page_answers_a_readable_403_in_the_users_language(h: Harness) -> None:
    await users(h)

    @get("/dashboard/probe/{code:str}")
    async def probe(request: Request[Any, Any, Any], code: str) -> Response[str]:
        viewer = await pages.page_viewer(request)
        viewer.check_sees(await request.app.state.store.read(lambda tx: require_id(tx, code)))
        return pages.render(request, "error.html", title="Overview", message=code)

    h.client.app.register(probe)
    assert (await login(h, "hung", PASSWORD)).status_code == 303  # a viewer of the commune HB.LS.TT
    assert (await h.client.get("/dashboard/probe/HB.LS.TT")).status_code == 200
    for code in ("HB.LS", "HB"):
        r = await h.client.get(f"/dashboard/probe/{code}")
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
        assert "Đơn vị này nằm ngoài phạm vi Ông/Bà được xem" in r.text
        assert (
            r.headers["cache-control"] == "no-store"
            and "frame-ancestors 'none'" in r.headers["content-security-policy"]
        )
    r = await h.client.get("/dashboard/probe/HB?lang=en")
    assert r.status_code == 403 and "This unit is outside the units you may see" in r.text
    r = await h.client.get("/dashboard/probe/NOPE")
    assert r.status_code == 404 and "Page not found" in r.text  # the language stays remembered
    h.client.cookies.delete(SESSION_COOKIE)
    r = await h.client.get("/dashboard/probe/HB?x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fdashboard%2Fprobe%2FHB%3Fx%3D1"


async def test_a_user_disabled_while_their_password_is_checked_gets_no_session(h: Harness) -> None:
    await users(h)
    mine = Accounts(h.store, h.settings)
    checking = cheap()
    check = checking.verify

    async def verify_then_disable(stored: str | None, password: str) -> tuple[bool, bool]:
        outcome = await check(stored, password)
        await service.set_disabled(h.store, "lan", True, actor="cli:test")  # an admin acts meanwhile
        return outcome

    checking.verify = verify_then_disable  # type: ignore[method-assign]
    mine.passwords = checking
    with pytest.raises(service.BadCredentials):
        await mine.sign_in("lan", PASSWORD, "10.0.0.1")
    assert await h.count("sessions") == 0
