"""Issue 10, item 3: instants outside 1970–2200 (after the offset) are refused at the boundary, nothing stored."""

from __future__ import annotations

import pytest

from api.errors import internal_error_handler
from tests.harness import Harness, seed_reference
from tests.integration.test_bad_input import assert_problem

DOSSIER = {
    "code": "D-RANGE",
    "unit": "HB.LS",
    "procedure": "1.001193",
    "channel": "direct",
    "received_at": "2026-11-20T08:00:00+07:00",
    "due_at": "2026-11-21T08:00:00+07:00",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("received_at", "0001-01-01T00:00:00+14:00"),
        ("received_at", "1969-12-31T23:59:59+00:00"),
        ("received_at", "1970-01-01T06:59:59+07:00"),  # 1969 in UTC
        ("due_at", "9999-12-31T23:59:59-14:00"),
        ("due_at", "2199-12-31T23:00:00-14:00"),  # 2200 in UTC
    ],
)
async def test_dossier_with_an_absurd_instant_is_refused(h: Harness, field: str, value: str) -> None:
    await seed_reference(h)
    before = await h.count("dossiers")
    r = await h.post("/api/v1/dossiers", DOSSIER | {field: value}, key="integrator")
    assert_problem(r, 422, "out-of-range")
    assert field in r.json()["detail"]
    assert await h.count("dossiers") == before


async def test_dossier_patch_with_an_absurd_instant_is_refused_and_stays_readable(h: Harness) -> None:
    await seed_reference(h)
    assert (await h.post("/api/v1/dossiers", DOSSIER, key="integrator")).status_code == 201
    path = "/api/v1/dossiers/D-RANGE"
    for body in ({"returned_at": "9999-12-31T23:59:59-14:00"}, {"due_at": "0001-01-01T00:00:00+14:00"}):
        assert_problem(await h.client.patch(path, json=body, headers=h.integrator), 422, "out-of-range")
    r = await h.client.get(path, headers=h.integrator)
    assert r.status_code == 200 and r.json()["returned_at"] is None
    edge = {"returned_at": "2199-12-31T23:59:59+00:00"}
    r = await h.client.patch(path, json=edge, headers=h.integrator)
    assert r.status_code == 200 and r.json()["returned_at"].startswith("2199-12-31T23:59:59")
    assert (await h.client.get(path, headers=h.integrator)).status_code == 200


async def test_ratings_time_filters_are_range_checked(h: Harness) -> None:
    r = await h.client.get("/api/v1/ratings", params={"from": "0001-01-01T00:00:00+14:00"}, headers=h.integrator)
    assert_problem(r, 422, "out-of-range")


def test_a_500_never_claims_nothing_was_stored() -> None:
    class FakeRequest:
        method, logger = "POST", __import__("logging").getLogger("test")
        url = type("U", (), {"path": "/api/v1/dossiers"})()

    response = internal_error_handler(FakeRequest(), RuntimeError("boom"))  # type: ignore[arg-type]
    text = bytes(response.content).decode().lower()
    assert response.status_code == 500
    assert "nothing was stored" not in text and "not stored" not in text
    assert "cannot say whether" in text


async def test_a_rating_with_an_absurd_client_time_is_refused(h: Harness) -> None:
    await seed_reference(h)
    body = {"idempotency_key": "6c0f7d1e-4c52-4f0e-9a57-0d8f1f0b7a11", "counter": "LS-Q1", "level": 2}
    r = await h.post("/api/v1/ratings", body | {"client_time": "0001-01-01T00:00:00+14:00"}, key="integrator")
    assert_problem(r, 422, "out-of-range")
    assert await h.count("ratings") == 0
