"""Embedded SQLite store: one writer thread that batches, aiosqlite readers.

Writes are queued to a single thread that owns the only write connection. It takes every job
waiting (up to ``batch_max``), runs them in one ``BEGIN IMMEDIATE`` transaction, each inside its
own savepoint so one failing job does not undo the others, commits once, and then wakes the event
loop once for the whole batch. A job is acknowledged only after the commit that holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from api.db.base import Params, Row, Store, StoreError

T = TypeVar("T")

_STOP = object()

def prepare_connection(conn: sqlite3.Connection, *, writer: bool) -> None:
    """The one place every SQLite connection is prepared."""
    conn.row_factory = _dict_row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    if writer:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode and next(iter(mode.values())) != "wal":
            raise StoreError("SQLite could not switch to WAL mode (is the file on a network share?)")
        conn.execute("PRAGMA synchronous = NORMAL")
    else:
        conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -32000")


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {d[0]: v for d, v in zip(cursor.description, row, strict=True)}


def run_now(coro: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never suspends (it awaits only synchronous SQLite calls)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("a write job awaited something other than its transaction")


class SyncTx:
    """The writer thread's transaction; its coroutine methods complete without suspending."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def fetch_all(self, sql: str, params: Params = None) -> list[Row]:
        return self.conn.execute(sql, params or {}).fetchall()

    async def fetch_one(self, sql: str, params: Params = None) -> Row | None:
        row: Row | None = self.conn.execute(sql, params or {}).fetchone()
        return row

    async def fetch_val(self, sql: str, params: Params = None) -> Any:
        row = self.conn.execute(sql, params or {}).fetchone()
        return None if row is None else next(iter(row.values()))

    async def execute(self, sql: str, params: Params = None) -> int:
        return self.conn.execute(sql, params or {}).rowcount

    async def execute_many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.conn.executemany(sql, rows)


