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


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo (seed 7) in a SQLite file, generated once per test run; treat it as read-only."""
    import asyncio

    from api.db import open_store
    from api.db.migrate import migrate
    from api.demo import fill_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"

    async def fill() -> None:
        store = open_store(f"sqlite:///{path}")
        await store.open()
        try:
            await migrate(store)
            await fill_demo(store, scale="small", seed=7)
        finally:
            await store.close()

    asyncio.run(fill())
    return path


@pytest.fixture(scope="session")
def analysed(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``hailong analyze`` run over a copy of the demo's 24 months, stored in that copy (``copy.db`` beside
    the returned folder of files); treat both as read-only, or copy the database first."""
    import sqlite3

    from api.cli import main

    folder = tmp_path_factory.mktemp("analyze")
    db = folder / "copy.db"
    src, dst = sqlite3.connect(demo_db), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    assert main(["analyze", "--db", f"sqlite:///{db}", "--out", str(folder / "out"), "--from", "2024-11-01"]) == 0
    return folder / "out"


@pytest.fixture
async def h(db_url: str) -> AsyncIterator[Harness]:
    async with harness(db_url) as ready:
        yield ready


def pytest_report_header() -> str:
    return f"hailong: CI={os.environ.get('CI', '')!r} (PostgreSQL tests are mandatory when CI=true)"
