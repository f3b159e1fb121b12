"""Group commit: how every write reaches the database, on both stores. One implementation.

The write contract, for the author of a new domain
--------------------------------------------------
A *write function* is ``async def f(tx: Tx, ...) -> T`` handed to ``Store.write(f)`` (or a *batch runner*
``async def r(tx: Tx, items: list[Item]) -> list[R | BaseException]`` handed to ``Store.write_batched``):

1. It may await **only the methods of its ``tx``**: not another store call, not ``asyncio.sleep``, not a
   network call, not a lock. Writes queued close together share one transaction and one commit; on SQLite
   that transaction runs synchronously on the event loop, so anything else would stall every request.
   Both stores check this the moment it is broken: the job fails with :class:`WriteContractError`, its
   own changes are undone, the other jobs of the batch are not affected.
2. It returns only once its transaction has committed (``await store.write(f)``): a job is acknowledged
   after the commit that holds it, never before. If the commit itself fails, every job of the batch gets
   that error and nothing of the batch is stored.
3. An exception raised by ``f`` undoes ``f``'s own changes (a savepoint) and is raised to its caller;
   the rest of the batch commits. On PostgreSQL a failed statement aborts the transaction, so do not
   catch a database error inside ``f`` and carry on: use ``INSERT … ON CONFLICT`` instead.
4. A batch runner returns one result per item, in order; a result that is an exception is raised for
   that item alone. If the runner's call raises, its items run again one by one, each in a savepoint.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from api.db.base import Tx

T = TypeVar("T")
Item = TypeVar("Item")
R = TypeVar("R")

WriteFn = Callable[[Tx], Awaitable[T]]
BatchRunner = Callable[[Tx, list[Item]], Awaitable[Sequence[R | BaseException]]]
Drive = Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]]


# How long a batch gathers. The SQLite writer takes the writes queued in one turn of the event loop, and
# keeps gathering for up to this many more turns while each turn brings new ones: requests whose bytes
# arrived a moment after the first join its commit. A lone write waits one turn (microseconds). Measured at
# 32 clients: the mean batch went from about 14 to about 31 ratings, and what storage adds to a rating's
# server CPU time from about 25 µs to under 10 µs. PostgreSQL, whose transactions wait on the network and
# overlap, measured no better with it, so its batches gather for one turn only.
SQLITE_GATHER_TURNS = 2
POSTGRES_GATHER_TURNS = 0


class WriteContractError(RuntimeError):
    """A write function awaited something other than the methods of its transaction."""


def contract_broken(coro: Coroutine[Any, Any, Any], awaited: object) -> WriteContractError:
    what = "a bare yield (asyncio.sleep(0)?)" if awaited is None else type(awaited).__name__
    return WriteContractError(
        f"write function {getattr(coro, '__qualname__', coro)!r} awaited {what}, not a method of its tx:"
        " a write function may await only its transaction's methods (see api/db/commit.py)"
    )


@dataclass(slots=True)
class Job:
    runner: Any  # a BatchRunner, or None for a plain write function
    payload: Any  # the write function, or the runner's item
    future: asyncio.Future[Any]


Outcome = tuple[asyncio.Future[Any], Any, BaseException | None]


class Gather:
    """Calls ``flush`` on the next turn of the event loop, or, given ``turns``, once a turn adds nothing
    to ``size()`` or after that many more turns that did."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, size: Callable[[], int], flush: Callable[[], Any], turns: int = 0
    ) -> None:
        self.loop, self.size, self.flush = loop, size, flush
        self.turns, self.seen = turns, 0
        self.handle: asyncio.Handle | asyncio.TimerHandle | None = loop.call_soon(self._turn)

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


class GroupCommit:
    """The queue of jobs waiting for their transaction. Jobs submitted during the same few loop turns are
    handed together to ``flush(jobs)``, which the store implements: one transaction, :func:`run_batch`,
    then :func:`settle`."""

    def __init__(self, flush: Callable[[list[Job]], None], turns: int) -> None:
        self._flush_jobs = flush
        self.turns = turns
        self.pending: list[Job] = []
        self.gather: Gather | None = None
        self.timer: asyncio.TimerHandle | None = None

    def submit(self, runner: Any, payload: Any) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self.pending.append(Job(runner, payload, future))
        if self.gather is None and self.timer is None:
            self.gather = Gather(loop, self.pending.__len__, self.flush, self.turns)
        return future

    def flush(self) -> None:
        self.gather = self.timer = None
        jobs, self.pending = self.pending, []
        if jobs:
            self._flush_jobs(jobs)

    def retry_later(self, jobs: list[Job], delay: float) -> None:
        """Put ``jobs`` back at the head of the queue and flush again after ``delay`` seconds."""
        self.pending = jobs + self.pending
        if self.gather is not None:
            self.gather.cancel()
            self.gather = None
        if self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(delay, self.flush)

    def drain(self) -> None:
        """Flush what is queued now (the store is closing)."""
        if self.gather is not None:
            self.gather.cancel()
        if self.timer is not None:
            self.timer.cancel()
        self.flush()


