"""Demo data: deterministic from the seed, realistic shares, planted anomalies, empty stores only.

The read-only assertions share one generated small demo (the session's ``demo_db``); determinism and
store equivalence are scale-free, so they generate only the last month of activity.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.db import open_store
from api.db.copy import Checksum
from api.db.migrate import migrate
from api.demo import fill_demo
from api.demo.activity import REPEATED
from api.demo.generate import TABLES
from api.errors import Conflict

OPEN_HOURS = "((m BETWEEN 450 AND 690) OR (m BETWEEN 810 AND 1025))"  # 7:30-11:30, 13:30-17:05 local
LAST_MONTH = date(2026, 10, 1)
SATISFIED = "avg(CASE WHEN level >= scale - 1 THEN 1.0 ELSE 0 END)"
LOCAL_MONTH = "strftime('%Y-%m', r.created_at / 1000 + 25200, 'unixepoch')"


async def _fill(url: str, seed: int, *, sums: bool = False) -> dict[str, tuple[int, int]]:
    """Fill a fresh store with the demo's last month; return each table's row count (and, with ``sums``,
    its checksum) as the store sees it."""
    store = open_store(url)
    await store.open()
    try:
        await migrate(store)
        counts = (await fill_demo(store, scale="small", seed=seed, first=LAST_MONTH)).counts
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
def demo(demo_db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def last_month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-month") / "m.db"
    asyncio.run(_fill(f"sqlite:///{path}", 7))
    return path


def _val(conn: sqlite3.Connection, sql: str) -> float:
    return float(conn.execute(sql).fetchone()[0])


def test_same_seed_same_rows_other_seed_differs(last_month: Path, tmp_path: Path) -> None:
    asyncio.run(_fill(f"sqlite:///{tmp_path}/again.db", 7))
    asyncio.run(_fill(f"sqlite:///{tmp_path}/other.db", 8))
    first = _checksums(last_month)
    assert first["ratings"][0] > 1000
    assert first == _checksums(tmp_path / "again.db")
    assert first["ratings"] != _checksums(tmp_path / "other.db")["ratings"]


def test_volumes_and_shares(demo: sqlite3.Connection) -> None:
    assert 45_000 <= _val(demo, "SELECT count(*) FROM ratings") <= 70_000
    assert _val(demo, "SELECT count(*) FROM dossiers") > _val(demo, "SELECT count(*) FROM ratings") * 0.9
    assert 0.85 <= _val(demo, f"SELECT {SATISFIED} FROM ratings") <= 0.95
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


def test_small_demo_spans_24_months(demo: sqlite3.Connection) -> None:
    months = [m for (m,) in demo.execute(f"SELECT DISTINCT {LOCAL_MONTH} FROM ratings r ORDER BY 1")]
    assert months[0] == "2024-11" and months[-1] == "2026-10" and len(months) == 24


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
    repeated = "SELECT count(*) FROM ratings r JOIN counters c ON c.id = counter_id WHERE comment = ? AND c.code = ?"
    assert demo.execute(repeated, (REPEATED, "HB.LS-Q1")).fetchone()[0] >= 50


def test_planted_drop_and_kiosk_qr_gap(demo: sqlite3.Connection) -> None:
    by_month = dict(
        demo.execute(
            f"""SELECT {LOCAL_MONTH}, {SATISFIED} FROM ratings r JOIN units u ON u.id = r.unit_id
            WHERE u.code LIKE 'HB.CP%' AND r.source = 'kiosk' GROUP BY 1"""
        ).fetchall()
    )
    before = [v for m, v in by_month.items() if "2025-08" <= m < "2026-08"]
    assert max(by_month[m] for m in ("2026-08", "2026-09", "2026-10")) < min(before) - 0.03
    kiosk = _val(
        demo, f"SELECT {SATISFIED} FROM ratings r JOIN officers o ON o.id = officer_id WHERE o.code = 'HB.TPHB-CB01'"
    )
    qr = _val(
        demo,
        """SELECT avg(a.value >= 4) FROM answers a JOIN responses s ON s.id = a.response_id
        JOIN dossiers d ON d.id = s.dossier_id JOIN officers o ON o.id = d.officer_id
        WHERE a.item = 'III.1' AND a.value IS NOT NULL AND o.code = 'HB.TPHB-CB01'""",
    )
    assert kiosk - qr > 0.25


def test_refuses_a_store_with_units(last_month: Path) -> None:
    async def again() -> None:
        store = open_store(f"sqlite:///{last_month}")
        await store.open()
        try:
            with pytest.raises(Conflict):
                await fill_demo(store)
        finally:
            await store.close()

    asyncio.run(again())


async def test_same_rows_in_every_store(db_url: str, last_month: Path) -> None:
    """The same seed gives the same rows through either store (SQLite file, PostgreSQL schema)."""
    assert await _fill(db_url, 7, sums=True) == _checksums(last_month)
