"""The rating rollups (api/insights/rollups.py) equal a direct count of the ratings, on both stores: after a
catch-up in small steps, with ratings inserted while it runs, and on PostgreSQL when a transaction holding a
lower id commits after a higher one was rolled up (the gap the watermark must not step over)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import date
from typing import Any

import pytest

from api.db import Store, Tx
from api.insights import queries, rollups
from api.insights.periods import months
from tests.harness import Harness, seed_reference

DAY_MS = 86_400_000
START = 1_735_664_400_000  # 2025-01-01 00:00 in Hanoi
PERIODS = [
    (date(2025, 1, 1), date(2025, 12, 31)),
    (date(2025, 2, 10), date(2025, 5, 3)),  # partial months at both ends
    (date(2025, 3, 1), date(2025, 3, 1)),  # one day
    (date(2025, 11, 15), date(2026, 2, 20)),
]
COLUMNS = (
    "idempotency_key, instrument, unit_id, counter_id, officer_id, source, level, scale, created_at, time_to_tap_ms"
)


async def _context(h: Harness) -> dict[str, Any]:
    await seed_reference(h)
    unit = (await h.rows("SELECT id FROM units WHERE code = 'HB.LS'"))[0]["id"]
    counters = [r["id"] for r in await h.rows("SELECT id FROM counters ORDER BY id")]
    officers = [r["id"] for r in await h.rows("SELECT id FROM officers ORDER BY id")]
    return {"unit": unit, "counters": counters, "officers": [*officers, None]}


def _ratings(ctx: dict[str, Any], rng: random.Random, count: int, tag: str) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        level = rng.choice((1, 2, 3))
        out.append(
            {
                "idempotency_key": f"{tag}-{i}",
                "instrument": "counter-3",
                "unit_id": ctx["unit"],
                "counter_id": rng.choice(ctx["counters"]),
                "officer_id": rng.choice(ctx["officers"]),
                "source": rng.choice(("kiosk", "kiosk", "staff", "integrator")),
                "level": level,
                "scale": 3,
                "created_at": START + rng.randrange(420 * DAY_MS),
                "time_to_tap_ms": rng.choice((None, 120, 250, 299, 300, 900, 4000)),
            }
        )
    return out


async def _insert(tx: Tx, rows: list[dict[str, Any]]) -> None:
    values = ", ".join(":" + c.strip() for c in COLUMNS.split(","))
    await tx.execute_many(f"INSERT INTO ratings ({COLUMNS}) VALUES ({values})", rows)


async def assert_equal_to_a_direct_count(store: Store) -> None:
    for first, last in PERIODS:
        m = months(first, last, "Asia/Ho_Chi_Minh")
        direct = await store.read(lambda tx, m=m: queries.ratings_by_month(tx, m, None, rollups.FAST_MS))  # type: ignore[misc]
        rolled = await store.read(lambda tx, m=m, f=first, t=last: rollups.ratings_by_month(tx, m, None, f, t))  # type: ignore[misc]

        def key(r: dict[str, Any]) -> tuple[int, ...]:
            return tuple(
                int(r[k] or 0) for k in ("counter_id", "officer_id", "source", "m", "n", "x", "top", "timed", "fast")
            )

        assert sorted(map(key, rolled)) == sorted(map(key, direct)), (first, last)
        assert sum(r["n"] for r in rolled) > 0 or (first, last) != PERIODS[0]
        heat = await store.read(lambda tx, m=m, f=first, t=last: rollups.hours(tx, m, None, f, t))  # type: ignore[misc]
        local = f"(r.created_at + {m.offset})"
        raw = await store.fetch_all(
            f"SELECT (({local} / 86400000) + 3) % 7 AS w, ({local} / 3600000) % 24 AS h, count(*) AS n,"
            f" sum({queries.SATISFIED}) AS x FROM ratings r WHERE r.created_at >= {m.lo} AND r.created_at < {m.hi}"
            " AND r.source <> 'staff' GROUP BY 1, 2"
        )
        assert heat == {(int(r["w"]), int(r["h"])): [int(r["n"]), int(r["x"])] for r in raw}


async def test_rollups_equal_a_direct_count_after_a_catch_up_in_steps(h: Harness) -> None:
    ctx = await _context(h)
    rng = random.Random(1)
    await h.store.write(lambda tx: _insert(tx, _ratings(ctx, rng, 3000, "a")))
    while True:  # small steps, as a long catch-up runs
        added, more = await h.store.write(lambda tx: rollups.step(tx, 700))
        assert added > 0
        if not more:
            break
    assert not await rollups.pending(h.store)
    await assert_equal_to_a_direct_count(h.store)
    await h.store.write(lambda tx: _insert(tx, _ratings(ctx, rng, 500, "b")))
    assert await rollups.refresh(h.store) == 500
    assert await rollups.refresh(h.store) == 0  # nothing counted twice
    await assert_equal_to_a_direct_count(h.store)


async def test_rollups_stay_exact_while_ratings_arrive_during_the_refresh(h: Harness) -> None:
    ctx = await _context(h)
    rng = random.Random(2)

    async def writer() -> None:
        for i in range(40):
            await h.store.write(lambda tx, i=i: _insert(tx, _ratings(ctx, rng, 50, f"w{i}")))  # type: ignore[misc]
            await asyncio.sleep(0)

    async def refresher() -> None:
        for _ in range(60):
            await rollups.refresh(h.store, chunk=37)
            await asyncio.sleep(0)

    await asyncio.gather(writer(), refresher(), refresher())
    await rollups.refresh(h.store)
    await assert_equal_to_a_direct_count(h.store)


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_a_lower_id_committed_after_a_higher_one_is_still_counted_once(h: Harness) -> None:
    import asyncpg

    from api.db.postgres import split_url

    ctx = await _context(h)
    rng = random.Random(3)
    await h.store.write(lambda tx: _insert(tx, _ratings(ctx, rng, 20, "before")))
    await rollups.refresh(h.store)
    dsn, search_path, _ = split_url(h.db_url)
    slow = await asyncpg.connect(dsn, server_settings={"search_path": search_path} if search_path else None)
    try:
        late = _ratings(ctx, rng, 3, "late")
        tx = slow.transaction()
        await tx.start()
        cols = [c.strip() for c in COLUMNS.split(",")]
        for row in late:  # takes the next ids, and holds them uncommitted
            await slow.execute(
                f"INSERT INTO ratings ({COLUMNS}) VALUES ({', '.join(f'${i + 1}' for i in range(len(cols)))})",
                *(row[c] for c in cols),
            )
        await h.store.write(lambda tx: _insert(tx, _ratings(ctx, rng, 10, "after")))  # higher ids, committed
        assert await rollups.refresh(h.store) == 10
        gaps = await h.rows("SELECT lo, hi FROM rollup_gaps")
        assert sum(int(g["hi"]) - int(g["lo"]) + 1 for g in gaps) >= 3  # the uncommitted ids are kept as a gap
        mark = (await h.rows("SELECT watermark FROM rollup_marks"))[0]["watermark"]
        held = await slow.fetch("SELECT id FROM ratings WHERE idempotency_key LIKE 'late-%'")
        assert all(int(r["id"]) < int(mark) for r in held)  # below the watermark: only the gap finds them
        await tx.commit()
    finally:
        await slow.close()
    assert await rollups.refresh(h.store) == 3
    assert await rollups.refresh(h.store) == 0
    await assert_equal_to_a_direct_count(h.store)


async def test_the_api_refreshes_in_the_background_and_the_write_path_is_untouched(h: Harness) -> None:
    """The app's background task catches up on its own; rating submission itself runs no rollup statement
    (the rollups lag until the task or a read refreshes them)."""
    await seed_reference(h)
    r = await h.client.post(
        "/api/v1/ratings",
        json={"idempotency_key": str(uuid.uuid4()), "counter": "LS-Q1", "level": 3},
        headers=h.integrator,
    )
    assert r.status_code == 201, r.text
    for _ in range(100):
        if not await rollups.pending(h.store):
            break
        await asyncio.sleep(0.1)
    assert not await rollups.pending(h.store)
    rows = await h.rows("SELECT sum(n) AS n FROM rating_days")
    assert int(rows[0]["n"]) == 1


def test_the_rating_write_path_never_touches_the_rollups() -> None:
    from pathlib import Path

    root = Path(__file__).parents[2]
    for path in [*(root / "api" / "ratings").glob("*.py"), root / "api" / "db" / "commit.py"]:
        assert "rollup" not in path.read_text(encoding="utf-8"), path


async def test_the_dashboard_sees_a_new_rating_at_once(h: Harness) -> None:
    """Views read the rollups after bringing them up to date, and the officer scores computed for unchanged
    data are computed again once a rating arrives."""
    from api.dashboard import views
    from api.viewer import Viewer

    ctx = await _context(h)
    rng = random.Random(4)
    await h.store.write(lambda tx: _insert(tx, _ratings(ctx, rng, 400, "v")))
    admin = Viewer("admin", 1, "t", None, None, via="key")
    first, last = date(2025, 1, 1), date(2025, 12, 31)
    before = await views.officer_scores(h.store, admin, "HB", first, last)
    rate = next(
        f for f in (await views.overview(h.store, admin, "HB", first, last)).figures if f.measure == "counter_rate"
    )
    officer = ctx["officers"][0]
    code = (await h.rows("SELECT code FROM officers WHERE id = :i", {"i": officer}))[0]["code"]
    extra = {**_ratings(ctx, rng, 1, "new")[0], "officer_id": officer, "source": "kiosk", "created_at": START + DAY_MS}
    await h.store.write(lambda tx: _insert(tx, [extra]))
    after = await views.officer_scores(h.store, admin, "HB", first, last)
    n = {s.officer: s.n for s in before.officers}
    assert {s.officer: s.n for s in after.officers} == {**n, code: n[code] + 1}
    again = next(
        f for f in (await views.overview(h.store, admin, "HB", first, last)).figures if f.measure == "counter_rate"
    )
    assert again.n == rate.n + 1
