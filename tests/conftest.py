from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.harness import Harness, harness

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hailong.db'}"
        return
    from tests.pg import pg_url_or_skip, temp_schema

    with temp_schema(pg_url_or_skip()) as url:
        yield url


@pytest.fixture
async def h(db_url: str) -> AsyncIterator[Harness]:
    async with harness(db_url) as ready:
        yield ready


def pytest_report_header() -> str:
    return f"hailong: CI={os.environ.get('CI', '')!r} (PostgreSQL tests are mandatory when CI=true)"
