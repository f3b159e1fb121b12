"""``store copy``: SQLite → PostgreSQL → SQLite keeps every row, id and checksum, and refuses to
write over data unless forced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api.db.base import Row, StoreError, Tx
from api.db.catalog import load_tables
from api.db.copy import CopyError, copy_store
from api.db.migrate import migrate
from api.db.open import open_store
from tests.pg import pg_url_or_skip, temp_schema_url

RATINGS = 40


async def _seed(tx: Tx) -> None:
    # The centre (id 2) points at a parent with a higher id (5): a forward self-reference in key order.
    await tx.execute(
        "INSERT INTO units (id, code, name, kind, created_at, updated_at)"
        " VALUES (5, 'HB', 'Tỉnh Hoà Bình', 'province', 1, 2)"
    )
    await tx.execute(
        "INSERT INTO units (id, code, name, kind, parent_id, created_at, updated_at)"
        " VALUES (2, 'TT', 'Trung tâm Phục vụ hành chính công', 'centre', 5, 1, 2)"
    )
    await tx.execute(
        "INSERT INTO counters (id, code, unit_id, name, created_at, updated_at) VALUES (1, 'Q1', 2, 'Quầy 1', 1, 1)"
    )
    await tx.execute(
        "INSERT INTO officers (id, code, unit_id, full_name, created_at, updated_at)"
        " VALUES (1, 'CB1', 2, 'Nguyễn Văn A', 1, 1)"
    )
    await tx.execute("INSERT INTO counter_duty (counter_id, officer_id, since_at) VALUES (1, 1, 3)")
    await tx.execute_many(
        "INSERT INTO ratings (id, idempotency_key, instrument, unit_id, counter_id, officer_id, source,"
        " level, scale, comment, created_at, client_time)"
        " VALUES (:id, :k, 'counter', 2, 1, 1, 'kiosk', :level, 3, :comment, :t, NULL)",
        [
            {
                "id": 10 + 3 * i,
                "k": f"key-{i}",
                "level": 1 + i % 3,
                "comment": None if i % 2 else f"Chờ lâu quá 'lần' {i}\n😞",
                "t": 1_700_000_000_000 + i,
            }
            for i in range(RATINGS)
        ],
    )
    await tx.execute_many(
        "INSERT INTO rating_reasons (rating_id, reason) VALUES (:r, :c)",
        [{"r": 10 + 3 * i, "c": c} for i in range(0, RATINGS, 3) for c in ("waiting", "attitude", "fees")],
    )


async def _dump(url: str) -> dict[str, list[Row]]:
    store = open_store(url)
    await store.open()
    try:
        dump = {}
        for table in await load_tables(store):
            order = ", ".join(table.key)
            dump[table.name] = await store.fetch_all(f"SELECT * FROM {table.name} ORDER BY {order}")
        return dump
    finally:
        await store.close()


@pytest.fixture
async def sqlite_source(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'province.db'}"
    store = open_store(url)
    await store.open()
    try:
        await migrate(store)
        await store.write(_seed)
    finally:
        await store.close()
    return url


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with temp_schema_url(pg_url_or_skip()) as url:
        yield url


@pytest.mark.postgres
async def test_sqlite_to_postgres_and_back(sqlite_source: str, pg_url: str, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    report = await copy_store(sqlite_source, pg_url, batch=7, progress=lambda *p: seen.append(p))
    assert report.ok, [t.line() for t in report.tables]
    counts = {t.table: t.dest_rows for t in report.tables}
    assert counts["ratings"] == RATINGS and counts["units"] == 2 and counts["rating_reasons"] == 42
    assert ("ratings", RATINGS, RATINGS) in seen

    # Identity sequences moved past the copied ids: new rows get fresh ids.
    pg = open_store(pg_url)
    await pg.open()
    try:
        new_id = await pg.write(
            lambda tx: tx.fetch_val(
                "INSERT INTO procedures (code, name, field, legal_days, created_at, updated_at)"
                " VALUES ('P', 'P', 'F', 1, 1, 1) RETURNING id"
            )
        )
        assert new_id == 1
        unit_id = await pg.write(
            lambda tx: tx.fetch_val(
                "INSERT INTO units (code, name, kind, created_at, updated_at)"
                " VALUES ('X', 'X', 'commune', 1, 1) RETURNING id"
            )
        )
        assert unit_id == 6
        await pg.write(lambda tx: tx.execute("DELETE FROM units WHERE id = :id", {"id": unit_id}))
        await pg.write(lambda tx: tx.execute("DELETE FROM procedures"))
    finally:
        await pg.close()

    back = f"sqlite:///{tmp_path / 'back.db'}"
    report_back = await copy_store(pg_url, back, batch=5)
    assert report_back.ok
    assert {t.table: t.source_checksum for t in report_back.tables} == {
        t.table: t.source_checksum for t in report.tables
    }
    assert await _dump(back) == await _dump(sqlite_source)


@pytest.mark.postgres
async def test_refuses_a_destination_with_data_unless_forced(sqlite_source: str, pg_url: str) -> None:
    await copy_store(sqlite_source, pg_url)
    with pytest.raises(CopyError, match=r"already holds data \(tables: .*units") as caught:
        await copy_store(sqlite_source, pg_url)
    assert "\n" not in str(caught.value)
    report = await copy_store(sqlite_source, pg_url, force=True, batch=1000)
    assert report.ok and report.rows == 2 + 1 + 1 + 1 + RATINGS + 42


async def test_refuses_to_copy_into_a_non_empty_sqlite_file(sqlite_source: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    await copy_store(sqlite_source, other)
    with pytest.raises(CopyError, match="already holds data"):
        await copy_store(sqlite_source, other)
    assert (await copy_store(sqlite_source, other, force=True)).ok


async def test_bad_sources_give_one_line(tmp_path: Path) -> None:
    with pytest.raises(CopyError, match="does not exist"):
        await copy_store(f"sqlite:///{tmp_path / 'missing.db'}", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(CopyError, match="same database"):
        await copy_store(f"sqlite:///{tmp_path / 'x.db'}", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(StoreError, match="cannot reach PostgreSQL"):
        await copy_store("postgresql://postgres@127.0.0.1:5999/test", f"sqlite:///{tmp_path / 'x.db'}")
