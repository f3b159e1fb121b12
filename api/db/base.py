"""The storage interface every domain's query module is written against.

SQL uses named parameters (``:name``) in the common subset of SQLite and PostgreSQL; each store
translates them to its own placeholder style. A hot statement may instead use positional ``?``
placeholders with a sequence of values: binding by name costs SQLite a lookup per parameter, which
for a many-row INSERT is about half the statement's time. Domain write functions are ``async def f(tx, ...)``
and may only await methods of ``tx``: the SQLite store runs them synchronously in its one writer
(several per transaction), the PostgreSQL store awaits them in a pooled connection's transaction.
"""

from __future__ import annotations

import abc
import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

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


# The SQLite writer gathers the writes queued in one turn of the event loop, and keeps gathering for up
# to this many more turns while each turn brings new ones: requests whose bytes arrived a moment after
# the first join its commit. A lone write waits one turn (microseconds). Measured at 32 clients: the mean
# batch went from about 14 to about 31 ratings, and what storage adds to a rating's server CPU time from
# about 25 µs to under 10 µs. PostgreSQL, whose transactions wait on the network and overlap, measured no
# better with it (4,400 ratings/s against 4,800-5,300 without, single runs), so its batches stay at one turn.
GATHER_TURNS = 2


class Gather:
    """Calls ``flush`` on the next turn of the event loop, or, given ``turns``, once a turn adds nothing
    to ``size()`` or after that many more turns that did."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, size: Callable[[], int], flush: Callable[[], Any], turns: int = 0
    ) -> None:
        self.loop, self.size, self.flush = loop, size, flush
        self.turns, self.seen = turns, 0
        self.handle: asyncio.Handle | None = loop.call_soon(self._turn)

    def _turn(self) -> None:
        size = self.size()
        if self.turns == 0 or size == self.seen:
            self.handle = None
            self.flush()
            return
        self.turns, self.seen = self.turns - 1, size
        self.handle = self.loop.call_soon(self._turn)

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


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
        """Queue ``item`` for ``runner``: the items queued close together (see GATHER_TURNS) run as one
        call ``runner(tx, items)`` in one transaction (group commit). ``runner`` returns one result per
        item, in order; a result that is an exception is raised for that item alone. If the whole call
        fails, each item runs again in a transaction of its own, so one bad item cannot sink the rest."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        groups: dict[Any, list[tuple[Any, asyncio.Future[Any]]]] = self.__dict__.setdefault("_groups", {})
        group = groups.setdefault(runner, [])
        group.append((item, fut))
        if len(group) == 1:
            Gather(loop, group.__len__, lambda: _keep(asyncio.ensure_future(self._flush_group(runner))))
        result = await fut
        return result  # type: ignore[no-any-return]

    async def _flush_group(self, runner: BatchRunner[Any, Any]) -> None:
        group = self.__dict__["_groups"].pop(runner)
        try:
            results = await self.write(lambda tx: runner(tx, [item for item, _ in group]))
        except Exception:
            for item, fut in group:
                try:
                    result = (await self.write(partial(_one, runner, item)))[0]
                except Exception as exc:
                    result = exc
                _resolve(fut, result)
            return
        for (_, fut), result in zip(group, results, strict=True):
            _resolve(fut, result)

    @abc.abstractmethod
    async def read(self, fn: Callable[[Tx], Awaitable[T]]) -> T:
        """Run ``fn`` on a read connection."""

    async def fetch_all(self, sql: str, params: Params = None) -> list[Row]:
        return await self.read(lambda tx: tx.fetch_all(sql, params))

    async def fetch_one(self, sql: str, params: Params = None) -> Row | None:
        return await self.read(lambda tx: tx.fetch_one(sql, params))

    async def ping(self) -> None:
        await self.fetch_one("SELECT 1 AS ok")


_TASKS: set[asyncio.Future[Any]] = set()


def _keep(task: asyncio.Future[Any]) -> None:
    """Hold a reference to a fire-and-forget task until it is done."""
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


def _one(runner: BatchRunner[Any, Any], item: Any, tx: Tx) -> Awaitable[list[Any]]:
    return runner(tx, [item])


def _resolve(fut: asyncio.Future[Any], result: Any) -> None:
    if fut.done():
        return
    if isinstance(result, BaseException):
        fut.set_exception(result)
    else:
        fut.set_result(result)


async def fetch_id(tx: Tx, sql: str, params: Params = None) -> int | None:
    """The id a query answers (``SELECT id …`` or ``INSERT … RETURNING id``); None when there is no row,
    e.g. when ``ON CONFLICT DO NOTHING`` skipped the insert."""
    value = await tx.fetch_val(sql, params)
    return None if value is None else int(value)


def now_ms() -> int:
    """Server time as UTC epoch milliseconds: how every instant is stored."""
    return time.time_ns() // 1_000_000
