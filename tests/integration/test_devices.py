"""Kiosk enrolment and fleet through HTTP: pairing codes, device tokens, config, heartbeat, revocation."""

from __future__ import annotations

import uuid

from api.devices import service
from api.devices.service import MAX_FAILURES_PER_CLIENT
from tests.harness import Harness, seed_reference

DOSSIER = "000.00.12.H36-261120-0001"


async def pair(h: Harness, counter: str = "LS-Q1") -> dict[str, str]:
    code = await h.post("/api/v1/devices/pairing-codes", {"counter": counter})
    assert code.status_code == 201, code.text
    r = await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code.json()["code"], "name": "tablet"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['device_token']}"}


async def test_pairing_gives_a_device_token_bound_to_the_counter(h: Harness) -> None:
    await seed_reference(h)
    code = await h.post("/api/v1/devices/pairing-codes", {"counter": "LS-Q1"})
    assert code.status_code == 201 and len(code.json()["code"]) == 8 and code.json()["code"].isdigit()
    r = await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code.json()["code"], "name": "Tab A"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["device_token"].startswith("hd_") and body["device"] == "LS-Q1-K1"
    config = body["config"]
    assert config["counter"] == {"code": "LS-Q1", "name": "Quầy 1"}
    assert (config["officer"], config["scale"], config["min_tap_interval_ms"]) == ("Nguyễn Thị Lan", 3, 1500)
    assert [lv["vi"] for lv in config["instrument"]["levels"]] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    stored = await h.rows("SELECT code, name, token_hash, revoked_at FROM devices")
    assert stored[0]["name"] == "Tab A" and len(stored[0]["token_hash"]) == 64
    assert body["device_token"] not in str(await h.rows("SELECT * FROM devices"))


async def test_a_pairing_code_works_once(h: Harness) -> None:
    await seed_reference(h)
    code = (await h.post("/api/v1/devices/pairing-codes", {"counter": "LS-Q1"})).json()["code"]
    assert (await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})).status_code == 201
    again = await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})
    assert again.status_code == 422 and again.json()["type"].endswith("/bad-pairing-code")
    assert await h.count("devices") == 1


async def test_an_expired_code_is_refused(h: Harness) -> None:
    await seed_reference(h)
    code = (await h.post("/api/v1/devices/pairing-codes", {"counter": "LS-Q1"})).json()["code"]

    async def expire(tx: object) -> None:
        await tx.execute("UPDATE pairing_codes SET expires_at = created_at + 1")  # type: ignore[attr-defined]

    await h.store.write(expire)
    r = await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})
    assert r.status_code == 422 and await h.count("devices") == 0


async def test_guessing_is_bounded(h: Harness) -> None:
    await seed_reference(h)
    code = (await h.post("/api/v1/devices/pairing-codes", {"counter": "LS-Q1"})).json()["code"]
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(MAX_FAILURES_PER_CLIENT):
        assert (await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": wrong})).status_code == 422
    blocked = await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})
    assert blocked.status_code == 429 and blocked.json()["type"].endswith("/too-many-attempts")
    assert await h.count("devices") == 0


async def test_pairing_needs_an_admin_and_a_known_counter(h: Harness) -> None:
    await seed_reference(h)
    assert (await h.post("/api/v1/devices/pairing-codes", {"counter": "LS-Q1"}, key="integrator")).status_code == 403
    assert (await h.client.post("/api/v1/devices/pairing-codes", json={"counter": "LS-Q1"})).status_code == 401
    missing = await h.post("/api/v1/devices/pairing-codes", {"counter": "NOPE"})
    assert missing.status_code == 404 and missing.json()["type"].endswith("/unknown-counter")
    bad = await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": "12ab"})
    assert bad.status_code == 422


async def test_cli_function_issues_a_code(h: Harness) -> None:
    await seed_reference(h)
    code = await service.issue_pairing_code(h.store, "LS-Q2")
    r = await h.client.post("/api/v1/kiosk/pair", json={"pairing_code": code})
    assert r.status_code == 201 and r.json()["config"]["officer"] is None


async def test_device_rating_takes_counter_and_officer_from_the_server(h: Harness) -> None:
    await seed_reference(h)
    device = await pair(h)
    body = {
        "idempotency_key": str(uuid.uuid4()),
        "level": 1,
        "reasons": ["waiting"],
        "comment": "lâu",
        "time_to_tap_ms": 2400,
        "client_time": "2026-11-20T08:00:00Z",
    }
    r = await h.client.post("/api/v1/ratings", json=body, headers=device)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["counter"], out["officer"], out["source"], out["device"]) == ("LS-Q1", "CB01", "kiosk", "LS-Q1-K1")
    other = {"idempotency_key": str(uuid.uuid4()), "level": 3, "counter": "LS-Q2"}
    assert (await h.client.post("/api/v1/ratings", json=other, headers=device)).status_code == 403
    scanned = {"idempotency_key": str(uuid.uuid4()), "level": 2, "counter": "LS-Q1", "dossier_code": DOSSIER}
    r = await h.client.post("/api/v1/ratings", json=scanned, headers=device)
    assert r.status_code == 201 and r.json()["officer"] == "CB02" and r.json()["dossier_code"] == DOSSIER


