"""Issue 10, item 12: no third-party code on our origin; nosniff everywhere; no-store on API answers; one charset."""

from __future__ import annotations

import json

from tests.harness import Harness, seed_reference

VIEWERS = ["/schema/swagger", "/schema/redoc", "/schema/elements", "/schema/rapidoc", "/schema/scalar"]


async def test_schema_is_json_under_a_csp_and_no_viewer_loads_a_cdn(h: Harness) -> None:
    for path in ("/schema", "/schema/openapi.json"):
        r = await h.client.get(path)
        assert r.status_code == 200
        assert "json" in r.headers["content-type"]
        assert json.loads(r.text)["openapi"].startswith("3.")
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp
    for path in VIEWERS:
        r = await h.client.get(path)
        assert r.status_code == 404, path
        assert "<script" not in r.text and "cdn" not in r.text.lower()


async def test_every_response_says_nosniff_and_api_answers_are_not_stored(h: Harness) -> None:
    await seed_reference(h)
    for path, headers in [
        ("/healthz", {}),
        ("/kiosk", {}),
        ("/kiosk/app.js", {}),
        ("/api/v1/nowhere", {}),
        ("/api/v1/units", {}),
        ("/api/v1/units", h.admin),
        ("/api/v1/ratings", h.integrator),
        ("/api/v1/dossiers/000.00.12.H36-261120-0001", h.integrator),
        ("/api/v1/dossiers/000.00.12.H36-261120-0001/qr.svg", h.integrator),
        ("/schema/openapi.json", {}),
    ]:
        r = await h.client.get(path, headers=headers)
        assert r.headers.get("x-content-type-options") == "nosniff", path
        if path.startswith("/api/"):
            assert r.headers.get("cache-control") == "no-store", (path, r.headers.get("cache-control"))
    r = await h.client.post("/api/v1/devices/pairing-codes", json={"counter": "LS-Q1"}, headers=h.admin)
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"


async def test_kiosk_assets_send_one_charset(h: Harness) -> None:
    for name in ("", "/app.js", "/app.css", "/sw.js", "/queue.js"):
        r = await h.client.get("/kiosk" + name)
        assert r.status_code == 200
        values = r.headers.get_list("content-type")
        assert len(values) == 1 and values[0].count("charset=") == 1, values


async def test_a_405_says_which_methods_the_path_takes(h: Harness) -> None:
    r = await h.client.delete("/api/v1/units", headers=h.admin)
    assert r.status_code == 405 and r.headers["content-type"].startswith("application/problem+json")
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}
