"""Issue 10, item 1: credentials cannot exhaust memory; oversized ones are refused early, never cached."""

from __future__ import annotations

import secrets

import pytest

from api.auth import CACHE_ENTRIES, Authenticator
from tests.harness import Harness


def _cache(h: Harness) -> Authenticator:
    auth: Authenticator = h.client.app.state.auth
    return auth


async def test_unknown_tokens_are_cached_by_digest_and_bounded(h: Harness) -> None:
    auth = _cache(h)
    auth.forget()
    for _ in range(40):
        token = "hl_" + secrets.token_urlsafe(90)  # 123 characters: long, but of our alphabet
        r = await h.client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
    keys = list(auth._cache)
    assert len(keys) == 40
    assert all(isinstance(k, bytes) and len(k) == 32 for k in keys)  # digests, not the tokens' text


async def test_cache_never_holds_more_than_its_bound(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CACHE_ENTRIES <= 10_000
    monkeypatch.setattr("api.auth.CACHE_ENTRIES", 100)
    auth = _cache(h)
    for n in range(150):
        r = await h.client.get("/api/v1/units", headers={"Authorization": f"Bearer hl_{n:032d}"})
        assert r.status_code == 401
    assert len(auth._cache) == 100
    r = await h.client.get("/api/v1/units", headers=h.admin)  # a real key still works once the cache is full
    assert r.status_code == 200


async def test_oversized_credentials_and_headers_are_refused_without_caching(h: Harness) -> None:
    auth = _cache(h)
    auth.forget()
    huge = "hl_" + "a" * 1_000_000
    r = await h.client.get("/api/v1/units", headers={"Authorization": f"Bearer {huge}"})
    assert r.status_code == 431, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await h.client.get("/api/v1/units", headers={"Authorization": "Bearer hl_" + "a" * 500})
    assert r.status_code == 401
    r = await h.client.get("/api/v1/units", headers={"Authorization": "Bearer hl_ä not a key".encode("latin-1")})
    assert r.status_code == 401
    many = {f"x-filler-{n}": "y" * 3000 for n in range(8)}  # each header fine, all together too large
    r = await h.client.get("/healthz", headers=many)
    assert r.status_code == 431
    assert len(auth._cache) == 0
