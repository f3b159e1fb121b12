"""The storage interface every domain's query module is written against.

SQL uses named parameters (``:name``) in the common subset of SQLite and PostgreSQL; each store
translates them to its own placeholder style. A hot statement may instead use positional ``?``
placeholders with a sequence of values: binding by name costs SQLite a lookup per parameter, which
for a many-row INSERT is about half the statement's time. Domain write functions are ``async def f(tx, ...)``
and may await only the methods of ``tx``: api/db/commit.py states the whole write contract, which both
stores enforce the same way.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from api.db.commit import GroupCommit
    from api.db.errors import StoreHealth

Row = dict[str, Any]
Params = Mapping[str, Any] | Sequence[Any] | None  # a mapping for :name, a sequence for ?
T = TypeVar("T")
Item = TypeVar("Item")
R = TypeVar("R")


class StoreError(Exception):
    """A store that cannot be opened or reached: one clear line for the operator."""


class Tx(Protocol):
    """One transaction (or, for reads, one connection)."""

    dialect: str

    async def fetch_all(self, sql: str, params: Params = None) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Params = None) -> Row | None: ...

    async def fetch_val(self, sql: str, params: Params = None) -> Any: ...

    async def execute(self, sql: str, params: Params = None) -> int: ...

    async def execute_many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None: ...


class Store(abc.ABC):
    """Base of both stores (a class, not a Protocol, so dependency injection can check it cheaply)."""

    dialect: str
    url: str

    @abc.abstractmethod
    async def open(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    # The queue of writes waiting for their transaction (api/db/commit.py), and whether the store takes
    # work (api/db/errors.py): made by each store's __init__.
    commits: GroupCommit
    health: StoreHealth

    async def write(self, fn: Callable[[Tx], Awaitable[T]]) -> T:
        """Run ``fn`` in a transaction; return once that transaction has committed. ``fn`` may await only
        the methods of its ``tx``: the contract is in api/db/commit.py."""
        result: T = await self.commits.submit(None, fn)
        return result

    async def write_batched(
        self, runner: Callable[[Tx, list[Item]], Awaitable[Sequence[R | BaseException]]], item: Item
    ) -> R:
        """Queue ``item`` for ``runner``: the items queued close together run as one call
        ``runner(tx, items)`` in one transaction (group commit, api/db/commit.py)."""
        result: R = await self.commits.submit(runner, item)
        return result

    async def insert_rows(self, table: str, columns: Sequence[str], records: Sequence[Sequence[Any]]) -> None:
        """Bulk-load ``records`` (tuples in the order of ``columns``) into ``table``, in one transaction: one
        prepared INSERT run for every record here; PostgreSQL overrides it with COPY. ``table`` and
        ``columns`` are the code's own names, never a caller's text."""
        marks = ", ".join(f":p{i}" for i in range(len(columns)))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - the code's own names
        params = [{f"p{i}": value for i, value in enumerate(record)} for record in records]
        if params:
            await self.write(lambda tx: tx.execute_many(sql, params))

    @abc.abstractmethod
    async def read(self, fn: Callable[[Tx], Awaitable[T]]) -> T:
        """Run ``fn`` on a read connection."""

    async def fetch_all(self, sql: str, params: Params = None) -> list[Row]:
        return await self.read(lambda tx: tx.fetch_all(sql, params))

    async def fetch_one(self, sql: str, params: Params = None) -> Row | None:
        return await self.read(lambda tx: tx.fetch_one(sql, params))

    async def ping(self) -> None:
        await self.fetch_one("SELECT 1 AS ok")


async def fetch_id(tx: Tx, sql: str, params: Params = None) -> int | None:
    """The id a query answers (``SELECT id …`` or ``INSERT … RETURNING id``); None when there is no row,
    e.g. when ``ON CONFLICT DO NOTHING`` skipped the insert."""
    value = await tx.fetch_val(sql, params)
    return None if value is None else int(value)


def now_ms() -> int:
    """Server time as UTC epoch milliseconds: how every instant is stored."""
    return time.time_ns() // 1_000_000
