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

from api.db import Store, Tx, now_ms
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
    await assert_equal_to_a_direct_count(h.store)
    await h.store.write(lambda tx: _insert(tx, _ratings(ctx, rng, 500, "b")))
    await rollups.refresh(h.store)
    assert not await rollups.pending(h.store) or h.store.dialect == "postgresql"  # (which reads recent dossiers again)
    await rollups.refresh(h.store)  # nothing counted twice
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
        assert await h.store.write(rollups.step) == (10, False)
        gaps = await h.rows("SELECT lo, hi FROM rollup_gaps")
        assert sum(int(g["hi"]) - int(g["lo"]) + 1 for g in gaps) >= 3  # the uncommitted ids are kept as a gap
        mark = (await h.rows("SELECT watermark FROM rollup_marks WHERE name = 'ratings'"))[0]["watermark"]
        held = await slow.fetch("SELECT id FROM ratings WHERE idempotency_key LIKE 'late-%'")
        assert all(int(r["id"]) < int(mark) for r in held)  # below the watermark: only the gap finds them
        await tx.commit()
    finally:
        await slow.close()
    assert await h.store.write(rollups.step) == (3, False)
    assert await h.store.write(rollups.step) == (0, False)
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
    counted = 0
    for _ in range(100):
        counted = int((await h.rows("SELECT COALESCE(sum(n), 0) AS n FROM rating_days"))[0]["n"])
        if counted:
            break
        await asyncio.sleep(0.1)
    assert counted == 1


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


async def _dossier_world(h: Harness, ctx: dict[str, Any], rng: random.Random, count: int, tag: str) -> list[int]:
    proc = (await h.rows("SELECT id FROM procedures ORDER BY id"))[0]["id"]
    rows = []
    for i in range(count):
        received = START + rng.randrange(400 * DAY_MS)
        due = received + rng.randrange(1, 15) * DAY_MS
        returned = None if rng.random() < 0.2 else received + rng.randrange(0, 20 * DAY_MS)
        rows.append(
            {
                "code": f"{tag}-{i}",
                "unit_id": ctx["unit"],
                "procedure_id": proc,
                "channel": rng.choice(("direct", "online", "postal")),
                "received_at": received,
                "due_at": due,
                "returned_at": returned,
                "created_at": received,
                "updated_at": now_ms(),  # as every write path sets it
            }
        )
    cols = list(rows[0])
    sql = f"INSERT INTO dossiers ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
    await h.store.write(lambda tx: tx.execute_many(sql, rows))
    found = await h.rows("SELECT id, received_at FROM dossiers WHERE code LIKE :t ORDER BY id", {"t": f"{tag}-%"})
    return [int(r["id"]) for r in found]


