"""The PostgreSQL server for tests: find it (or skip, or fail in CI) and give each test a schema.

``HAILONG_TEST_PG`` overrides the server URL (default: the CI machine's trust-auth ``test`` database).
Without a reachable server the PostgreSQL tests are skipped with the reason, except when ``CI=true``,
where they fail: CI must never go green by skipping the PostgreSQL half of the suite.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import cache
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
T = TypeVar("T")


def base_pg_url() -> str:
    return os.environ.get("HAILONG_TEST_PG", DEFAULT_PG_URL)


def run_in_thread(coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
    """Run ``coro`` to completion on a fresh loop in another thread (safe inside a running loop)."""
    outcome: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, asyncio.run(coro)))
        except BaseException as exc:
            outcome.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise TimeoutError(f"no answer within {timeout:g} s")
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


@cache
def _unreachable_reason(url: str) -> str | None:
    async def probe() -> None:
        conn = await asyncpg.connect(url, timeout=3)
        await conn.close()

    try:
        run_in_thread(probe(), timeout=10)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


def pg_url_or_skip() -> str:
    """The server URL; skips the calling test when it is unreachable (fails it when CI=true)."""
    url = base_pg_url()
    reason = _unreachable_reason(url)
    if reason is not None:
        message = f"PostgreSQL not reachable at {url}: {reason}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: the PostgreSQL tests are mandatory)", pytrace=False)
        pytest.skip(message)
    return url


def with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _create_schema(base_url: str) -> str:
    schema = f"hl_test_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(base_url, timeout=5)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return schema


async def _drop_schema(base_url: str, schema: str) -> None:
    conn = await asyncpg.connect(base_url, timeout=5)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@asynccontextmanager
async def temp_schema_url(base_url: str) -> AsyncIterator[str]:
    """Create a fresh schema, yield a hailong URL working in it, drop it (and everything in it) after."""
    schema = await _create_schema(base_url)
    try:
        yield with_search_path(base_url, schema)
    finally:
        await _drop_schema(base_url, schema)


@contextmanager
def temp_schema(base_url: str) -> Iterator[str]:
    """``temp_schema_url`` for synchronous fixtures (e.g. a parametrised ``db_url``)."""
    schema = run_in_thread(_create_schema(base_url))
    try:
        yield with_search_path(base_url, schema)
    finally:
        run_in_thread(_drop_schema(base_url, schema))
