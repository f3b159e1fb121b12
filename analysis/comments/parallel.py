"""Run a function over halves of a list in forked worker processes (2 cores), serially when small."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_WORK: list[Any] = []


def workers() -> int:
    wanted = int(os.environ.get("HAILONG_WORKERS", "0")) or min(2, os.cpu_count() or 1)
    return max(1, wanted) if "fork" in multiprocessing.get_all_start_methods() else 1


def _run(index: int) -> Any:
    func, chunks = _WORK[0]
    return func(chunks[index])


def chunked(func: Callable[[Sequence[T]], R], items: Sequence[T], minimum: int = 20_000) -> list[R]:
    """``[func(part) for part in parts]`` over contiguous parts of ``items``, one per worker."""
    n = workers() if len(items) >= minimum else 1
    size = -(-len(items) // n) if items else 0
    parts = [items[i * size : (i + 1) * size] for i in range(n)] if n > 1 else [items]
    if n == 1:
        return [func(parts[0])]
    _WORK[:] = [(func, parts)]
    try:
        return _pool_map(_run, n, n)
    finally:
        _WORK.clear()


def _pool_map(func: Callable[[int], Any], count: int, processes: int) -> list[Any]:
    gc.freeze()  # children would otherwise copy every page the collector touches
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            return pool.map(func, range(count))
    finally:
        gc.unfreeze()


def fork_map(func: Callable[[int], R], count: int) -> list[R]:
    """``[func(i) for i in range(count)]`` in forked processes (each with its own C random state)."""
    if workers() == 1 or count == 1:
        return [func(i) for i in range(count)]
    _WORK[:] = [(func, None)]
    try:
        return _pool_map(_call, count, min(workers(), count))
    finally:
        _WORK.clear()


def _call(index: int) -> Any:
    return _WORK[0][0](index)