async def _rate_and_answer(h: Harness, ctx: dict[str, Any], rng: random.Random, ids: list[int], tag: str) -> None:
    ratings = []
    for i, d in enumerate(ids):
        r = _ratings(ctx, rng, 1, f"{tag}-{i}")[0]
        ratings.append({**r, "dossier_id": d})
    cols = [*COLUMNS.split(", "), "dossier_id"]
    sql = f"INSERT INTO ratings ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
    await h.store.write(lambda tx: tx.execute_many(sql, ratings))
    for d in ids[: len(ids) // 2]:

        async def answer(tx: Tx, d: int = d) -> None:
            rid = await tx.fetch_val(
                "INSERT INTO responses (dossier_id, instrument, instrument_version, submitted_at)"
                " VALUES (:d, 'sipas-service-2023', '1', :t) RETURNING id",
                {"d": d, "t": START + rng.randrange(420 * DAY_MS)},
            )
            values = [
                {"r": rid, "i": item, "v": rng.choice((None, 1, 2, 3, 4, 5))} for item in ("I.1", "II.2", "harassment")
            ]
            await tx.execute_many("INSERT INTO answers (response_id, item, value) VALUES (:r, :i, :v)", values)

        await h.store.write(answer)


ITEMS, SAT, FORM = ["I.1", "II.2", "harassment"], [4, 5], "sipas-service-2023"


async def assert_dossiers_equal_a_direct_count(store: Store) -> None:
    from api.insights import dossier_rollups

    for first, last in PERIODS:
        m = months(first, last, "Asia/Ho_Chi_Minh")
        direct = await store.read(lambda tx, m=m: queries.dossiers_by_month(tx, m, None))  # type: ignore[misc]
        rolled = await store.read(lambda tx, m=m, f=first, t=last: dossier_rollups.dossiers_by_month(tx, m, None, f, t))  # type: ignore[misc]
        keys = ("unit_id", "procedure_id", "channel", "m", "margin")
        assert sorted(tuple(int(r[k]) for k in (*keys, "n")) for r in direct) == sorted(
            tuple(int(r[k]) for k in (*keys, "n")) for r in rolled if r["n"]
        ), (first, last)
        linked = await store.read(lambda tx, m=m: queries.linked_ratings(tx, m, None))  # type: ignore[misc]
        rated: dict[tuple[int, ...], int] = {}
        for r in linked:
            if r["dm"] != queries.NONE:
                key = (
                    int(r["unit_id"]),
                    int(r["procedure_id"]),
                    int(r["channel"]),
                    int(r["dm"]),
                    int(r["margin"]),
                    int(r["unsat"]),
                )
                rated[key] = rated.get(key, 0) + int(r["n"])
        mine: dict[tuple[int, ...], int] = {}
        for r in rolled:
            base = tuple(int(r[k]) for k in keys)
            for flag, n in ((0, int(r["rated"]) - int(r["unsat"])), (1, int(r["unsat"]))):
                if n:
                    mine[(*base, flag)] = n
        assert mine == rated, (first, last)
        units = [int(u["id"]) for u in await store.fetch_all("SELECT id FROM units")]
        for fold in ({u: units[0] for u in units}, {u: u for u in units}):  # the dashboard's unit-only tables
            folded = await store.read(
                lambda tx, m=m, f=first, t=last, fold=fold: dossier_rollups.dossiers_by_month(tx, m, None, f, t, fold)  # type: ignore[misc]
            )
            sums: dict[tuple[int, ...], list[int]] = {}
            for r in rolled:
                cell = sums.setdefault((fold[int(r["unit_id"])], int(r["m"]), int(r["margin"])), [0, 0, 0])
                for i, k in enumerate(("n", "rated", "unsat")):
                    cell[i] += int(r[k])
            assert {k: v for k, v in sums.items() if any(v)} == {
                (int(r["unit_id"]), int(r["m"]), int(r["margin"])): [int(r["n"]), int(r["rated"]), int(r["unsat"])]
                for r in folded
                if r["n"] or r["rated"]
            }
        direct_answers = await store.read(lambda tx, m=m: queries.answers_by_month(tx, m, None, FORM, ITEMS, SAT))  # type: ignore[misc]
        rolled_answers = await store.read(
            lambda tx, m=m, f=first, t=last: dossier_rollups.answers_by_month(tx, m, None, f, t, FORM, ITEMS)  # type: ignore[misc]
        )

        def row(r: dict[str, Any]) -> tuple[Any, ...]:
            return tuple(str(r[k]) for k in ("unit_id", "m", "item", "rows", "n", "sat", "some"))

        assert sorted(map(row, direct_answers)) == sorted(map(row, rolled_answers))
        direct_responses = await store.read(
            lambda tx, m=m: queries.responses_by_month(tx, m, None, "sipas-service-2023")
        )  # type: ignore[misc]
        rolled_responses = await store.read(
            lambda tx, m=m, f=first, t=last: dossier_rollups.responses_by_month(tx, m, None, f, t, "sipas-service-2023")  # type: ignore[misc]
        )
        assert sorted((int(r["unit_id"]), int(r["m"]), int(r["n"])) for r in direct_responses) == sorted(
            (int(r["unit_id"]), int(r["m"]), int(r["n"])) for r in rolled_responses
        )


async def test_dossier_and_questionnaire_rollups_follow_changes(h: Harness) -> None:
    """Dossiers returned later, due dates moved, returns moved to another day, ratings arriving before and after
    the return, questionnaires: after each round the rollups equal a direct count."""
    ctx = await _context(h)
    rng = random.Random(5)
    ids = await _dossier_world(h, ctx, rng, 400, "d")
    await _rate_and_answer(h, ctx, rng, ids[:150], "r1")
    await rollups.refresh(h.store, chunk=97)
    await assert_dossiers_equal_a_direct_count(h.store)
    changed = rng.sample(ids, 120)
    for i, d in enumerate(changed):
        returned = "NULL" if i % 5 == 0 else f"received_at + {rng.randrange(20 * DAY_MS)}"  # returned later, or moved
        sql = (
            f"UPDATE dossiers SET returned_at = {returned}, due_at = received_at + :due, updated_at = :u WHERE id = :d"
        )
        params = {"due": (i % 9) * DAY_MS, "u": now_ms(), "d": d}
        await h.store.write(lambda tx, q=sql, p=params: tx.execute(q, p))  # type: ignore[misc]
    await _rate_and_answer(h, ctx, rng, ids[150:260], "r2")
    await rollups.refresh(h.store)
    await assert_dossiers_equal_a_direct_count(h.store)
    await rollups.refresh(h.store)  # reading again changes nothing
    await assert_dossiers_equal_a_direct_count(h.store)


async def test_procedure_and_channel_rates_equal_a_direct_count(h: Harness) -> None:
    """Citizen ratings of dossiers by the month of the rating (the procedure and channel rates)."""
    ctx = await _context(h)
    rng = random.Random(6)
    ids = await _dossier_world(h, ctx, rng, 200, "p")
    await _rate_and_answer(h, ctx, rng, ids[:160], "q")
    await rollups.refresh(h.store, chunk=61)
    for first, last in PERIODS:
        m = months(first, last, "Asia/Ho_Chi_Minh")
        direct: dict[tuple[int, ...], list[int]] = {}
        for r in await h.store.read(lambda tx, m=m: queries.linked_ratings(tx, m, None)):  # type: ignore[misc]
            if r["rm"] != queries.NONE:
                cell = direct.setdefault(
                    (int(r["unit_id"]), int(r["procedure_id"]), int(r["channel"]), int(r["rm"])), [0, 0]
                )
                cell[0] += int(r["n"])
                cell[1] += 0 if r["unsat"] else int(r["n"])
        rolled = await h.store.read(lambda tx, m=m, f=first, t=last: rollups.linked_by_month(tx, m, None, f, t))  # type: ignore[misc]
        assert direct == {
            (int(r["unit_id"]), int(r["procedure_id"]), int(r["channel"]), int(r["m"])): [int(r["n"]), int(r["x"])]
            for r in rolled
        }, (first, last)
        assert direct or (first, last) != PERIODS[0]


async def test_the_dashboard_sees_a_dossier_returned_at_once(h: Harness) -> None:
    """A dossier returned (a PATCH) changes the overview's timeliness at the next read, though the overview of
    the unchanged data before it was kept."""
    from api.dashboard import views
    from api.viewer import Viewer

    ctx = await _context(h)
    rng = random.Random(7)
    ids = await _dossier_world(h, ctx, rng, 60, "o")
    admin = Viewer("admin", 1, "t", None, None, via="key")
    first, last = date(2025, 1, 1), date(2026, 12, 31)

    def handled(o: views.Overview) -> int:
        return next(f.n for f in o.figures if f.measure == "late_share")

    before = handled(await views.overview(h.store, admin, "HB", first, last))
    assert handled(await views.overview(h.store, admin, "HB", first, last)) == before
    waiting = (
        await h.rows(f"SELECT id FROM dossiers WHERE returned_at IS NULL AND id IN ({', '.join(map(str, ids))})")
    )[0]
    await h.store.write(
        lambda tx: tx.execute(
            "UPDATE dossiers SET returned_at = received_at + 3600000, updated_at = :u WHERE id = :d",
            {"u": now_ms(), "d": waiting["id"]},
        )
    )
    assert handled(await views.overview(h.store, admin, "HB", first, last)) == before + 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # it counts SQLite virtual-machine steps
async def test_a_dossier_step_costs_its_chunk_not_the_backlog(h: Harness) -> None:
    """A day's bulk import of dossiers (all with one ``updated_at``) is read a chunk at a time: a step's work
    in SQLite's virtual machine does not grow with the dossiers still waiting behind the cursor."""
    from api.insights import dossier_rollups

    ctx = await _context(h)
    proc = (await h.rows("SELECT min(id) AS id FROM procedures"))[0]["id"]
    at = now_ms()

    async def import_and_step(first: int, n: int) -> int:
        rows = [{"code": f"BULK-{first + k:06d}", "unit": ctx["unit"], "proc": proc, "at": at} for k in range(n)]
        sql = (
            "INSERT INTO dossiers (code, unit_id, procedure_id, channel, received_at, due_at, created_at, updated_at)"
            " VALUES (:code, :unit, :proc, 'direct', :at, :at + 86400000, :at, :at)"
        )
        await h.store.write(lambda tx: tx.execute_many(sql, rows))
        await h.store.write(lambda tx: dossier_rollups.dossier_step(tx, 50))  # the cursor now sits inside the day
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        conn = h.store._conn  # type: ignore[attr-defined]
        conn.set_progress_handler(count, 100)
        try:
            read, more = await h.store.write(lambda tx: dossier_rollups.dossier_step(tx, 50))
        finally:
            conn.set_progress_handler(None, 0)
        assert (read, more) == (50, True)
        return steps[0]

    small = await import_and_step(0, 300)
    large = await import_and_step(300, 6000)
    assert large < 2 * small, (small, large)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite's one writer commits in order
async def test_a_late_dossier_commit_is_counted_and_recent_dossiers_are_not_read_at_every_step(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change whose transaction commits after the cursor passed its ``updated_at`` is read when that
    ``updated_at`` is SLACK_MS old; until then a step does not read the recent dossiers again."""
    from api.insights import dossier_rollups

    monkeypatch.setattr(dossier_rollups, "SLACK_MS", 60_000)
    ctx = await _context(h)
    ids = await _dossier_world(h, ctx, random.Random(8), 40, "late")
    await rollups.refresh(h.store)
    await assert_dossiers_equal_a_direct_count(h.store)
    again = await h.store.write(lambda tx: dossier_rollups.dossier_step(tx, 1000))
    assert again == (0, False)  # the 40 recent dossiers are not read again while they are recent
    late = {"u": now_ms() - 30_000, "d": ids[0]}  # committed now, stamped before the cursor's position
    sql = (
        "UPDATE dossiers SET returned_at = received_at + 86400000, due_at = received_at, updated_at = :u WHERE id = :d"
    )
    await h.store.write(lambda tx: tx.execute(sql, late))
    await rollups.refresh(h.store)
    monkeypatch.setattr(dossier_rollups, "SLACK_MS", 0)  # a minute later: its updated_at is settled
    assert await h.store.read(dossier_rollups.pending)
    await rollups.refresh(h.store)
    await assert_dossiers_equal_a_direct_count(h.store)
    assert await h.store.write(lambda tx: dossier_rollups.dossier_step(tx, 1000)) == (0, False)


async def test_a_whole_id_range_is_summed_in_the_store(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids without holes (the usual case): each step sums its range in the store, never row by row, and the
    rollups, the dossiers' rated counts and the procedure and channel rates included, equal a direct count."""
    ctx = await _context(h)
    rng = random.Random(9)
    ids = await _dossier_world(h, ctx, rng, 200, "g")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a whole id range was read row by row")

    monkeypatch.setattr(rollups, "advance", refuse)  # the ratings' steps only (dossier_rollups has its own name)
    await h.store.write(lambda tx: _insert(tx, _ratings(ctx, rng, 1500, "g1")))
    linked = _ratings(ctx, rng, 120, "g2")
    for row, dossier in zip(linked, ids, strict=False):
        row["source"] = "kiosk"
        row["dossier_id"] = dossier
    columns = f"{COLUMNS}, dossier_id"
    values = ", ".join(":" + c.strip() for c in columns.split(","))
    await h.store.write(lambda tx: tx.execute_many(f"INSERT INTO ratings ({columns}) VALUES ({values})", linked))
    steps = 0
    while True:
        added, more = await h.store.write(lambda tx: rollups.step(tx, 400))
        steps += 1
        if not more:
            break
    assert steps == 5 and added == 1620 - 4 * 400
    await assert_equal_to_a_direct_count(h.store)
    assert await h.count("dossier_dirty") == 120
    await rollups.refresh(h.store)
    await assert_dossiers_equal_a_direct_count(h.store)
