"""Issue 10, item 17: every route of the app is listed here with who may call it. A new route without an entry
fails; anonymous and wrong-role calls get 401 and 403; the callers listed are let through."""

from __future__ import annotations

from typing import Any

from tests.harness import Harness, seed_reference

ANYONE, ADMIN, INTEGRATOR, DEVICE, KIOSK_OR_INTEGRATOR = "anyone", "admin", "integrator", "device", "device|integrator"
VIEWER = "viewer"  # a dashboard user (session) or an admin key, scoped by api/viewer.py
ADMIN_PAGE = "admin page"  # a page: anonymous browsers are sent to /login (303), other roles get a 403 page
FORM = "form"  # anyone, with the form's CSRF token (here nobody has one: 403)

# (method, path) -> who may call it. Admin keys pass wherever an integrator may; device routes take devices only.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): ANYONE,
    ("GET", "/readyz"): ANYONE,
    ("GET", "/schema"): ANYONE,
    ("GET", "/schema/openapi.json"): ANYONE,
    ("GET", "/schema/{path:str}"): ANYONE,
    ("GET", "/kiosk"): ANYONE,
    ("GET", "/kiosk/{name:str}"): ANYONE,
    ("GET", "/s/{token:str}"): ANYONE,  # the token is the capability
    ("POST", "/s/{token:str}"): ANYONE,
    ("POST", "/api/v1/kiosk/pair"): ANYONE,  # the pairing code is the capability
    ("GET", "/api/v1/kiosk/config"): DEVICE,
    ("POST", "/api/v1/kiosk/heartbeat"): DEVICE,
    ("POST", "/api/v1/ratings"): KIOSK_OR_INTEGRATOR,
    ("GET", "/api/v1/ratings"): INTEGRATOR,
    ("POST", "/api/v1/dossiers"): INTEGRATOR,
    ("GET", "/api/v1/dossiers/{code:str}"): INTEGRATOR,
    ("PATCH", "/api/v1/dossiers/{code:str}"): INTEGRATOR,
    ("GET", "/api/v1/dossiers/{code:str}/qr.svg"): INTEGRATOR,
    ("GET", "/api/v1/dossiers/{code:str}/qr.png"): INTEGRATOR,
    ("GET", "/api/v1/dossiers/{code:str}/receipt"): INTEGRATOR,
    ("GET", "/api/v1/units"): INTEGRATOR,
    ("POST", "/api/v1/units"): ADMIN,
    ("PATCH", "/api/v1/units/{code:str}"): ADMIN,
    ("GET", "/api/v1/counters"): INTEGRATOR,
    ("POST", "/api/v1/counters"): ADMIN,
    ("PATCH", "/api/v1/counters/{code:str}"): ADMIN,
    ("PUT", "/api/v1/counters/{code:str}/duty"): INTEGRATOR,
    ("GET", "/api/v1/officers"): INTEGRATOR,
    ("POST", "/api/v1/officers"): ADMIN,
    ("PATCH", "/api/v1/officers/{code:str}"): ADMIN,
    ("GET", "/api/v1/procedures"): INTEGRATOR,
    ("POST", "/api/v1/procedures"): ADMIN,
    ("PATCH", "/api/v1/procedures/{code:str}"): ADMIN,
    ("GET", "/api/v1/devices"): ADMIN,
    ("POST", "/api/v1/devices/pairing-codes"): ADMIN,
    ("POST", "/api/v1/devices/{code:str}/revoke"): ADMIN,
    ("GET", "/api/v1/alerts"): VIEWER,
    ("GET", "/api/v1/alerts/digest"): VIEWER,
    ("GET", "/api/v1/alerts/{alert_id:int}"): VIEWER,
    ("POST", "/api/v1/alerts/{alert_id:int}/acknowledge"): VIEWER,
    ("GET", "/api/v1/cases"): VIEWER,
    ("GET", "/api/v1/cases/timeliness"): VIEWER,
    ("GET", "/api/v1/cases/{case_id:int}"): VIEWER,
    ("POST", "/api/v1/cases/{case_id:int}/transition"): VIEWER,
    ("POST", "/api/v1/cases/{case_id:int}/assign"): VIEWER,
    ("GET", "/api/v1/dossiers/{code:str}/feedback"): VIEWER,
    ("GET", "/api/v1/roster"): ADMIN,
    ("POST", "/api/v1/roster/shifts"): ADMIN,
    ("DELETE", "/api/v1/roster/shifts/{shift_id:int}"): ADMIN,
    ("GET", "/api/v1/themes"): ADMIN,
    ("GET", "/api/v1/comments"): ADMIN,
    ("POST", "/api/v1/comments/{rating_id:int}/wrong-themes"): ADMIN,
    ("GET", "/login"): ANYONE,
    ("POST", "/login"): FORM,
    ("POST", "/logout"): FORM,
    ("GET", "/static/{name:str}"): ANYONE,
    ("GET", "/dashboard/audit"): ADMIN_PAGE,
    ("GET", "/dashboard/alerts"): ADMIN_PAGE,
    ("POST", "/dashboard/alerts/{alert_id:int}/acknowledge"): FORM,
    ("GET", "/dashboard/cases"): ADMIN_PAGE,
    ("GET", "/dashboard/cases/{case_id:int}"): ADMIN_PAGE,
    ("POST", "/dashboard/cases/{case_id:int}/transition"): FORM,
    ("POST", "/dashboard/cases/{case_id:int}/assign"): FORM,
    ("GET", "/dashboard/dossiers"): ADMIN_PAGE,
    ("GET", "/dashboard/export/{name:str}"): ADMIN_PAGE,
    ("GET", "/dashboard/report"): ADMIN_PAGE,
    ("GET", "/dashboard/report.xlsx"): ADMIN_PAGE,
    ("GET", "/dashboard/themes"): ADMIN_PAGE,
    ("POST", "/dashboard/themes/wrong"): FORM,
    ("GET", "/dashboard/kiosks"): ADMIN_PAGE,
    ("POST", "/dashboard/kiosks/pair"): FORM,
    ("POST", "/dashboard/kiosks/{device:str}/revoke"): FORM,
    ("POST", "/dashboard/roster/shifts"): FORM,
    ("POST", "/dashboard/roster/shifts/{shift_id:int}/remove"): FORM,
    ("GET", "/public/{unit:str}"): ANYONE,  # a centre's public results: no officer, nothing personal
    ("GET", "/dashboard"): ADMIN_PAGE,  # and signed-in users, scoped (tests/integration/test_dashboard_pages.py)
    ("GET", "/dashboard/trends"): ADMIN_PAGE,
    ("GET", "/dashboard/units"): ADMIN_PAGE,
    ("GET", "/dashboard/officers"): ADMIN_PAGE,
    ("GET", "/api/v1/audit"): ADMIN,
    ("GET", "/api/v1/overview"): ADMIN,  # and signed-in dashboard users, scoped (tests/integration/test_dashboard.py)
    ("GET", "/api/v1/trends"): ADMIN,
    ("GET", "/api/v1/drilldown"): ADMIN,
    ("GET", "/api/v1/officer-scores"): ADMIN,
    ("GET", "/api/v1/heatmap"): ADMIN,
}