async def run_batch(tx: Tx, jobs: list[Job], drive: Drive, begin: str) -> list[Outcome]:
    """``begin``, every job, ``COMMIT``; the outcomes to settle once this returns. An error raised by
    ``begin`` itself propagates (nothing of the batch is committed); every later error ends up in the
    outcomes."""
    units = len({id(j.runner) if j.runner is not None else id(j) for j in jobs})
    isolate = units > 1  # one job alone needs no savepoint: its failure undoes the transaction
    while True:
        await tx.execute(begin)
        try:
            outcomes = await _run(tx, jobs, drive, isolate)
            await tx.execute("COMMIT")
            return outcomes
        except Exception as exc:
            with contextlib.suppress(Exception):
                await tx.execute("ROLLBACK")
            if isolate or len(jobs) == 1:
                return [(job.future, None, exc) for job in jobs]
            isolate = True  # one runner's call failed: again, each item in a savepoint of its own


async def _run(tx: Tx, jobs: list[Job], drive: Drive, isolate: bool) -> list[Outcome]:
    outcomes: list[Outcome] = []
    groups: dict[Any, list[Job]] = {}
    for job in jobs:
        if job.runner is None:
            outcomes.append(await _attempt(tx, drive, job, job.payload, (tx,), isolate))
        else:
            groups.setdefault(job.runner, []).append(job)
    for runner, members in groups.items():
        items = [job.payload for job in members]
        if not isolate:
            results = await drive(runner(tx, items))
            outcomes.extend(_per_item(members, results))
            continue
        whole = await _attempt(tx, drive, members[0], runner, (tx, items), True)
        if whole[2] is None:
            outcomes.extend(_per_item(members, whole[1]))
            continue
        for job in members:
            fut, results, exc = await _attempt(tx, drive, job, runner, (tx, [job.payload]), True)
            outcomes.append((fut, None, exc) if exc is not None else _per_item([job], results)[0])
    return outcomes


async def _attempt(tx: Tx, drive: Drive, job: Job, fn: Any, args: tuple[Any, ...], isolate: bool) -> Outcome:
    if not isolate:
        return (job.future, await drive(fn(*args)), None)
    await tx.execute("SAVEPOINT job")
    try:
        result = await drive(fn(*args))
    except Exception as exc:
        await tx.execute("ROLLBACK TO SAVEPOINT job")
        await tx.execute("RELEASE SAVEPOINT job")
        return (job.future, None, exc)
    await tx.execute("RELEASE SAVEPOINT job")
    return (job.future, result, None)


def _per_item(members: list[Job], results: Sequence[Any]) -> list[Outcome]:
    if len(results) != len(members):
        raise RuntimeError(f"a batch runner answered {len(results)} results for {len(members)} items")
    return [
        (job.future, None, r) if isinstance(r, BaseException) else (job.future, r, None)
        for job, r in zip(members, results, strict=True)
    ]


def settle(outcomes: list[Outcome]) -> None:
    for future, result, exc in outcomes:
        if future.done():
            continue
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)


def fail_all(jobs: list[Job], exc: BaseException) -> None:
    settle([(job.future, None, exc) for job in jobs])


class Depth(Protocol):
    depth: int


async def drive_inline(coro: Coroutine[Any, Any, T]) -> T:
    """Run a write function that must complete without suspending (SQLite: its tx never suspends)."""
    try:
        awaited = coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise contract_broken(coro, awaited)


def drive_guarded(tx: Depth) -> Drive:
    """Run a write function on a transaction whose methods suspend (PostgreSQL): every suspension must
    happen inside one of ``tx``'s methods (``tx.depth > 0``), or the contract is broken."""

    async def drive(coro: Coroutine[Any, Any, Any]) -> Any:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                awaited = coro.send(value) if error is None else coro.throw(error)
            except StopIteration as done:
                return done.value
            value = error = None
            if tx.depth <= 0:
                coro.close()
                raise contract_broken(coro, awaited)
            try:
                if awaited is None:
                    await asyncio.sleep(0)
                else:  # an asyncio future, as a Task would receive it
                    awaited._asyncio_future_blocking = False
                    await asyncio.wait([awaited])
            except BaseException as exc:  # cancelled while waiting: let the function clean up
                error = exc

    return drive
