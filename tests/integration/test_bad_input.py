"""Bad input gets a 4xx problem-details answer, never a 500, and nothing stored is harmed."""

from __future__ import annotations

import uuid

import pytest

from tests.harness import Harness, seed_reference

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: object, status: int, kind: str) -> dict[str, object]:
    r = response
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status and str(body["type"]).endswith("/" + kind)
    return body


async def test_problem_shape_is_pinned(h: Harness) -> None:
    body = assert_problem(await h.client.get("/api/v1/nowhere"), 404, "not-found")
    assert body["instance"] == "/api/v1/nowhere"
    assert str(body["type"]).startswith("https://hailong.dev/problems/")
    assert set(body) <= PROBLEM_KEYS | {"errors"}


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        ({"idempotency_key": "not-a-uuid", "counter": "LS-Q1", "level": 3}, 422, "invalid"),
        ({"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": "three"}, 422, "invalid"),
        ({"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 9}, 422, "invalid"),
        ({"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1"}, 422, "invalid"),
        ({"counter": "LS-Q1", "level": 2}, 422, "invalid"),
        ({"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "comment": "x" * 501}, 422, "invalid"),
        ({"idempotency_key": str(uuid.uuid4()), "counter": "NOPE", "level": 1}, 422, "unknown-counter"),
        (
            {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "dossier_code": "X-1"},
            422,
            "unknown-dossier",
        ),
        (
            {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "reasons": ["bribe"]},
            422,
            "unknown-reason",
        ),
        ({"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "extra": 1}, 422, "invalid"),
        (
            {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "client_time": "yesterday"},
            422,
            "invalid",
        ),
        ([1, 2, 3], 422, "invalid"),
    ],
)
async def test_bad_rating_bodies(h: Harness, body: object, status: int, kind: str) -> None:
    await seed_reference(h)
    ok = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3}
    assert (await h.post("/api/v1/ratings", ok)).status_code == 201
    assert_problem(await h.post("/api/v1/ratings", body), status, kind)
    assert await h.count("ratings") == 1


async def test_malformed_json(h: Harness) -> None:
    await seed_reference(h)
    headers = h.admin | {"content-type": "application/json"}
    for raw in (b"{bad", b'{"level": 3', b"\xff\xfe", b'{"level": 3} x'):
        assert_problem(await h.client.post("/api/v1/ratings", content=raw, headers=headers), 400, "malformed-json")
    empty = await h.client.post("/api/v1/ratings", content=b"", headers=headers)
    assert empty.status_code in (400, 422) and empty.headers["content-type"].startswith("application/problem+json")
    assert await h.count("ratings") == 0


async def test_oversized_body_is_413(h: Harness) -> None:
    await seed_reference(h)
    huge = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "comment": "x" * 200_000}
    assert_problem(await h.post("/api/v1/ratings", huge), 413, "too-large")


@pytest.mark.parametrize(
    ("path", "body", "status", "kind"),
    [
        ("/api/v1/units", {"code": "bad code!", "name": "x", "kind": "province"}, 422, "invalid"),
        ("/api/v1/units", {"code": "X", "name": "x", "kind": "planet"}, 422, "invalid"),
        ("/api/v1/units", {"code": "X", "name": "x", "kind": "commune", "parent": "NOPE"}, 404, "not-found"),
        ("/api/v1/units", {"code": "X", "name": "x", "kind": "commune", "timezone": "Mars/Base"}, 422, "invalid"),
        ("/api/v1/counters", {"code": "Q9", "unit": "NOPE", "name": "x"}, 404, "not-found"),
        ("/api/v1/officers", {"code": "CB01", "unit": "HB.LS", "full_name": "dup"}, 409, "duplicate-code"),
        ("/api/v1/procedures", {"code": "P", "name": "x", "field": "y", "legal_days": -1}, 422, "invalid"),
        (
            "/api/v1/dossiers",
            {
                "code": "D9",
                "unit": "HB.LS",
                "procedure": "NOPE",
                "channel": "direct",
                "received_at": "2026-11-20T08:00:00+07:00",
                "due_at": "2026-11-21T08:00:00+07:00",
            },
            404,
            "unknown-procedure",
        ),
        (
            "/api/v1/dossiers",
            {
                "code": "D9",
                "unit": "HB.LS",
                "procedure": "1.001193",
                "channel": "fax",
                "received_at": "2026-11-20T08:00:00+07:00",
                "due_at": "2026-11-21T08:00:00+07:00",
            },
            422,
            "invalid",
        ),
        (
            "/api/v1/dossiers",
            {
                "code": "D9",
                "unit": "HB.LS",
                "procedure": "1.001193",
                "channel": "direct",
                "received_at": "2026-11-20T08:00:00",
                "due_at": "2026-11-21T08:00:00+07:00",
            },
            422,
            "invalid",
        ),
        (
            "/api/v1/dossiers",
            {
                "code": "D9",
                "unit": "HB.LS",
                "procedure": "1.001193",
                "channel": "direct",
                "received_at": "2026-11-22T08:00:00+07:00",
                "due_at": "2026-11-21T08:00:00+07:00",
            },
            422,
            "invalid",
        ),
    ],
)
async def test_bad_reference_and_dossier_bodies(h: Harness, path: str, body: object, status: int, kind: str) -> None:
    await seed_reference(h)
    before = {t: await h.count(t) for t in ("units", "counters", "officers", "procedures", "dossiers")}
    assert_problem(await h.post(path, body), status, kind)
    assert before == {t: await h.count(t) for t in before}


async def test_integrator_cannot_change_reference_data(h: Harness) -> None:
    await seed_reference(h)
    r = await h.post("/api/v1/units", {"code": "X", "name": "x", "kind": "commune"}, key="integrator")
    assert_problem(r, 403, "forbidden")


async def test_unit_cannot_become_its_own_ancestor(h: Harness) -> None:
    await seed_reference(h)
    r = await h.client.patch("/api/v1/units/HB", json={"parent": "HB.LS"}, headers=h.admin)
    assert_problem(r, 422, "invalid")
    rows = await h.rows("SELECT parent_id FROM units WHERE code = 'HB'")
    assert rows == [{"parent_id": None}]