class AsyncTx:
    """A read connection (aiosqlite) behind the same interface."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def fetch_all(self, sql: str, params: Params = None) -> list[Row]:
        async with self.conn.execute(sql, params or {}) as cur:
            return list(await cur.fetchall())  # type: ignore[arg-type]

    async def fetch_one(self, sql: str, params: Params = None) -> Row | None:
        async with self.conn.execute(sql, params or {}) as cur:
            row: Row | None = await cur.fetchone()  # type: ignore[assignment]
            return row

    async def fetch_val(self, sql: str, params: Params = None) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else next(iter(row.values()))

    async def execute(self, sql: str, params: Params = None) -> int:
        raise sqlite3.OperationalError("read connection: writes go through Store.write")

    async def execute_many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        raise sqlite3.OperationalError("read connection: writes go through Store.write")


class SQLiteStore(Store):
    dialect = "sqlite"

    def __init__(self, url: str, path: str, *, readers: int = 4, batch_max: int = 512) -> None:
        self.url = url
        self.path = path
        self.readers = readers
        self.batch_max = batch_max
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pool: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all_readers: list[aiosqlite.Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- life cycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(target=self._writer_main, args=(ready,), name="sqlite-writer", daemon=True)
        self._thread.start()
        await ready
        self._pool = asyncio.Queue()
        for _ in range(self.readers):
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            await conn._execute(prepare_connection, conn._conn, writer=False)  # type: ignore[no-untyped-call]
            self._all_readers.append(conn)
            self._pool.put_nowait(conn)

    async def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(_STOP)
            await asyncio.to_thread(self._thread.join)
            self._thread = None
        for conn in self._all_readers:
            await conn.close()
        self._all_readers.clear()

    # -- writes -----------------------------------------------------------------------------------
    async def write(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        loop = self._loop
        assert loop is not None and self._thread is not None, "store is not open"
        fut: asyncio.Future[T] = loop.create_future()
        self._jobs.put((None, fn, fut))
        return await fut

    async def write_batched(self, runner: Any, item: Any) -> Any:
        loop = self._loop
        assert loop is not None and self._thread is not None, "store is not open"
        fut: asyncio.Future[Any] = loop.create_future()
        self._jobs.put((runner, item, fut))
        return await fut

    def _writer_main(self, ready: asyncio.Future[None]) -> None:
        loop = self._loop
        assert loop is not None
        try:
            parent = Path(self.path).expanduser().resolve().parent
            if self.path != ":memory:" and not parent.is_dir():
                raise StoreError(f"folder {parent} does not exist")
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            prepare_connection(conn, writer=True)
        except Exception as exc:  # reported to open(), never swallowed
            error = StoreError(f"cannot open SQLite database {self.path}: {exc}")
            loop.call_soon_threadsafe(_settle, ready, None, error)
            return
        loop.call_soon_threadsafe(_settle, ready, None, None)
        tx = SyncTx(conn)
        stopping = False
        while not stopping:
            batch = [self._jobs.get()]
            while len(batch) < self.batch_max:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stopping = True
                batch = [job for job in batch if job is not _STOP]
            if batch:
                outcomes = self._run_batch(conn, tx, batch)
                loop.call_soon_threadsafe(_settle_all, outcomes)  # one wake-up per batch
        conn.close()

    def _run_batch(self, conn: sqlite3.Connection, tx: SyncTx, batch: list[Any]) -> list[Outcome]:
        """The whole batch in one transaction, then one commit. Plain jobs run each in a savepoint, so a
        failing job is undone alone; items for the same batch runner run as one call."""
        outcomes: list[Outcome] = []
        groups: dict[Any, list[tuple[Any, asyncio.Future[Any]]]] = {}
        try:
            conn.execute("BEGIN IMMEDIATE")
            for runner, payload, fut in batch:
                if runner is None:
                    outcomes.append(_in_savepoint(conn, partial(_call, payload, tx), fut))
                else:
                    groups.setdefault(runner, []).append((payload, fut))
            for runner, items in groups.items():
                outcomes.extend(_run_group(conn, tx, runner, items))
            conn.execute("COMMIT")
        except Exception as exc:  # the commit itself failed: nobody is acknowledged
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            return [(fut, None, exc) for _, _, fut in batch]
        return outcomes

    # -- reads ------------------------------------------------------------------------------------
    async def read(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        assert self._pool is not None, "store is not open"
        conn = await self._pool.get()
        try:
            return await fn(AsyncTx(conn))
        finally:
            self._pool.put_nowait(conn)


Outcome = tuple[asyncio.Future[Any], Any, BaseException | None]


def _in_savepoint(conn: sqlite3.Connection, call: Callable[[], Any], fut: asyncio.Future[Any]) -> Outcome:
    conn.execute("SAVEPOINT job")
    try:
        result = call()
    except Exception as exc:
        conn.execute("ROLLBACK TO job")
        conn.execute("RELEASE job")
        return (fut, None, exc)
    conn.execute("RELEASE job")
    return (fut, result, None)


def _run_group(conn: sqlite3.Connection, tx: SyncTx, runner: Any, items: list[Any]) -> list[Outcome]:
    """All items for one batch runner in one call; if that call fails, each item on its own."""
    whole = _in_savepoint(conn, partial(_call, runner, tx, [payload for payload, _ in items]), items[0][1])
    if whole[2] is None:
        return [_item_outcome(fut, result) for (_, fut), result in zip(items, whole[1], strict=True)]
    singles = []
    for payload, fut in items:
        fut_, results, exc = _in_savepoint(conn, partial(_call, runner, tx, [payload]), fut)
        singles.append((fut_, None, exc) if exc is not None else _item_outcome(fut_, results[0]))
    return singles


def _call(fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
    return run_now(fn(*args))


def _item_outcome(fut: asyncio.Future[Any], result: Any) -> Outcome:
    return (fut, None, result) if isinstance(result, BaseException) else (fut, result, None)


def _settle(fut: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(result)


def _settle_all(outcomes: list[Outcome]) -> None:
    for fut, result, exc in outcomes:
        _settle(fut, result, exc)