ALLOWED = {
    ANYONE: {"anonymous", "admin", "integrator", "device"},
    ADMIN: {"admin"},
    INTEGRATOR: {"admin", "integrator"},
    DEVICE: {"device"},
    KIOSK_OR_INTEGRATOR: {"admin", "integrator", "device"},
    VIEWER: {"admin"},
    ADMIN_PAGE: {"admin"},
    FORM: set(),
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method not in ("OPTIONS", "HEAD"):
                    found.add((method, route.path))
    return found


async def test_every_route_is_in_the_table(h: Harness) -> None:
    routes = app_routes(h.client.app)
    missing = sorted(routes - ROUTES.keys())
    assert not missing, f"routes without an entry in ROUTES (say who may call them): {missing}"
    assert not sorted(ROUTES.keys() - routes), "entries for routes the app no longer has"


async def test_anonymous_and_wrong_roles_are_refused_and_the_right_ones_let_through(h: Harness) -> None:
    await seed_reference(h)
    code = (await h.post("/api/v1/devices/pairing-codes", {"counter": "LS-Q2"})).json()["code"]
    token = (await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})).json()["device_token"]
    callers = {
        "anonymous": {},
        "admin": h.admin,
        "integrator": h.integrator,
        "device": {"Authorization": f"Bearer {token}"},
    }
    for (method, template), who in sorted(ROUTES.items()):
        path = template.replace("{code:str}", "NOPE").replace("{name:str}", "app.js").replace("{token:str}", "X")
        path = path.replace("{shift_id:int}", "999999").replace("{rating_id:int}", "999999")
        path = path.replace("{path:str}", "nothing").replace("/static/app.js", "/static/dashboard.css")
        path = path.replace("{alert_id:int}", "1").replace("{case_id:int}", "1").replace("{unit:str}", "HB")
        path = path.replace("{device:str}", "NOPE")
        for caller, headers in callers.items():
            if method == "POST" and path.startswith("/api/") and path.endswith("/revoke"):
                path = "/api/v1/devices/NOPE/revoke"  # never revoke the test's own kiosk
            body = {} if method != "GET" else None
            r = await h.client.request(method, path, headers=headers, json=body, follow_redirects=False)
            where = f"{caller} {method} {path} ({who}): {r.status_code} {r.text[:200]}"
            if caller in ALLOWED[who]:
                assert r.status_code not in (401, 403), where
            elif who == FORM:
                assert r.status_code == 403 and "Biểu mẫu đã hết hạn" in r.text, where
            elif who == ADMIN_PAGE and caller == "anonymous":
                assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), where
            elif caller == "anonymous":
                assert r.status_code == 401, where
            else:
                assert r.status_code == 403, where