async def test_config_and_heartbeat(h: Harness) -> None:
    await seed_reference(h, scale=5)
    device = await pair(h)
    config = await h.client.get("/api/v1/kiosk/config", headers=device)
    assert config.status_code == 200 and config.json()["scale"] == 5
    assert len(config.json()["instrument"]["levels"]) == 5
    beat = await h.client.post("/api/v1/kiosk/heartbeat", json={"backlog": 7, "app_version": "abc"}, headers=device)
    assert beat.status_code == 200 and beat.json()["unit"]["code"] == "HB.LS"
    listed = (await h.client.get("/api/v1/devices", headers=h.admin)).json()
    assert [(d["code"], d["backlog"], d["app_version"], d["revoked_at"]) for d in listed] == [
        ("LS-Q1-K1", 7, "abc", None)
    ]
    assert listed[0]["last_seen_at"] is not None
    assert (await h.client.get("/api/v1/kiosk/config", headers=h.admin)).status_code == 403
    assert (await h.client.get("/api/v1/devices", headers=device)).status_code == 403
    assert (await h.client.get("/api/v1/devices?counter=LS-Q2", headers=h.admin)).json() == []
    assert len((await h.client.get("/api/v1/devices?unit=HB.LS", headers=h.admin)).json()) == 1


async def test_revoked_device_is_refused_at_once(h: Harness) -> None:
    await seed_reference(h)
    device = await pair(h)
    assert (await h.client.get("/api/v1/kiosk/config", headers=device)).status_code == 200
    r = await h.client.post("/api/v1/devices/LS-Q1-K1/revoke", headers=h.admin)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    for answer in (
        await h.client.get("/api/v1/kiosk/config", headers=device),
        await h.client.post("/api/v1/kiosk/heartbeat", json={"backlog": 0}, headers=device),
        await h.client.post("/api/v1/ratings", json={"idempotency_key": str(uuid.uuid4()), "level": 3}, headers=device),
    ):
        assert answer.status_code == 401 and answer.json()["type"].endswith("/device-revoked")
    assert await h.count("ratings") == 0
    assert (await h.client.post("/api/v1/devices/NOPE/revoke", headers=h.admin)).status_code == 404


async def test_kiosk_page_and_assets_are_served(h: Harness) -> None:
    page = await h.client.get("/kiosk")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    sw = await h.client.get("/kiosk/sw.js")
    assert sw.headers["service-worker-allowed"] == "/kiosk" and "__VERSION__" not in sw.text
    again = await h.client.get("/kiosk/app.js", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 200
    etag = again.headers["etag"]
    assert (await h.client.get("/kiosk/app.js", headers={"If-None-Match": etag})).status_code == 304
    assert (await h.client.get("/kiosk/index.html")).status_code == 404
    assert (await h.client.get("/kiosk/nope.js")).status_code == 404


async def test_the_kiosks_own_request_takes_the_batched_path(h: Harness, monkeypatch: object) -> None:
    """The body the kiosk page sends (its counter, reasons, comment, dossier) is stored by the batch,
    never by the one-at-a-time checked path."""
    from api.ratings import service as ratings

    await seed_reference(h)
    device = await pair(h)

    async def refuse(*args: object) -> None:
        raise AssertionError("the kiosk's request fell back to the one-at-a-time path")

    monkeypatch.setattr(ratings, "_submit_checked", refuse)  # type: ignore[attr-defined]
    bodies = [
        {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "reasons": ["waiting", "attitude"],
         "comment": "Chờ lâu", "client_time": "2026-11-20T08:00:00+07:00", "time_to_tap_ms": 2100},
        {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3, "reasons": [],
         "client_time": "2026-11-20T08:01:00+07:00", "time_to_tap_ms": 1800, "dossier_code": DOSSIER},
    ]  # fmt: skip
    for body in bodies:
        r = await h.client.post("/api/v1/ratings", json=body, headers=device)
        assert r.status_code == 201, r.text
    stored = await h.rows("SELECT level, source, comment FROM ratings ORDER BY id")
    assert [(r["level"], r["source"], r["comment"]) for r in stored] == [(1, "kiosk", "Chờ lâu"), (3, "kiosk", None)]
    assert await h.count("rating_reasons") == 2


async def test_a_kiosk_naming_another_counter_gets_403_and_nothing_is_stored(h: Harness) -> None:
    await seed_reference(h)
    device = await pair(h)
    body = {"idempotency_key": str(uuid.uuid4()), "level": 3, "counter": "LS-Q2", "reasons": []}
    r = await h.client.post("/api/v1/ratings", json=body, headers=device)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert "LS-Q1" in r.json()["detail"]
    assert await h.count("ratings") == 0


async def test_a_dossier_of_another_unit_cannot_be_rated_at_this_counter(h: Harness) -> None:
    await seed_reference(h)
    device = await pair(h)
    assert await h.post("/api/v1/units", {"code": "HB.KS", "name": "Kim Sơn", "kind": "district", "parent": "HB"})
    assert await h.post("/api/v1/units", {"code": "HB.LS.X", "name": "Xã", "kind": "commune", "parent": "HB.LS"})
    for code, unit in (("OTHER-UNIT-1", "HB.KS"), ("CHILD-UNIT-1", "HB.LS.X")):
        dossier = {"code": code, "unit": unit, "procedure": "1.001193", "channel": "direct",
                   "received_at": "2026-11-20T08:00:00+07:00", "due_at": "2026-11-21T08:00:00+07:00"}  # fmt: skip
        assert (await h.post("/api/v1/dossiers", dossier, key="integrator")).status_code == 201
    foreign = {"idempotency_key": str(uuid.uuid4()), "level": 1, "counter": "LS-Q1", "dossier_code": "OTHER-UNIT-1"}
    r = await h.client.post("/api/v1/ratings", json=foreign, headers=device)
    assert r.status_code == 422 and r.json()["type"].endswith("/dossier-of-another-unit")
    assert await h.count("ratings") == 0
    below = {"idempotency_key": str(uuid.uuid4()), "level": 3, "counter": "LS-Q1", "dossier_code": "CHILD-UNIT-1"}
    assert (await h.client.post("/api/v1/ratings", json=below, headers=device)).status_code == 201
