"""Embedded SQLite store: one writer thread that batches, aiosqlite readers.

Writes are queued to a single thread that owns the only write connection. It takes every job
waiting (up to ``batch_max``), runs them in one ``BEGIN IMMEDIATE`` transaction, each inside its
own savepoint so one failing job does not undo the others, commits once, and then wakes the event
loop once for the whole batch. A job is acknowledged only after the commit that holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from api.db.base import Params, Row, Store, StoreError

T = TypeVar("T")

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

    def __init__(self, url: str, path: str, *, readers: int = 4, checkpoint_every: int = 200) -> None:
        self.url = url
        self.path = path
        self.readers = readers
        self.checkpoint_every = checkpoint_every
        self._conn: sqlite3.Connection | None = None
        self._tx: SyncTx | None = None
        self._pending: list[tuple[Callable[[Any], Awaitable[Any]], asyncio.Future[Any]]] = []
        self._flush_handle: asyncio.Handle | None = None
        self._busy_since: float | None = None
        self._commits = 0
        self._checkpointing: asyncio.Future[None] | None = None
        self._pool: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all_readers: list[aiosqlite.Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- life cycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._conn = await asyncio.to_thread(self._connect, writer=True)
        self._tx = SyncTx(self._conn)
        self._pool = asyncio.Queue()
        for _ in range(self.readers):
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            await conn._execute(prepare_connection, conn._conn, writer=False)  # type: ignore[no-untyped-call]
            self._all_readers.append(conn)
            self._pool.put_nowait(conn)

    def _connect(self, *, writer: bool) -> sqlite3.Connection:
        parent = Path(self.path).expanduser().resolve().parent
        if self.path != ":memory:" and not parent.is_dir():
            raise StoreError(f"cannot open SQLite database {self.path}: folder {parent} does not exist")
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            prepare_connection(conn, writer=writer)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite database {self.path}: {exc}") from None
        if writer:
            # The writer never waits inside SQLite (it runs on the event loop): a lock held by another
            # process is retried with backoff instead, and checkpoints run in a thread of their own.
            conn.execute("PRAGMA busy_timeout = 0")
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        return conn

    async def close(self) -> None:
        if self._flush_handle is not None:  # settle what is queued before closing
            self._flush_handle.cancel()
            self._flush()
        if self._checkpointing is not None:
            await self._checkpointing
        if self._conn is not None:
            await asyncio.to_thread(self._checkpoint, "TRUNCATE")
            self._conn.close()
            self._conn = None
        for conn in self._all_readers:
            await conn.close()
        self._all_readers.clear()

    # -- writes -----------------------------------------------------------------------------------
    async def write(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        """Queue ``fn``; every job queued during one turn of the event loop shares one transaction.

        The batch runs synchronously on the loop thread (SQLite calls take microseconds here; running
        them in another thread made both threads wait for the GIL at every statement), commits once,
        then settles every job's future: a job is acknowledged only after the commit that holds it.
        """
        loop = self._loop
        assert loop is not None and self._conn is not None, "store is not open"
        fut: asyncio.Future[T] = loop.create_future()
        self._pending.append((fn, fut))
        if self._flush_handle is None:
            self._flush_handle = loop.call_soon(self._flush)
        return await fut

    def _flush(self) -> None:
        assert self._conn is not None and self._tx is not None and self._loop is not None
        self._flush_handle = None
        batch, self._pending = self._pending, []
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # another process holds the write lock
            self._retry_later(batch, exc)
            return
        self._busy_since = None
        for fut, result, exc in self._run_batch(self._conn, self._tx, batch):
            _settle(fut, result, exc)
        self._commits += 1
        if self._commits % self.checkpoint_every == 0 and self._checkpointing is None:
            self._checkpointing = asyncio.ensure_future(asyncio.to_thread(self._checkpoint, "PASSIVE"))
            self._checkpointing.add_done_callback(self._checkpoint_done)

    def _retry_later(self, batch: list[Any], exc: Exception) -> None:
        assert self._loop is not None
        now = self._loop.time()
        self._busy_since = self._busy_since or now
        if now - self._busy_since > 5.0:
            self._busy_since = None
            error = StoreError(f"the SQLite database is locked by another process: {exc}")
            for _, fut in batch:
                _settle(fut, None, error)
            return
        self._pending = batch + self._pending
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        self._flush_handle = self._loop.call_later(0.005, self._flush)

    def _run_batch(self, conn: sqlite3.Connection, tx: SyncTx, batch: list[Any]) -> list[Any]:
        """The whole batch in one transaction (already begun), each job in its own savepoint so that a
        failing job is undone alone; then one commit."""
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            for fn, fut in batch:
                conn.execute("SAVEPOINT job")
                try:
                    result = run_now(fn(tx))
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((fut, None, exc))
                else:
                    conn.execute("RELEASE job")
                    outcomes.append((fut, result, None))
            conn.execute("COMMIT")
        except Exception as exc:  # the commit itself failed: nobody is acknowledged
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            return [(fut, None, exc) for _, fut in batch]
        return outcomes

    def _checkpoint(self, mode: str) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 1000")
            conn.execute(f"PRAGMA wal_checkpoint({mode})")
        except sqlite3.Error:
            pass  # a checkpoint that cannot run now runs next time
        finally:
            conn.close()

    def _checkpoint_done(self, _: asyncio.Future[None]) -> None:
        self._checkpointing = None

    # -- reads ------------------------------------------------------------------------------------
    async def read(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        assert self._pool is not None, "store is not open"
        conn = await self._pool.get()
        try:
            return await fn(AsyncTx(conn))
        finally:
            self._pool.put_nowait(conn)


def _settle(fut: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(result)
