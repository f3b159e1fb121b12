"""PostgreSQL store: an asyncpg connection pool behind the same interface as the SQLite store.

The URL is a libpq-style ``postgresql://user:password@host:port/database``. hailong reads and strips
three extra query parameters: ``search_path=NAME`` (the schema to work in; it must exist),
``pool_min`` and ``pool_max``; every other parameter is passed on to asyncpg.

Portability notes for query modules (the SQLite store behaves the same way for all of these):
``numeric`` results (``SUM`` of a BIGINT, ``AVG``) are decoded as ``int``/``float``, not ``Decimal``;
a failed statement aborts the whole ``write`` transaction, so use ``INSERT … ON CONFLICT`` rather
than catching an integrity error inside ``fn`` and carrying on.
"""

from __future__ import annotations

import asyncio
import errno
import re
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import asyncpg

from api.db.base import Params, Row, Store, StoreError
from api.db.commit import POSTGRES_GATHER_TURNS, GroupCommit, Job, drive_guarded, fail_all, run_batch, settle
from api.db.errors import StoreHealth

T = TypeVar("T")

CONNECT_TIMEOUT_S = 5.0
_LOCAL_PARAMS = ("search_path", "pool_min", "pool_max")

# A SQL text split into the parts the translation must leave alone: quoted strings, quoted
# identifiers, comments, ``::`` casts; and the ``:name`` or ``?`` parameters it must replace.
_TOKENS = re.compile(
    r"""('(?:[^']|'')*')|("(?:[^"]|"")*")|(--[^\n]*)|(/\*.*?\*/)|(::)|:([A-Za-z_][A-Za-z0-9_]*)|(\?)""",
    re.DOTALL,
)


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, tuple[str, ...]]:
    """``:name`` placeholders → ``$1…$n``; returns the new SQL and the parameter names in order.
    Positional ``?`` placeholders are numbered in order and leave the names empty."""
    names: list[str] = []
    positional = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal positional
        if match.group(7) is not None:
            positional += 1
            return f"${positional}"
        name = match.group(6)
        if name is None:
            return match.group(0)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    query = _TOKENS.sub(replace, sql)
    if names and positional:
        raise ValueError("SQL mixes :name and ? parameters")
    return query, tuple(names)


def _args(names: tuple[str, ...], params: Params) -> Sequence[Any]:
    if params is not None and not isinstance(params, Mapping):
        return params  # positional ``?`` values, in order
    if not names:
        return []
    if params is None:
        raise ValueError(f"SQL parameter :{names[0]} has no value")
    try:
        return [params[name] for name in names]
    except KeyError as missing:
        raise ValueError(f"SQL parameter :{missing.args[0]} has no value") from None


def _rowcount(status: str) -> int:
    """``INSERT 0 5`` → 5, ``UPDATE 3`` → 3, ``CREATE TABLE`` → 0."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _decode_numeric(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


async def _prepare_connection(conn: asyncpg.Connection) -> None:
    """The one place every pooled connection is prepared."""
    await conn.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=_decode_numeric, format="text")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """A connection back in the pool keeps its session as it is. asyncpg has already rolled back a
    transaction left open; its default reset would also send ``RESET ALL; UNLISTEN *; CLOSE ALL;
    pg_advisory_unlock_all()``, a round trip after every batch and read, for state hailong never leaves on
    a pooled connection (settings are given at connect; LISTEN has a connection of its own in
    api/revocation.py; no advisory locks; cursors live inside transactions). Measured on the ingest bench:
    the reset was about a tenth of a rating's CPU time in the worker."""


class PgTx:
    """One pooled connection, inside a transaction for writes. ``depth`` is how many of its calls are in
    progress: a write function that suspends while it is 0 awaited something else (api/db/commit.py)."""

    dialect = "postgresql"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.depth = 0

    async def fetch_all(self, sql: str, params: Params = None) -> list[Row]:
        query, names = translate(sql)
        self.depth += 1
        try:
            return [dict(r) for r in await self.conn.fetch(query, *_args(names, params))]
        finally:
            self.depth -= 1

    async def fetch_one(self, sql: str, params: Params = None) -> Row | None:
        query, names = translate(sql)
        self.depth += 1
        try:
            row = await self.conn.fetchrow(query, *_args(names, params))
        finally:
            self.depth -= 1
        return None if row is None else dict(row)

    async def fetch_val(self, sql: str, params: Params = None) -> Any:
        query, names = translate(sql)
        self.depth += 1
        try:
            return await self.conn.fetchval(query, *_args(names, params))
        finally:
            self.depth -= 1

    async def execute(self, sql: str, params: Params = None) -> int:
        query, names = translate(sql)
        self.depth += 1
        try:
            return _rowcount(await self.conn.execute(query, *_args(names, params)))
        finally:
            self.depth -= 1

    async def execute_many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        query, names = translate(sql)
        if not rows:
            return
        self.depth += 1
        try:
            await self.conn.executemany(query, [_args(names, row) for row in rows])
        finally:
            self.depth -= 1


