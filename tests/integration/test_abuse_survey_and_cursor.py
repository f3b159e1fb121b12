"""Issue 10, item 9: a forged cursor beyond 2**63-1 is a 4xx on both stores; bad survey forms get readable pages
in the user's language, never a 500 or problem JSON."""

from __future__ import annotations

import base64

import pytest

from tests.harness import Harness, seed_reference
from tests.integration.test_bad_input import assert_problem


@pytest.mark.parametrize("number", [2**63, 2**64 + 5, 10**30])
async def test_a_cursor_beyond_64_bits_is_a_4xx(h: Harness, number: int) -> None:
    cursor = base64.urlsafe_b64encode(f"r{number}".encode()).decode().rstrip("=")
    r = await h.client.get("/api/v1/ratings", params={"cursor": cursor}, headers=h.integrator)
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_the_reported_cursor(h: Harness) -> None:
    r = await h.client.get("/api/v1/ratings?cursor=cjkyMjMzNzIwMzY4NTQ3NzU4MDg", headers=h.integrator)
    assert_problem(r, 422, "bad-cursor")  # not a cursor this API gave out (it names an id beyond 2⁶³−1)


async def _survey_path(h: Harness) -> str:
    await seed_reference(h)
    url = (await h.client.get("/api/v1/dossiers/000.00.12.H36-261120-0001", headers=h.integrator)).json()["survey_url"]
    return "/s/" + url.rsplit("/s/", 1)[1]


FORM = {"content-type": "application/x-www-form-urlencoded"}


async def test_a_unicode_digit_answer_is_a_readable_422(h: Harness) -> None:
    path = await _survey_path(h)
    r = await h.client.post(path, content=b"lang=en&I.1=%C2%B3", headers=FORM)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "busy" not in r.text
    assert await h.count("responses") == 0


@pytest.mark.parametrize(
    ("lang", "kwargs", "status", "words"),
    [
        ("en", {"data": {"lang": "en", "comment": "x" * 100_000}}, 413, "too long"),
        ("vi", {"data": {"lang": "vi", "comment": "x" * 100_000}}, 413, "quá dài"),
        (
            "en",
            {"content": b"--zz\r\ngarbage", "headers": {"content-type": "multipart/form-data; boundary=zz"}},
            400,
            "could not be read",
        ),
        ("vi", {"content": b"xx", "headers": {"content-type": "multipart/form-data"}}, 400, "không đọc được"),
    ],
)
async def test_oversized_or_malformed_forms_get_a_page_in_the_users_language(
    h: Harness, lang: str, kwargs: dict, status: int, words: str
) -> None:
    path = await _survey_path(h)
    r = await h.client.post(f"{path}?lang={lang}", **kwargs)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-language"] == lang
    assert words in r.text
    assert await h.count("responses") == 0
