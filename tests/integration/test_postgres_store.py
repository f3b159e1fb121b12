"""The PostgreSQL store against the real server: migrations, SQL translation, constraints under
concurrency from two pools (two API workers), and one-line errors for unusable URLs."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.db.base import StoreError, Tx
from api.db.catalog import load_tables
from api.db.errors import integrity_violation, is_integrity_error
from api.db.migrate import load_migrations, migrate
from api.db.postgres import PostgresStore, split_url, translate
from tests.pg import pg_url_or_skip, temp_schema_url


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with temp_schema_url(pg_url_or_skip()) as url:
        yield url


@pytest.fixture
async def store(pg_url: str) -> AsyncIterator[PostgresStore]:
    s = PostgresStore(pg_url)
    await s.open()
    try:
        await migrate(s)
        yield s
    finally:
        await s.close()


def test_translate_leaves_casts_quotes_and_comments_alone() -> None:
    sql = "SELECT a::text, ':x', \"c:y\" FROM t -- :z\nWHERE a = :a AND b = :b OR c = :a /* :w */"
    query, names = translate(sql)
    assert names == ("a", "b")
    assert query == "SELECT a::text, ':x', \"c:y\" FROM t -- :z\nWHERE a = $1 AND b = $2 OR c = $1 /* :w */"
    assert translate(sql) is translate(sql)  # cached per SQL string


def test_translate_numbers_positional_parameters_and_refuses_a_mix() -> None:
    query, names = translate("INSERT INTO t (a, b) VALUES (?, '?'), (?, ?) -- ?")
    assert (query, names) == ("INSERT INTO t (a, b) VALUES ($1, '?'), ($2, $3) -- ?", ())
    with pytest.raises(ValueError, match="mixes"):
        translate("SELECT * FROM t WHERE a = :a AND b = ?")


@pytest.mark.postgres
async def test_positional_parameters_reach_postgresql(store: PostgresStore) -> None:
    async def run(tx: Tx) -> list[dict[str, object]]:
        await tx.execute(
            "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (?, ?, 'commune', ?, ?)",
            ["P1", "Xã Một", 1, 2],
        )
        return await tx.fetch_all("SELECT code, name, updated_at FROM units WHERE code = ?", ["P1"])

    assert await store.write(run) == [{"code": "P1", "name": "Xã Một", "updated_at": 2}]


def test_split_url_strips_hailong_parameters() -> None:
    dsn, path, local = split_url("postgres://u@h:5433/db?search_path=s1&pool_max=4&sslmode=disable")
    assert (dsn, path, local) == ("postgresql://u@h:5433/db?sslmode=disable", "s1", {"pool_max": 4})


@pytest.mark.postgres
async def test_migrate_applies_every_migration_once(store: PostgresStore) -> None:
    assert await migrate(store) == []
    rows = await store.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
    assert [r["version"] for r in rows] == [m.version for m in load_migrations()]
    names = [t.name for t in await load_tables(store)]
    assert names.index("units") < names.index("counters") < names.index("ratings") < names.index("rating_reasons")


@pytest.mark.postgres
async def test_named_parameters_round_trip(store: PostgresStore) -> None:
    async def seed(tx: Tx) -> Any:
        count = await tx.execute(
            "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (:c, :n, 'province', :t, :t)",
            {"c": "HB", "n": "Tỉnh Hoà Bình: 'một cửa'", "t": 1_700_000_000_000},
        )
        assert count == 1
        return await tx.fetch_val("SELECT id FROM units WHERE code = :c", {"c": "HB"})

    unit_id = await store.write(seed)
    row = await store.fetch_one(
        "SELECT id, name, created_at::text AS t, ':c' AS literal FROM units WHERE id = :id AND code = :c",
        {"id": unit_id, "c": "HB"},
    )
    assert row == {"id": unit_id, "name": "Tỉnh Hoà Bình: 'một cửa'", "t": "1700000000000", "literal": ":c"}
    totals = await store.read(lambda tx: tx.fetch_one("SELECT sum(created_at) AS s, avg(rating_scale) AS a FROM units"))
    assert totals == {"s": 1_700_000_000_000, "a": 3}  # int, not Decimal, as SQLite gives
    updated = await store.write(lambda tx: tx.execute("UPDATE units SET name = :n", {"n": "x"}))
    assert updated == 1
    with pytest.raises(ValueError, match=":missing"):
        await store.fetch_all("SELECT :missing AS v", {})


async def _seed_dossier(store: PostgresStore) -> dict[str, int]:
    async def seed(tx: Tx) -> dict[str, int]:
        t = {"t": 1}
        unit = await tx.fetch_val(
            "INSERT INTO units (code, name, kind, created_at, updated_at)"
            " VALUES ('U', 'U', 'centre', :t, :t) RETURNING id",
            t,
        )
        counter = await tx.fetch_val(
            "INSERT INTO counters (code, unit_id, name, created_at, updated_at)"
            " VALUES ('C', :u, 'C', :t, :t) RETURNING id",
            {"u": unit, **t},
        )
        proc = await tx.fetch_val(
            "INSERT INTO procedures (code, name, field, legal_days, created_at, updated_at)"
            " VALUES ('P', 'P', 'F', 5, :t, :t) RETURNING id",
            t,
        )
        dossier = await tx.fetch_val(
            "INSERT INTO dossiers (code, unit_id, procedure_id, channel, received_at, due_at, created_at,"
            " updated_at) VALUES ('D', :u, :p, 'direct', :t, :t, :t, :t) RETURNING id",
            {"u": unit, "p": proc, **t},
        )
        return {"unit": unit, "counter": counter, "dossier": dossier}

    return await store.write(seed)


INSERT_RATING = (
    "INSERT INTO ratings (idempotency_key, instrument, unit_id, counter_id, dossier_id, source, level, scale,"
    " created_at) VALUES (:k, 'counter', :unit, :counter, :dossier, 'kiosk', 3, 3, 1)"
)


@pytest.mark.postgres
async def test_constraints_hold_across_two_worker_pools(store: PostgresStore, pg_url: str) -> None:
    ids = await _seed_dossier(store)
    other = PostgresStore(pg_url, max_size=4)  # a second API worker: its own process, its own pool
    await other.open()
    try:

        async def submit(s: PostgresStore, key: str) -> bool:
            try:
                await s.write(lambda tx: tx.execute(INSERT_RATING, {"k": key, **ids}))
            except Exception as exc:
                assert is_integrity_error(exc), exc
                return False
            return True

        # Same idempotency key (and same dossier) from both workers at once: exactly one is stored.
        same_key = [submit(s, "same-key") for _ in range(10) for s in (store, other)]
        assert sum(await asyncio.gather(*same_key)) == 1
        # Different keys, same dossier and instrument: still exactly one.
        same_dossier = [submit(s, f"key-{i}-{n}") for i in range(10) for n, s in enumerate((store, other))]
        assert sum(await asyncio.gather(*same_dossier)) == 0
    finally:
        await other.close()
    rows = await store.fetch_all("SELECT idempotency_key FROM ratings")
    assert rows == [{"idempotency_key": "same-key"}]


@pytest.mark.postgres
async def test_integrity_violation_names_the_broken_rule(store: PostgresStore) -> None:
    ids = await _seed_dossier(store)
    await store.write(lambda tx: tx.execute(INSERT_RATING, {"k": "k1", **ids}))
    with pytest.raises(Exception) as caught:
        await store.write(lambda tx: tx.execute(INSERT_RATING, {"k": "k1", **ids}))
    violation = integrity_violation(caught.value)
    assert violation is not None
    assert (violation.kind, violation.table, violation.columns) == ("unique", "ratings", ("idempotency_key",))
    with pytest.raises(Exception) as caught:
        await store.write(lambda tx: tx.execute(INSERT_RATING, {"k": "k2", **ids, "counter": 999, "dossier": None}))
    violation = integrity_violation(caught.value)
    assert violation is not None and violation.kind == "foreign_key"


def test_sqlite_violations_are_described_the_same_way() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE ratings (idempotency_key TEXT UNIQUE, dossier_id INT, instrument TEXT,"
        " UNIQUE (dossier_id, instrument))"
    )
    conn.execute("INSERT INTO ratings VALUES ('k1', 1, 'counter')")
    for values, columns in [
        ("('k1', 2, 'x')", ("idempotency_key",)),
        ("('k2', 1, 'counter')", ("dossier_id", "instrument")),
    ]:
        with pytest.raises(sqlite3.IntegrityError) as caught:
            conn.execute(f"INSERT INTO ratings VALUES {values}")
        assert is_integrity_error(caught.value)
        violation = integrity_violation(caught.value)
        assert violation is not None
        assert (violation.kind, violation.table, violation.columns) == ("unique", "ratings", columns)
    assert integrity_violation(ValueError("x")) is None


@pytest.mark.postgres
async def test_failed_write_rolls_back_the_whole_transaction(store: PostgresStore) -> None:
    async def half(tx: Tx) -> None:
        await tx.execute(
            "INSERT INTO procedures (code, name, field, legal_days, created_at, updated_at)"
            " VALUES ('P1', 'P', 'F', 1, 1, 1)"
        )
        await tx.execute("INSERT INTO procedures (code) VALUES ('P2')")  # NOT NULL violation

    with pytest.raises(Exception) as caught:
        await store.write(half)
    assert is_integrity_error(caught.value)
    assert await store.fetch_all("SELECT code FROM procedures") == []


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("make_url", "expected"),
    [
        (
            lambda base: "postgresql://postgres@127.0.0.1:5999/test",
            "cannot reach PostgreSQL at 127.0.0.1:5999",
        ),
        (lambda base: base.rsplit("/", 1)[0] + "/hl_no_such_db", "database does not exist"),
        (lambda base: base.replace("://postgres@", "://hl_no_such_role@"), "refused the login"),
        (lambda base: base + "?search_path=hl_no_such_schema", "schema 'hl_no_such_schema' does not exist"),
        (lambda base: "postgresql://postgres@127.0.0.1:99999/test", "bad database URL"),
        (lambda base: "postgresql://postgres@127.0.0.1/test?sslmode=sometimes", "bad database URL"),
    ],
    ids=["unreachable", "no-database", "bad-user", "no-schema", "bad-port", "bad-option"],
)
async def test_unusable_urls_give_one_line(make_url: Any, expected: str) -> None:
    base = pg_url_or_skip()
    if "://postgres@" not in base or "?" in base:
        pytest.skip("these URLs are derived from the default trust-auth server URL")
    with pytest.raises(StoreError) as caught:
        store = PostgresStore(make_url(base))
        await store.open()
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
