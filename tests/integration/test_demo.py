"""Demo data: deterministic from the seed, realistic shares, planted anomalies, empty stores only."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.db import open_store
from api.db.copy import Checksum
from api.db.migrate import migrate
from api.demo import fill_demo
from api.demo.generate import TABLES
from api.errors import Conflict

OPEN_HOURS = "((m BETWEEN 450 AND 690) OR (m BETWEEN 810 AND 1025))"  # 7:30-11:30, 13:30-17:05 local


async def _fill(url: str, seed: int, *, sums: bool = False) -> dict[str, tuple[int, int]]:
    """Fill a fresh store; return each table's row count (and, with ``sums``, its checksum) as the store sees it."""
    store = open_store(url)
    await store.open()
    try:
        await migrate(store)
        counts = (await fill_demo(store, scale="small", seed=seed)).counts
        if not sums:
            return {t: (n, 0) for t, n in counts.items()}
        out = {}
        for table in TABLES:
            check = Checksum()
            rows = await store.fetch_all(f"SELECT * FROM {table}")
            check.add(rows, sorted(rows[0]) if rows else [])
            out[table] = (check.rows, check.value)
        # ids were explicit: a row without one must still get a fresh id (PostgreSQL identities moved on)
        sql = "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES ('X', 'x', 'province', 0, 0)"
        await store.write(lambda tx: tx.execute(sql))
        return out
    finally:
        await store.close()


def _checksums(path: Path) -> dict[str, tuple[int, int]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    out = {}
    for table in TABLES:
        rows = [dict(r) for r in conn.execute(f"SELECT * FROM {table}")]
        check = Checksum()
        check.add(rows, sorted(rows[0]) if rows else [])
        out[table] = (check.rows, check.value)
    conn.close()
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    path = tmp_path_factory.mktemp("demo") / "d.db"
    asyncio.run(_fill(f"sqlite:///{path}", 7))
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


def _val(conn: sqlite3.Connection, sql: str) -> float:
    return float(conn.execute(sql).fetchone()[0])


def test_same_seed_same_rows_other_seed_differs(demo: sqlite3.Connection, tmp_path: Path) -> None:
    first = Path(demo.execute("PRAGMA database_list").fetchone()[2])
    asyncio.run(_fill(f"sqlite:///{tmp_path}/again.db", 7))
    asyncio.run(_fill(f"sqlite:///{tmp_path}/other.db", 8))
    assert _checksums(first) == _checksums(tmp_path / "again.db")
    assert _checksums(first)["ratings"] != _checksums(tmp_path / "other.db")["ratings"]


def test_volumes_and_shares(demo: sqlite3.Connection) -> None:
    assert 20_000 <= _val(demo, "SELECT count(*) FROM ratings") <= 40_000
    assert _val(demo, "SELECT count(*) FROM dossiers") > _val(demo, "SELECT count(*) FROM ratings") * 0.9
    satisfied = _val(demo, "SELECT avg(CASE WHEN level >= scale - 1 THEN 1.0 ELSE 0 END) FROM ratings")
    assert 0.85 <= satisfied <= 0.95
    assert 0.2 <= _val(demo, "SELECT avg(comment IS NOT NULL) FROM ratings") <= 0.4
    assert _val(demo, "SELECT count(*) FROM answers WHERE value IS NULL AND text_value = 'na'") > 0
    assert _val(demo, "SELECT count(DISTINCT item) FROM answers WHERE item GLOB '[IV]*.[0-9]'") == 19
    assert _val(demo, "SELECT count(*) FROM dossiers WHERE returned_at > due_at") > 0
    # every unsatisfied counter-3 rating that has reasons has at most two; satisfied ones have none
    assert (
        _val(
            demo,
            "SELECT count(*) FROM rating_reasons JOIN ratings r ON r.id = rating_id WHERE r.level > 1 AND r.scale = 3",
        )
        == 0
    )


def test_planted_anomalies_present(demo: sqlite3.Connection) -> None:
    bursts = _val(
        demo,
        """
        SELECT count(*) FROM ratings a JOIN ratings b ON b.id = a.id + 1 AND b.counter_id = a.counter_id
        JOIN counters c ON c.id = a.counter_id
        WHERE c.code = 'HB.KB-Q2' AND b.created_at - a.created_at < 8000 AND a.level = 3 AND b.level = 3""",
    )
    assert bursts >= 50
    assert _val(demo, "SELECT count(*) FROM ratings WHERE time_to_tap_ms < 300") >= 20
    assert _val(demo, "SELECT count(*) FROM ratings WHERE source = 'staff'") >= 30
    off_hours = _val(
        demo,
        f"""
        SELECT count(*) FROM (SELECT ((created_at / 60000) + 420) % 1440 AS m FROM ratings)
        WHERE NOT {OPEN_HOURS}""",
    )
    assert off_hours >= 50


def test_refuses_a_store_with_units(demo: sqlite3.Connection) -> None:
    path = demo.execute("PRAGMA database_list").fetchone()[2]

    async def again() -> None:
        store = open_store(f"sqlite:///{path}")
        await store.open()
        try:
            with pytest.raises(Conflict):
                await fill_demo(store)
        finally:
            await store.close()

    asyncio.run(again())


async def test_same_rows_in_every_store(db_url: str, demo: sqlite3.Connection) -> None:
    """The same seed gives the same rows through either store (SQLite file, PostgreSQL schema)."""
    path = Path(demo.execute("PRAGMA database_list").fetchone()[2])
    assert await _fill(db_url, 7, sums=True) == _checksums(path)
