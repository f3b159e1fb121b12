"""``fill_demo``: an empty, migrated store filled with the demo province, the same for a seed.

Everything is derived from ``random.Random(seed)`` and the fixed span ending 2026-10-31 (24 months for
``small``, one year for ``province``; never the wall clock), so two runs give identical rows. Rows carry
explicit ids and go in with ``execute_many``, about 20,000 per transaction, while the next batch is
generated: memory stays bounded at ``province`` scale.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from api.db import Store, Tx
from api.demo.activity import Activity, Batch
from api.demo.calendar import DAY_MS, FIRST_MS, LAST_MS
from api.demo.tree import Tree, build
from api.errors import Conflict

Scale = Literal["small", "province"]
TABLES = (
    "units",
    "counters",
    "officers",
    "counter_duty",
    "procedures",
    "devices",
    "dossiers",
    "ratings",
    "rating_reasons",
    "responses",
    "answers",
)
CHUNK = 20_000
REF_MS = FIRST_MS - 90 * DAY_MS  # when the reference data "was created"


@dataclass(frozen=True)
class DemoSummary:
    scale: str
    seed: int
    counts: dict[str, int]
    seconds: float
    planted: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"Demo province ({self.scale}, seed {self.seed}) filled in {self.seconds:.1f} s:"]
        lines += [f"  {table:<16} {n:>10,}" for table, n in self.counts.items()]
        lines += ["Planted for the analysis to find:"] + [f"  {k:<26} {v}" for k, v in self.planted.items()]
        return "\n".join(lines)


def _insert(table: str, rows: Sequence[Mapping[str, Any]]) -> str:
    cols = list(rows[0])
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"  # noqa: S608


async def _put(tx: Tx, tables: Sequence[tuple[str, Sequence[Mapping[str, Any]]]]) -> None:
    for table, rows in tables:
        if rows:
            await tx.execute_many(_insert(table, rows), rows)


def reference_rows(tree: Tree) -> list[tuple[str, list[dict[str, Any]]]]:
    stamp = {"created_at": REF_MS, "updated_at": REF_MS}
    units = [
        {
            "id": u.id,
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "parent_id": u.parent_id,
            "timezone": "Asia/Ho_Chi_Minh",
            "rating_scale": u.scale,
            **stamp,
        }
        for u in tree.units
    ]
    officers = [
        {
            "id": o.id,
            "code": o.code,
            "unit_id": o.unit_id,
            "full_name": o.full_name,
            "title": o.title,
            "active": 1,
            **stamp,
        }
        for u in tree.units
        for o in u.officers
    ]
    counters = [c for u in tree.units for c in u.counters]
    last_week = (LAST_MS - FIRST_MS) // (7 * DAY_MS)
    week_start = FIRST_MS + last_week * 7 * DAY_MS
    duty = [
        {
            "counter_id": c.id,
            "officer_id": (
                c.roster[0]
                if len(c.roster) == 1 or (last_week * 31 + c.id) % 10 < 7
                else c.roster[1 + last_week % (len(c.roster) - 1)]
            ).id,
            "since_at": week_start,
        }
        for c in counters
    ]
    return [
        ("units", units),
        (
            "counters",
            [
                {"id": c.id, "code": c.code, "unit_id": c.unit_id, "name": c.name, "active": 1, **stamp}
                for c in counters
            ],
        ),
        ("officers", officers),
        ("counter_duty", duty),
        (
            "procedures",
            [
                {"id": pid, "code": p.code, "name": p.name, "field": p.field, "legal_days": p.legal_days, **stamp}
                for pid, p in tree.procedures
            ],
        ),
        (
            "devices",
            [
                {
                    "id": c.id,
                    "code": f"{c.code}-K1",
                    "counter_id": c.id,
                    "name": f"Kiosk {c.name}",
                    "token_hash": None,
                    "paired_at": REF_MS,
                    "last_seen_at": LAST_MS,
                    "revoked_at": None,
                    "app_version": "1.0.0",
                    "backlog": 0,
                    "created_at": REF_MS,
                }
                for c in counters
            ],
        ),
    ]


def _batch_tables(batch: Batch) -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        ("dossiers", batch.dossiers),
        ("responses", batch.responses),
        ("answers", batch.answers),
        ("ratings", batch.ratings),
        ("rating_reasons", batch.reasons),
    ]


async def fill_demo(
    store: Store,
    *,
    scale: Scale = "small",
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
    first: date | None = None,
    dossiers: int | None = None,
) -> DemoSummary:
    """Fill an empty, migrated store with the demo province. Refuses a store that already has units.

    ``first`` starts the activity later than the scale's first day (tests of scale-free properties);
    ``dossiers`` changes the yearly volume (benchmarks at sizes between the two scales)."""
    if scale not in ("small", "province"):
        raise ValueError(f"scale must be 'small' or 'province', not {scale!r}")
    if await store.fetch_one("SELECT 1 AS x FROM units") is not None:
        raise Conflict("This database already has units; demo data goes only into an empty database.", code="not-empty")
    started = time.perf_counter()
    rng = random.Random(seed)
    tree = build(rng, scale)
    await store.write(lambda tx: _put(tx, reference_rows(tree)))
    activity = Activity(rng, tree, scale, first, dossiers)
    pending: asyncio.Task[None] | None = None
    month = None
    for day in activity.span:
        if progress and day.day.month != month:
            month = day.day.month
            progress(f"demo data: {day.day:%Y-%m} ({activity.rating_id:,} ratings so far)")
        activity.day(day)
        if activity.batch.size() >= CHUNK or day is activity.span[-1]:
            tables = _batch_tables(activity.batch)
            activity.batch = Batch()
            if pending is not None:
                await pending  # one write in flight: order (and foreign keys) kept on every store
            pending = asyncio.ensure_future(store.write(lambda tx, t=tables: _put(tx, t)))  # type: ignore[misc]
    if pending is not None:
        await pending
    if store.dialect == "postgresql":
        await store.write(_reset_identities)
    from api.insights import rollups

    if progress:
        progress("demo data: rolling up the ratings")
    await rollups.refresh(store)  # as the API process keeps them, so a batch on the demo starts current
    counts = {}
    for table in TABLES:
        counts[table] = int((await store.fetch_one(f"SELECT count(*) AS n FROM {table}") or {"n": 0})["n"])  # noqa: S608
    return DemoSummary(scale, seed, counts, time.perf_counter() - started, dict(tree.planted))


async def _reset_identities(tx: Tx) -> None:
    """Explicit ids leave PostgreSQL identity sequences behind; move them past the rows."""
    for table in ("units", "counters", "officers", "procedures", "devices", "dossiers", "ratings", "responses"):
        await tx.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
            f" COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
