"""Issue 10, items 6 and 7: NUL characters are refused at the boundary (422) on both stores, wherever they come;
deeply nested JSON gets a 4xx; credentials are checked before a body is decoded."""

from __future__ import annotations

import uuid

import pytest

from tests.harness import Harness, seed_reference
from tests.integration.test_bad_input import assert_problem
from tests.integration.test_surveys import full_form

RATING = {"counter": "LS-Q1", "level": 3}


async def test_nul_in_a_path_or_a_query_is_refused(h: Harness) -> None:
    await seed_reference(h)
    assert_problem(await h.client.get("/api/v1/dossiers/%00", headers=h.integrator), 422, "nul-character")
    assert_problem(await h.client.get("/api/v1/dossiers/a%00b", headers=h.integrator), 422, "nul-character")
    r = await h.client.get("/api/v1/ratings?counter=LS%00Q1", headers=h.integrator)
    assert_problem(r, 422, "nul-character")
    r = await h.client.get("/api/v1/devices", params={"unit": "HB\x00"}, headers=h.admin)
    assert_problem(r, 422, "nul-character")


@pytest.mark.parametrize(
    ("path", "body", "table"),
    [
        ("/api/v1/ratings", RATING | {"comment": "a\u0000b"}, "ratings"),
        ("/api/v1/officers", {"code": "CB9", "unit": "HB.LS", "full_name": "Lê\u0000Văn"}, "officers"),
        ("/api/v1/units", {"code": "X", "name": "\u0000", "kind": "commune", "parent": "HB"}, "units"),
    ],
)
async def test_nul_in_a_json_body_is_refused_and_nothing_stored(h: Harness, path: str, body: dict, table: str) -> None:
    await seed_reference(h)
    before = await h.count(table)
    if path == "/api/v1/ratings":
        body = body | {"idempotency_key": str(uuid.uuid4())}
    assert_problem(await h.post(path, body), 422, "nul-character")
    assert await h.count(table) == before


async def test_an_escaped_backslash_before_u0000_is_plain_text(h: Harness) -> None:
    await seed_reference(h)
    body = {"code": "CB9", "unit": "HB.LS", "full_name": "x", "title": "C:\\u0000 at 100%00"}  # backslash, "u0000"
    r = await h.post("/api/v1/officers", body)
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "C:\\u0000 at 100%00"  # and "%00" is only a NUL in a URL-encoded form


async def test_nul_in_a_survey_form_is_refused_with_the_form(h: Harness) -> None:
    await seed_reference(h)
    url = (await h.client.get("/api/v1/dossiers/000.00.12.H36-261120-0001", headers=h.integrator)).json()["survey_url"]
    path = "/s/" + url.rsplit("/s/", 1)[1]
    r = await h.client.post(path, data=full_form() | {"comment": "bad\x00text"})  # a complete form but for the NUL
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert await h.count("responses") == 0
    assert (await h.client.post(path, data=full_form())).status_code == 200  # the same form without it is taken


DEEP = b"[" * 1000 + b"]" * 1000


@pytest.mark.parametrize("path", ["/api/v1/ratings", "/api/v1/kiosk/pair", "/api/v1/units", "/api/v1/kiosk/heartbeat"])
async def test_deeply_nested_json_is_a_4xx(h: Harness, path: str) -> None:
    headers = h.admin | {"content-type": "application/json"}
    r = await h.client.post(path, content=DEEP, headers=headers)
    assert_problem(r, 400, "too-deeply-nested")
    nested_in_a_string = b'{"pairing_code": "' + b"[" * 100 + b'"}'
    r = await h.client.post("/api/v1/kiosk/pair", content=nested_in_a_string, headers=headers)
    assert r.status_code == 422  # brackets inside a string are text, not nesting


@pytest.mark.parametrize("path", ["/api/v1/ratings", "/api/v1/kiosk/heartbeat", "/api/v1/units", "/api/v1/dossiers"])
async def test_credentials_are_checked_before_the_body(h: Harness, path: str) -> None:
    for body in (DEEP, b"{bad json", b'{"level": "x"}'):
        r = await h.client.post(path, content=body, headers={"content-type": "application/json"})
        assert_problem(r, 401, "unauthorized")
        bad_key = {"content-type": "application/json", "Authorization": "Bearer hl_nothing"}
        assert_problem(await h.client.post(path, content=body, headers=bad_key), 401, "unauthorized")


async def test_an_unknown_query_parameter_is_refused(h: Harness) -> None:
    r = await h.client.get("/api/v1/units?parnet=HB", headers=h.admin)
    body = assert_problem(r, 422, "unknown-parameter")
    assert "parnet" in str(body["detail"]) and "parent" in str(body["detail"])
    assert (await h.client.get("/api/v1/units?parent=HB", headers=h.admin)).status_code in (200, 404)


async def test_percent_zero_zero_in_a_json_comment_is_text_not_a_nul(h: Harness) -> None:
    await seed_reference(h)
    body = {"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 1, "comment": "giảm 100%00 phí?"}
    r = await h.client.post("/api/v1/ratings", json=body, headers=h.integrator)
    assert r.status_code == 201, r.text
    assert r.json()["comment"] == "giảm 100%00 phí?"


async def test_a_repeated_or_empty_query_parameter_is_refused(h: Harness) -> None:
    assert_problem(await h.client.get("/api/v1/units?parent=A&parent=B", headers=h.admin), 422, "repeated-parameter")
    assert_problem(await h.client.get("/api/v1/units?parent=", headers=h.admin), 422, "invalid")
