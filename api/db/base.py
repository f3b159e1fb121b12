"""The storage interface every domain's query module is written against.

SQL uses named parameters (``:name``) in the common subset of SQLite and PostgreSQL; each store
translates them to its own placeholder style. Domain write functions are ``async def f(tx, ...)``
and may only await methods of ``tx``: the SQLite store runs them inside its single writer thread
(several per transaction), the PostgreSQL store awaits them in a pooled connection's transaction.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

Row = dict[str, Any]
Params = Mapping[str, Any] | None
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


WriteFn = Callable[[Tx], Awaitable[T]]
BatchRunner = Callable[[Tx, list[Item]], Awaitable[list[R | BaseException]]]


class Store(abc.ABC):
    """Base of both stores (a class, not a Protocol, so dependency injection can check it cheaply)."""

    dialect: str
    url: str

    @abc.abstractmethod
    async def open(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def write(self, fn: Callable[[Tx], Awaitable[T]]) -> T:
        """Run ``fn`` in a transaction; return once that transaction has committed."""

    async def write_batched(self, runner: BatchRunner[Item, R], item: Item) -> R:
        """Queue ``item`` for ``runner``. Items queued together may run as one call ``runner(tx, items)``
        in one transaction (the SQLite store does so: one statement for many rows). ``runner`` returns
        one result per item, in order; a result that is an exception is raised for that item alone.
        This default runs each item in a transaction of its own."""
        result = (await self.write(lambda tx: runner(tx, [item])))[0]
        if isinstance(result, BaseException):
            raise result
        return result

    @abc.abstractmethod
    async def read(self, fn: Callable[[Tx], Awaitable[T]]) -> T:
        """Run ``fn`` on a read connection."""

    async def fetch_all(self, sql: str, params: Params = None) -> list[Row]:
        return await self.read(lambda tx: tx.fetch_all(sql, params))

    async def fetch_one(self, sql: str, params: Params = None) -> Row | None:
        return await self.read(lambda tx: tx.fetch_one(sql, params))

    async def ping(self) -> None:
        await self.fetch_one("SELECT 1 AS ok")


def now_ms() -> int:
    """Server time as UTC epoch milliseconds: how every instant is stored."""
    return time.time_ns() // 1_000_000
