"""Issue 10, item 13: every text field has a length cap; slow clients cannot hold a connection open."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
import uvicorn

from api.app import create_app
from api.limits import DeadlineProtocol
from api.settings import load_settings
from tests.harness import Harness, seed_reference
from tests.integration.test_bad_input import assert_problem
from tests.live import free_port


def _strings(info: msgspec.inspect.Type, where: str, seen: set[int]) -> Iterator[tuple[str, Any]]:
    """Every string type reachable in a request body type, with where it is."""
    if id(info) in seen:
        return
    seen.add(id(info))
    if isinstance(info, msgspec.inspect.StrType):
        yield where, info
    elif isinstance(info, msgspec.inspect.StructType):
        for field in info.fields:
            yield from _strings(field.type, f"{where}.{field.name}", seen)
    elif isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            yield from _strings(member, where, seen)
    elif isinstance(info, msgspec.inspect.ListType | msgspec.inspect.SetType | msgspec.inspect.FrozenSetType):
        yield from _strings(info.item_type, f"{where}[]", seen)
    elif isinstance(info, msgspec.inspect.DictType):
        yield from _strings(info.key_type, f"{where}{{key}}", seen)
        yield from _strings(info.value_type, f"{where}{{}}", seen)


def test_every_text_field_of_every_request_body_has_a_length_cap(tmp_path: Any) -> None:
    app = create_app(load_settings({"db_url": f"sqlite:///{tmp_path / 'x.db'}"}, environ={}))
    bodies = 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None:
                continue
            bodies += 1
            info = msgspec.inspect.type_info(data.annotation)
            for where, string in _strings(info, handler.handler_name, set()):
                assert string.max_length is not None, f"{where} has no max_length"
                assert string.max_length <= 1000, where
    assert bodies >= 10  # the walk found the bodies


async def test_an_officer_title_of_60000_characters_is_refused(h: Harness) -> None:
    await seed_reference(h)
    r = await h.post("/api/v1/officers", {"code": "CB9", "unit": "HB.LS", "full_name": "x", "title": "t" * 60_000})
    assert r.status_code in (413, 422)
    body = {"code": "CB9", "unit": "HB.LS", "full_name": "x", "title": "t" * 201}
    assert_problem(await h.post("/api/v1/officers", body), 422, "invalid")
    assert_problem(
        await h.client.patch("/api/v1/units/HB", json={"timezone": "x" * 65}, headers=h.admin), 422, "invalid"
    )
    assert_problem(await h.client.get("/api/v1/units?parent=" + "x" * 3000, headers=h.admin), 414, "uri-too-long")


class QuickDeadlines(DeadlineProtocol):
    header_seconds = 0.6
    body_seconds = 0.6


@pytest.fixture
def server(tmp_path: Any) -> Iterator[int]:
    port = free_port()
    app = create_app(load_settings({"db_url": f"sqlite:///{tmp_path / 'slow.db'}"}, environ={}))
    config = uvicorn.Config(app, port=port, log_level="warning", http=QuickDeadlines, lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield port
    srv.should_exit = True
    thread.join(10)


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def test_slow_headers_and_slow_bodies_are_cut_off(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as fast:
        fast.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        fast.settimeout(5)
        assert fast.recv(100).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server)) as idle:  # connects, never sends
        assert _closed_within(idle, 5)
    with socket.create_connection(("127.0.0.1", server)) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\n")
        for _ in range(3):
            time.sleep(0.3)
            try:
                slow.sendall(b"X: y\r\n")
            except OSError:
                break
        assert _closed_within(slow, 5)
    with socket.create_connection(("127.0.0.1", server)) as trickle:
        trickle.sendall(b"POST /api/v1/kiosk/pair HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        assert _closed_within(trickle, 5)
    assert time.monotonic() - started < 8


def test_hailong_serve_runs_uvicorn_with_the_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from api import serve

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    serve.serve(load_settings({"db_url": f"sqlite:///{tmp_path / 's.db'}"}, environ={}))
    assert seen["http"] is DeadlineProtocol
    assert seen["timeout_keep_alive"] <= 10 and seen["limit_concurrency"] >= 100
