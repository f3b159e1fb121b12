"""Embedded SQLite store: one writer that batches, on the event loop; aiosqlite readers.

Every write queued during the same few turns of the event loop runs in one ``BEGIN IMMEDIATE`` transaction on
the only write connection, by the group commit both stores share (api/db/commit.py, which also states
the write contract): plain jobs each inside their own savepoint, so one failing job does not undo the
others, and the items of a batch runner (ratings) as one multi-row statement. One commit, then every
job's future is settled: a job is acknowledged only after the commit that holds it.
Reads go through separate aiosqlite connections, so they never wait for the writer. Copying the WAL
back into the database file (a checkpoint, with its fsyncs) happens on a thread of its own, not on the
event loop after some unlucky commit.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from api.db.base import Params, Row, Store, StoreError
from api.db.commit import SQLITE_GATHER_TURNS, GroupCommit, Job, drive_inline, fail_all, run_batch, settle
from api.db.errors import StoreHealth

T = TypeVar("T")
log = logging.getLogger("hailong.db")

# The writer leaves checkpoints to the Checkpointer thread; it checkpoints itself only when the WAL has
# grown past this many pages (64 MiB) because a long unbroken stream of writes kept the thread's
# checkpoints from ever completing. journal_size_limit then truncates the WAL file back.
WRITER_AUTOCHECKPOINT_PAGES = 16_384
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024


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


class SyncTx:
    """The writer's transaction; its coroutine methods complete without suspending."""

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

    def __init__(
        self, url: str, path: str, *, readers: int = 4, busy_seconds: float = 5.0, checkpoint_seconds: float = 0.5
    ) -> None:
        self.url = url
        self.path = path
        self.readers = readers
        self.busy_seconds = busy_seconds
        self.checkpoint_seconds = checkpoint_seconds
        self._conn: sqlite3.Connection | None = None
        self._tx: SyncTx | None = None
        self.commits = GroupCommit(self._flush, SQLITE_GATHER_TURNS)
        self.health = StoreHealth(url)
        self._busy_since: float | None = None
        self._pool: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all_readers: list[aiosqlite.Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._checkpointer: Checkpointer | None = None

    # -- life cycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._conn = await asyncio.to_thread(self._connect_writer)
        self._tx = SyncTx(self._conn)
        if self.path != ":memory:":
            self._checkpointer = Checkpointer(self.path, self.checkpoint_seconds)
            self._checkpointer.start()
        self._pool = asyncio.Queue()
        for _ in range(self.readers):
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            await conn._execute(prepare_connection, conn._conn, writer=False)  # type: ignore[no-untyped-call]
            self._all_readers.append(conn)
            self._pool.put_nowait(conn)

    def _connect_writer(self) -> sqlite3.Connection:
        parent = Path(self.path).expanduser().resolve().parent
        if self.path != ":memory:" and not parent.is_dir():
            raise StoreError(f"cannot open SQLite database {self.path}: folder {parent} does not exist")
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            prepare_connection(conn, writer=True)
            # The writer runs on the event loop and must never wait inside SQLite: a write lock held by
            # another process (a CLI import, say) is retried with backoff instead (see _flush).
            conn.execute("PRAGMA busy_timeout = 0")
            conn.execute(f"PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite database {self.path}: {exc}") from None
        return conn

    async def close(self) -> None:
        if self._conn is not None:  # settle what is queued before closing
            self.commits.drain()
        if self._checkpointer is not None:
            await asyncio.to_thread(self._checkpointer.stop)
            self._checkpointer = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for conn in self._all_readers:
            await conn.close()
        self._all_readers.clear()

    # -- writes -----------------------------------------------------------------------------------
    def _flush(self, jobs: list[Job]) -> None:
        """One batch, synchronously on the loop thread: its SQLite work takes microseconds per rating, and
        a writer thread, measured, cost more in GIL and wake-up hand-offs than it saved. It commits once
        and then settles every job's future: a job is acknowledged only after the commit holding it."""
        assert self._tx is not None, "store is not open"
        try:
            outcomes = run_inline(run_batch(self._tx, jobs, drive_inline, "BEGIN IMMEDIATE"))
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                fail_all(jobs, exc)  # read-only, full, damaged: no use waiting (api/errors.py answers 503)
                return
            self._retry_later(jobs, exc)  # another process holds the write lock: try again soon
            return
        self._busy_since = None
        settle(outcomes)
        if self.health.down is not None and any(exc is None for _, _, exc in outcomes):
            self.health.recovered()

    def _retry_later(self, jobs: list[Job], exc: Exception) -> None:
        assert self._loop is not None
        now = self._loop.time()
        self._busy_since = self._busy_since or now
        if now - self._busy_since > self.busy_seconds:
            self._busy_since = None
            fail_all(jobs, StoreError(f"the SQLite database stayed locked by another process: {exc}"))
            return
        self.commits.retry_later(jobs, 0.005)

    def read_now(self, sql: str) -> Row | None:
        """A tiny read on the writer's own connection, synchronously, for checks made on every request.
        Between batches that connection holds no transaction, and its ``PRAGMA data_version`` changes only
        when another connection commits (another process: a CLI command), never for the writer's own
        commits, so it stays cheap (a few µs) while ratings stream in."""
        assert self._conn is not None, "store is not open"
        row: Row | None = self._conn.execute(sql).fetchone()
        return row

    # -- reads ------------------------------------------------------------------------------------
    async def read(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        assert self._pool is not None, "store is not open"
        conn = await self._pool.get()
        try:
            return await fn(AsyncTx(conn))
        finally:
            self._pool.put_nowait(conn)


class Checkpointer(threading.Thread):
    """Checkpoints the WAL every ``interval`` seconds on its own connection and thread.

    A PASSIVE checkpoint never blocks the writer or the readers, and the sqlite3 module lets go of the GIL
    while SQLite works, so the copying and the fsyncs cost the event loop nothing. Measured on the ingest
    path, the writer's own automatic checkpoints had doubled the mean cost of a commit.
    """

    def __init__(self, path: str, interval: float) -> None:
        super().__init__(name="hailong-checkpoint", daemon=True)
        self.path = path
        self.interval = interval
        self._stopping = threading.Event()
        self.checkpoints = 0

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            prepare_connection(conn, writer=False)  # query_only: a checkpoint writes no transaction
            while not self._stopping.wait(self.interval):
                self.checkpoint(conn)
            self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error as exc:  # the next round tries again; the writer's own safety net remains
            log.warning("WAL checkpoint of %s failed: %s", self.path, exc)

    def stop(self) -> None:
        self._stopping.set()
        self.join()


def run_inline(coro: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never suspends: the writer's transaction answers synchronously."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("the SQLite writer's batch suspended")  # drive_inline stops any job that would