class PostgresStore(Store):
    dialect = "postgresql"

    def __init__(self, url: str, *, min_size: int | None = None, max_size: int | None = None) -> None:
        self.url = url
        self.dsn, self.search_path, local = split_url(url)
        self.min_size = min_size if min_size is not None else local.get("pool_min", 1)
        self.max_size = max_size if max_size is not None else local.get("pool_max", 10)
        self._pool: asyncpg.Pool | None = None
        self.commits = GroupCommit(self._flush, POSTGRES_GATHER_TURNS)
        self.health = StoreHealth(url)
        self._committing: set[asyncio.Future[None]] = set()

    # -- life cycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        settings = {"application_name": "hailong"}
        if self.search_path:
            settings["search_path"] = self.search_path
        try:
            self._pool = await asyncpg.create_pool(
                self.dsn,
                min_size=self.min_size,
                max_size=max(self.max_size, self.min_size),
                timeout=CONNECT_TIMEOUT_S,
                server_settings=settings,
                init=_prepare_connection,
                reset=_keep_session,
            )
        except Exception as exc:
            raise StoreError(describe_connect_error(self.dsn, exc)) from None
        if self.search_path and "," not in self.search_path:
            found = await self._pool.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = $1", self.search_path)
            if not found:
                await self.close()
                raise StoreError(
                    f"PostgreSQL schema {self.search_path!r} does not exist in {target(self.dsn)}: "
                    f'create it first (CREATE SCHEMA "{self.search_path}")'
                )

    async def close(self) -> None:
        self.commits.drain()
        await asyncio.gather(*self._committing, return_exceptions=True)
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), timeout=10)
        except TimeoutError:
            pool.terminate()

    def _schema(self) -> str | None:
        return self.search_path if self.search_path and "," not in self.search_path else None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("store is not open")
        return self._pool

    # -- work -------------------------------------------------------------------------------------
    def _flush(self, jobs: list[Job]) -> None:
        task = asyncio.ensure_future(self._commit(jobs))
        self._committing.add(task)
        task.add_done_callback(self._committing.discard)

    async def _commit(self, jobs: list[Job]) -> None:
        """One batch in one pooled connection's transaction; batches overlap, each on its own connection."""
        try:
            async with self.pool.acquire() as conn:
                tx = PgTx(conn)
                outcomes = await run_batch(tx, jobs, drive_guarded(tx), "BEGIN")
        except Exception as exc:  # no connection, or BEGIN failed: nothing of the batch was stored
            fail_all(jobs, exc)
            return
        settle(outcomes)
        if self.health.down is not None and any(exc is None for _, _, exc in outcomes):
            self.health.recovered()

    async def read(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        """Run ``fn`` in a read-only REPEATABLE READ transaction: one consistent snapshot."""
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            return await fn(PgTx(conn))

    async def fetch_all(self, sql: str, params: Params = None) -> list[Row]:
        async with self.pool.acquire() as conn:
            return await PgTx(conn).fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = None) -> Row | None:
        async with self.pool.acquire() as conn:
            return await PgTx(conn).fetch_one(sql, params)

    async def ping(self) -> None:
        await self.fetch_one("SELECT 1 AS ok")

    async def insert_rows(self, table: str, columns: Sequence[str], records: Sequence[Sequence[Any]]) -> None:
        """``Store.insert_rows`` by COPY: one round trip for the lot instead of one bound INSERT per record."""
        if records:
            await self.copy_records(table, columns, records)

    async def copy_records(self, table: str, columns: Sequence[str], records: Sequence[Sequence[Any]]) -> None:
        """Bulk-load rows with COPY (used by ``hailong store copy``); one transaction per call."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.copy_records_to_table(table, columns=list(columns), records=records, schema_name=self._schema())


# -- URL handling and errors ----------------------------------------------------------------------
def split_url(url: str) -> tuple[str, str | None, dict[str, int]]:
    """Strip hailong's own query parameters; return (asyncpg DSN, search_path, pool settings)."""
    parts = urlsplit(url.strip())
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError as exc:
        raise StoreError(f"bad database URL: {exc}") from None
    kept: list[tuple[str, str]] = []
    search_path: str | None = None
    local: dict[str, int] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "search_path":
            search_path = value or None
        elif key in _LOCAL_PARAMS:
            if not value.isdigit() or int(value) < 1:
                raise StoreError(f"bad database URL: {key} must be a whole number ≥ 1, not {value!r}")
            local[key] = int(value)
        else:
            kept.append((key, value))
    scheme = "postgresql" if parts.scheme == "postgres" else parts.scheme
    dsn = urlunsplit((scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))
    return dsn, search_path, local


def target(dsn: str) -> str:
    """``user@host:port/database`` for messages: never the password."""
    parts = urlsplit(dsn)
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    user = unquote(parts.username or "") or "(default user)"
    database = unquote(parts.path.lstrip("/")) or "(default database)"
    return f"{user}@{parts.hostname or 'localhost'}:{port}/{database}"


def describe_connect_error(dsn: str, exc: BaseException) -> str:
    """One line for the operator, whatever asyncpg or the socket layer raised."""
    where = target(dsn)
    host = where.split("@", 1)[1].split("/", 1)[0]
    if isinstance(exc, TimeoutError):
        return f"cannot reach PostgreSQL at {host}: no answer within {CONNECT_TIMEOUT_S:g} s"
    if isinstance(exc, socket.gaierror):
        return f"cannot reach PostgreSQL at {host}: unknown host name"
    if isinstance(exc, ConnectionRefusedError) or (
        isinstance(exc, OSError) and (exc.errno == errno.ECONNREFUSED or "Connect call failed" in str(exc))
    ):
        return f"cannot reach PostgreSQL at {host}: connection refused"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"PostgreSQL database does not exist: {where}"
    if isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        return f"PostgreSQL refused the login {where}: {_first_line(exc)}"
    if isinstance(exc, asyncpg.PostgresError):
        return f"PostgreSQL refused the connection {where}: {_first_line(exc)}"
    if isinstance(exc, ValueError | asyncpg.ClientConfigurationError):
        return f"bad database URL for {where}: {_first_line(exc)}"
    if isinstance(exc, OSError):
        return f"cannot reach PostgreSQL at {host}: {exc.strerror or _first_line(exc)}"
    return f"cannot connect to PostgreSQL {where}: {type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
