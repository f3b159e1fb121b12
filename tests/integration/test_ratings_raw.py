"""The rating POST's raw handler (api/ratings/handlers.py ``submit_raw``, dispatched by the boundary) answers
exactly as the Litestar route does, and the kiosk's own request is answered by it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from api.ratings import handlers
from api.security import RAW
from tests.harness import Harness, seed_reference
from tests.integration.test_devices import pair

JSON = {"content-type": "application/json"}


def route_opt(h: Harness) -> dict[str, Any]:
    """The ``opt`` of the app's own rating POST handler (the app holds a copy of the controller's)."""
    (route,) = [r for r in h.client.app.routes if r.path == "/api/v1/ratings"]
    opt: dict[str, Any] = route.route_handler_map["POST"][0].opt  # type: ignore[attr-defined]
    return opt


def kiosk_body(**extra: Any) -> dict[str, Any]:
    return {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "reasons": ["waiting"],
            "comment": "Chờ lâu quá", "client_time": "2026-11-20T08:00:00+07:00", "time_to_tap_ms": 2100,
            **extra}  # fmt: skip


def counted(h: Harness, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, for each request the raw handler is offered, whether it took it (an error it raises counts:
    the app's exception handlers answer it)."""
    said: list[bool] = []
    raw = route_opt(h)[RAW]

    async def spy(scope: Any, body: bytes, send: Any) -> bool:
        try:
            took: bool = await raw(scope, body, send)
        except Exception:
            said.append(True)
            raise
        said.append(took)
        return took

    monkeypatch.setitem(route_opt(h), RAW, spy)
    return said


async def test_the_kiosks_request_is_answered_by_the_raw_handler(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await seed_reference(h)
    device = await pair(h)
    said = counted(h, monkeypatch)
    r = await h.client.post("/api/v1/ratings", json=kiosk_body(), headers=device)
    assert r.status_code == 201, r.text
    assert said == [True]
    (row,) = await h.rows("SELECT level, source, comment FROM ratings")
    assert (row["level"], row["source"], row["comment"]) == (1, "kiosk", "Chờ lâu quá")
    bad = await h.client.post("/api/v1/ratings", content=b'{"level": "x"}', headers={**device, **JSON})
    assert bad.status_code == 422 and said == [True, False]  # left to the route, which says what is wrong


def comparable(r: Any) -> tuple[int, dict[str, str], Any]:
    headers = {k: v for k, v in r.headers.items() if k not in ("date", "content-length")}
    try:
        body = r.json()
    except ValueError:
        return r.status_code, headers, r.text
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("id", "idempotency_key", "created_at")}
    return r.status_code, headers, body


async def test_raw_and_route_give_the_same_answers(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request twice, once per path, on fresh keys: status, headers and body are the same."""
    await seed_reference(h)
    device = await pair(h)
    cases: list[tuple[str, Any]] = [
        ("new", lambda: kiosk_body()),
        ("no counter", lambda: {k: v for k, v in kiosk_body().items() if k != "counter"}),
        ("foreign counter", lambda: kiosk_body(counter="LS-Q2")),
        ("unknown reason", lambda: kiosk_body(reasons=["nope"])),
        ("level above scale", lambda: kiosk_body(level=5)),
        ("naive client time", lambda: kiosk_body(client_time="2026-11-20T08:00:00")),
        ("unknown field", lambda: kiosk_body(extra=1)),
        ("level as text", lambda: kiosk_body(level="1")),
        ("malformed", lambda: b'{"level": 1'),
    ]
    answers: dict[str, list[Any]] = {name: [] for name, _ in cases}
    said = counted(h, monkeypatch)
    for use_raw in (True, False):
        if not use_raw:
            monkeypatch.setitem(route_opt(h), RAW, None)
        for name, make in cases:
            body = make()
            content = body if isinstance(body, bytes) else handlers.msgspec.json.encode(body)
            r = await h.client.post("/api/v1/ratings", content=content, headers={**device, **JSON})
            assert r.status_code < 500, (name, r.text)
            answers[name].append(comparable(r))
    assert said == [True, True, True, True, True, True, False, False, False]  # the raw handler answered
    for name, (raw, route) in answers.items():
        assert raw == route, name
    assert answers["new"][0][0] == 201 and answers["foreign counter"][0][0] == 403
    # a replay of a stored key: 200 and the stored rating, both ways
    body = kiosk_body()
    first = await h.client.post("/api/v1/ratings", json=body, headers=device)
    monkeypatch.setitem(route_opt(h), RAW, handlers.submit_raw)
    again = await h.client.post("/api/v1/ratings", json=body, headers=device)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()


async def test_another_method_is_not_taken_for_a_post(h: Harness) -> None:
    await seed_reference(h)
    device = await pair(h)
    for method in ("PUT", "PATCH", "DELETE"):
        r = await h.client.request(method, "/api/v1/ratings", json=kiosk_body(), headers=device)
        assert r.status_code == 405, (method, r.text)
    assert await h.count("ratings") == 0
