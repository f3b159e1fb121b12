"""Revocation reaches every worker and process on the next request.

Each revocation (``hailong apikey revoke``, ``hailong kiosk revoke``, ``POST …/revoke``) calls
:func:`announce` in its own transaction: it bumps ``auth_epoch`` and, on PostgreSQL, sends
``NOTIFY hailong_auth``. Every API process holds a :class:`Watcher` that its credential cache asks, on each
request, whether anything was revoked since it last asked:

* SQLite: ``PRAGMA data_version`` on a connection of its own says whether any other connection committed
  since (a few microseconds, no I/O beyond the shared memory index); only then is ``auth_epoch`` read.
  Both run on the event loop, once per loop turn: the requests read in one turn arrived together and share
  one look (under load a turn carries dozens of them).
* PostgreSQL: a connection of its own LISTENs; a notification marks the cache stale. While that connection
  is down, nothing is cached (each request looks its credential up) and it reconnects in the background.
  A revocation returns only :data:`SETTLE_SECONDS` after its commit (:func:`settle`), when every listening
  worker has long heard of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from typing import Any

from api.db import Store, Tx
from api.db.sqlite import SQLiteStore

CHANNEL = "hailong_auth"
log = logging.getLogger("hailong.auth")


async def announce(tx: Tx) -> None:
    """Call in the transaction that revokes a key or a device."""
    await tx.execute(
        "INSERT INTO auth_epoch (id, epoch) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET epoch = auth_epoch.epoch + 1"
    )
    if tx.dialect == "postgresql":
        await tx.execute(f"NOTIFY {CHANNEL}")


# PostgreSQL delivers NOTIFY to every listener within milliseconds of the commit. A revocation returns (and
# the CLI says "revoked") only after this pause, so that by then every worker has heard it.
SETTLE_SECONDS = 0.1


async def settle(store: Store) -> None:
    """Call after the revoking transaction committed."""
    if store.dialect == "postgresql":
        await asyncio.sleep(SETTLE_SECONDS)


class Watcher:
    """``changed()``: was anything revoked since the last call? ``reliable``: may results be cached at all?"""

    reliable = True

    async def start(self) -> None:
        return None

    def changed(self) -> bool:
        return False

    async def close(self) -> None:
        return None


class SQLiteWatcher(Watcher):
    """Asks the store's writer connection (``SQLiteStore.read_now``): its ``data_version`` moves only when
    another process commits, and only then is the epoch read. Measured: a separate connection's
    ``data_version`` costs about 45 µs after each of the writer's own commits; this costs about 4 µs."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self._version = -1
        self._epoch = -1
        self._this_turn = False

    def _next_turn(self) -> None:
        self._this_turn = False

    async def start(self) -> None:
        self.changed()

    def changed(self) -> bool:
        if self._this_turn:  # the requests of one loop turn arrived together: one look answers them all
            return False
        self._this_turn = True
        asyncio.get_running_loop().call_soon(self._next_turn)
        try:
            row = self.store.read_now("PRAGMA data_version")
            version = next(iter(row.values())) if row else -1
            if version == self._version:
                return False
            self._version = version
            found = self.store.read_now("SELECT epoch FROM auth_epoch WHERE id = 1")
        except (sqlite3.Error, AssertionError):
            return True
        epoch = int(found["epoch"]) if found else 0
        if epoch == self._epoch:
            return False
        self._epoch = epoch
        return True


class PostgresWatcher(Watcher):
    RETRY_SECONDS = 1.0

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.reliable = False
        self._stale = True
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        await self._connect()
        if not self.reliable:
            self._task = asyncio.ensure_future(self._reconnect())

    async def _connect(self) -> None:
        import asyncpg

        try:
            conn = await asyncpg.connect(self.dsn, timeout=5)
            await conn.add_listener(CHANNEL, self._notified)
        except Exception as exc:
            log.warning("cannot listen for revocations (%s); credentials are checked on every request", exc)
            return
        conn.add_termination_listener(self._lost)
        self._conn = conn
        self._stale = True  # whatever was missed while not listening
        self.reliable = True

    def _notified(self, *_: Any) -> None:
        self._stale = True

    def _lost(self, *_: Any) -> None:
        self.reliable = False
        self._conn = None
        if not self._closing and (self._task is None or self._task.done()):
            self._task = asyncio.ensure_future(self._reconnect())

    async def _reconnect(self) -> None:
        while not self._closing and not self.reliable:
            await asyncio.sleep(self.RETRY_SECONDS)
            await self._connect()

    def changed(self) -> bool:
        stale, self._stale = self._stale, False
        return stale

    async def close(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=5)


def watcher_for(store: Store) -> Watcher:
    if isinstance(store, SQLiteStore):
        return SQLiteWatcher(store)
    from api.db.postgres import split_url

    return PostgresWatcher(split_url(store.url)[0])
