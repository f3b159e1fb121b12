"""The SQLite writer on the event loop: batching, and a write lock held by another process."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from api.db import StoreError, Tx
from api.db.migrate import migrate
from api.db.sqlite import SQLiteStore


async def insert_unit(tx: Tx, code: str) -> int:
    return await tx.execute(
        "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (:c, :c, 'commune', 0, 0)", {"c": code}
    )


def hold_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    started.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


async def open_store(path: Path, busy_seconds: float = 5.0, checkpoint_seconds: float = 0.5) -> SQLiteStore:
    url = f"sqlite:///{path}"
    store = SQLiteStore(url, str(path), busy_seconds=busy_seconds, checkpoint_seconds=checkpoint_seconds)
    await store.open()
    await migrate(store)
    return store


async def test_concurrent_writes_share_a_transaction_and_a_failing_job_is_undone_alone(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "w.db")
    try:
        codes = ["A", "B", "A", "C"]  # the second "A" breaks the unique code; the others must stay
        outcomes = await asyncio.gather(
            *(store.write(lambda tx, c=c: insert_unit(tx, c)) for c in codes), return_exceptions=True
        )
        assert [isinstance(o, sqlite3.IntegrityError) for o in outcomes] == [False, False, True, False]
        rows = await store.fetch_all("SELECT code FROM units ORDER BY code")
        assert [r["code"] for r in rows] == ["A", "B", "C"]
    finally:
        await store.close()


async def test_a_lock_held_by_another_process_is_waited_out_without_blocking_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    store = await open_store(path)
    started = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(path, 0.4, started))
    holder.start()
    started.wait()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while holder.is_alive():
            ticks += 1
            await asyncio.sleep(0.01)

    try:
        tick = asyncio.ensure_future(ticker())
        assert await store.write(lambda tx: insert_unit(tx, "LATE")) == 1
        await tick
        assert ticks >= 10, "the event loop was blocked while the lock was held"
        assert await store.fetch_one("SELECT code FROM units WHERE code = 'LATE'") == {"code": "LATE"}
    finally:
        holder.join()
        await store.close()


async def test_a_lock_held_too_long_fails_the_write_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    store = await open_store(path, busy_seconds=0.2)
    started = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(path, 0.8, started))
    holder.start()
    started.wait()
    try:
        with pytest.raises(StoreError, match="locked"):
            await store.write(lambda tx: insert_unit(tx, "NEVER"))
    finally:
        holder.join()
    try:
        assert await store.write(lambda tx: insert_unit(tx, "AFTER")) == 1
        assert await store.fetch_one("SELECT count(*) AS n FROM units WHERE code = 'NEVER'") == {"n": 0}
    finally:
        await store.close()


def units_in_main_file(path: Path, tmp: Path) -> int:
    """Units in the database file alone, as if the WAL beside it were lost: what checkpoints have copied."""
    copy = tmp / "main-only.db"
    copy.write_bytes(path.read_bytes())
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute("SELECT count(*) FROM units").fetchone()[0])
    except sqlite3.OperationalError:  # not even the migrations have been copied yet
        return 0
    finally:
        conn.close()


async def test_the_wal_is_checkpointed_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    store = await open_store(path, checkpoint_seconds=0.05)
    try:
        for n in range(20):
            await store.write(lambda tx, n=n: insert_unit(tx, f"U{n}"))
        await asyncio.sleep(0.3)  # six rounds of the checkpoint thread
        # The writer checkpoints itself only past 16,384 pages; these few pages reached the main file
        # through the checkpoint thread.
        assert units_in_main_file(path, tmp_path) == 20
        assert store._checkpointer is not None and store._checkpointer.checkpoints > 0
    finally:
        await store.close()


async def test_closing_the_store_stops_the_checkpoint_thread(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "w.db", checkpoint_seconds=60)
    thread = store._checkpointer
    assert thread is not None and thread.is_alive()
    await store.close()  # does not wait out the 60 s interval
    assert not thread.is_alive()


async def test_writes_arriving_over_consecutive_loop_turns_share_one_commit(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "w.db")
    statements: list[str] = []
    assert store._conn is not None
    store._conn.set_trace_callback(statements.append)

    async def arrive_after(turns: int, code: str) -> int:
        for _ in range(turns):
            await asyncio.sleep(0)  # one turn of the event loop
        return await store.write(lambda tx: insert_unit(tx, code))

    try:
        assert await asyncio.gather(arrive_after(0, "A"), arrive_after(1, "B"), arrive_after(2, "C")) == [1, 1, 1]
        assert statements.count("COMMIT") == 1
        statements.clear()
        assert await store.write(lambda tx: insert_unit(tx, "D")) == 1  # a lone write is not held back
        assert statements.count("COMMIT") == 1
    finally:
        await store.close()
