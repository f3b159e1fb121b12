"""Issue 10, item 1: credentials cannot exhaust memory; oversized ones are refused early, never cached."""

from __future__ import annotations

import secrets

import pytest

from api.auth import CACHE_ENTRIES, Authenticator
from api.ratelimits import AddressLimits
from tests.harness import Harness


def _cache(h: Harness) -> Authenticator:
    auth: Authenticator = h.client.app.state.auth
    return auth


def _unlimited(h: Harness) -> None:
    """These tests send hundreds of wrong keys from one address, which the address limit would stop."""
    h.client.app.state.address_limits = AddressLimits(failed_credentials=10**6)


async def test_unknown_tokens_are_cached_by_digest_and_bounded(h: Harness) -> None:
    _unlimited(h)
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
    _unlimited(h)
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


async def test_an_address_sending_wrong_keys_is_slowed_but_valid_keys_still_work(h: Harness) -> None:
    assert (await h.client.get("/api/v1/units", headers=h.admin)).status_code == 200  # a key in use
    answers = [
        (await h.client.get("/api/v1/units", headers={"Authorization": f"Bearer hl_{n:032d}"})).status_code
        for n in range(110)
    ]
    assert answers[:100] == [401] * 100 and set(answers[100:]) == {429}
    refused = await h.client.get("/api/v1/units", headers={"Authorization": "Bearer hl_" + "9" * 32})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert (await h.client.get("/api/v1/units", headers=h.admin)).status_code == 200  # keeps working
