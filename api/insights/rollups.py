"""Counter ratings rolled up per local day and month, kept up to date from an id watermark, off the write path.

Tables (migration 0007): ``rating_days`` and ``rating_months`` (unit, local day or month, counter, officer,
source: n, satisfied, top-box, timed, fast), ``rating_hours`` and ``rating_hour_months`` (citizen ratings per
local hour, for the heat map), ``linked_days`` and ``linked_months`` (citizen ratings of a dossier by the
dossier's unit, procedure and channel: the procedure and channel rates), ``rollup_marks`` (the watermarks)
and ``rollup_gaps``; dossiers and questionnaires are in api/insights/dossier_rollups.py, refreshed with them.
Days and hours are those of each row's unit's time zone, exactly (DST included): each new rating is placed
by its quarter-hour, which every zone's offset is a multiple of. Readers (``month_rows``) sum whole months
from the month tables and the period's partial months from the day tables, in the store.

Who refreshes: a background job of the API process every HAILONG_ROLLUP_SECONDS (``keep_up``, run by
api.background), the start of every read that needs fresh numbers (``refresh`` in api/insights/gather.py and
the dashboard views), and ``hailong analyze``. The rating write path (api/ratings, api/db/commit.py) is
untouched: it runs no extra statement.

Exact under concurrent inserts. Each step is one write transaction (on PostgreSQL it first locks its
``rollup_marks`` row, so refreshers take turns) that reads the ratings with an id above the watermark, in id
order, adds them and moves the watermark to the largest id read. Ids are not visible in id order on
PostgreSQL: an identity value is taken when the row is inserted, and a transaction that took id 103 may
commit after one that took 105. So every id at or below the new watermark that was not read is kept as a
*gap* (``rollup_gaps``, as ranges), and the next steps read those ids again: a rating that turns up there is
added then, once, and its id leaves the gap. An id is read either above the watermark or in a gap, never
both, so nothing is counted twice; and nothing committed is missed unless its transaction stayed open longer
than ``GAP_TTL_MS`` (ten minutes; a group-commit transaction lasts milliseconds), after which a gap is
dropped: most gaps are ids that will never appear (a rolled-back batch, ``ON CONFLICT DO NOTHING`` taking a
value). The alternative, recounting a trailing window, would still miss a transaction slower than the
window and recounts every rating of the window at every refresh. On SQLite the one writer commits in id
order, so the gaps there are only ids never used; the same code serves both stores.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analysis.report.settings import Settings
from api.db import Row, Store, Tx, now_ms
from api.insights.periods import Months
from api.insights.queries import CHANNELS, SATISFIED, SOURCES, TOP, _code, _in

log = logging.getLogger("hailong.rollups")

NAME = "ratings"
FAST_MS = Settings().fast_tap_ms  # the fast-tap threshold counted in ``fast`` (another setting reads raw rows)
CHUNK = 50_000  # ratings per step: a step is one transaction on the writer
KEEP_UP_CHUNK = 1_000  # ratings per step in the API process (between steps requests are served)
GAP_TTL_MS = 10 * 60_000
MAX_GAPS = 500  # gap ranges looked at per step (the oldest first; the rest wait for the next step)
QUARTER_MS = 900_000
EPOCH = date(1970, 1, 1).toordinal()
STAFF = SOURCES.index("staff")
MEASURES = ("n", "x", "top", "timed", "fast")
KEYS = ("unit_id", "counter_id", "officer_id", "source")


def day_number(day: date) -> int:
    return day.toordinal() - EPOCH


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


class Local:
    """A quarter-hour (UTC) in a zone -> (local day, month, weekday 0 = Monday, hour), cached."""

    def __init__(self) -> None:
        self.zones: dict[str, ZoneInfo] = {}
        self.cache: dict[tuple[str, int], tuple[int, int, int, int]] = {}

    def __call__(self, tz: str, quarter: int) -> tuple[int, int, int, int]:
        key = (tz, quarter)
        found = self.cache.get(key)
        if found is None:
            zone = self.zones.get(tz) or self.zones.setdefault(tz, ZoneInfo(tz))
            t = datetime.fromtimestamp(quarter * QUARTER_MS / 1000, zone)
            d = t.date()
            found = self.cache[key] = (day_number(d), month_number(d), d.weekday(), t.hour)
        return found


async def mark(tx: Tx, name: str) -> Row:
    """The refresher's row of ``name``, locked on PostgreSQL so that refreshers take turns; made if missing."""
    lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
    sql = f"SELECT watermark, cursor_id, fast_ms FROM rollup_marks WHERE name = :n{lock}"  # noqa: S608 - fixed SQL
    row = await tx.fetch_one(sql, {"n": name})
    if row is None:
        await tx.execute(
            "INSERT INTO rollup_marks (name, watermark, cursor_id, fast_ms, updated_at) VALUES (:n, 0, 0, :f, :t)"
            " ON CONFLICT (name) DO NOTHING",
            {"n": name, "f": FAST_MS, "t": now_ms()},
        )
        row = await tx.fetch_one(sql, {"n": name})
    assert row is not None
    return row


def _select(where: str) -> str:
    return f"""SELECT r.id, r.unit_id, r.counter_id, COALESCE(r.officer_id, 0) AS officer_id, r.dossier_id,
                      {_code("r.source", SOURCES)} AS source, r.created_at / {QUARTER_MS} AS q, 1 AS n,
                      {SATISFIED} AS x, {TOP} AS top,
                      CASE WHEN r.time_to_tap_ms IS NULL THEN 0 ELSE 1 END AS timed,
                      CASE WHEN r.time_to_tap_ms < :fast THEN 1 ELSE 0 END AS fast,
                      d.unit_id AS d_unit, d.procedure_id AS d_procedure, {_code("d.channel", CHANNELS)} AS d_channel
               FROM ratings r LEFT JOIN dossiers d ON d.id = r.dossier_id WHERE {where}"""  # noqa: S608 - fixed SQL


# The same measures summed in the store per (unit, counter, officer, source, quarter-hour, dossier's unit,
# procedure, channel): a step's thousand ratings come back as a few dozen rows. ``top_id`` and the sum of
# ``n`` say whether the id range was whole (see ``_grouped_step``).
_GROUPED = f"""SELECT r.unit_id, r.counter_id, COALESCE(r.officer_id, 0) AS officer_id,
                      {_code("r.source", SOURCES)} AS source, r.created_at / {QUARTER_MS} AS q, count(*) AS n,
                      sum({SATISFIED}) AS x, sum({TOP}) AS top,
                      sum(CASE WHEN r.time_to_tap_ms IS NULL THEN 0 ELSE 1 END) AS timed,
                      sum(CASE WHEN r.time_to_tap_ms < :fast THEN 1 ELSE 0 END) AS fast,
                      d.unit_id AS d_unit, d.procedure_id AS d_procedure, {_code("d.channel", CHANNELS)} AS d_channel,
                      max(r.id) AS top_id
               FROM ratings r LEFT JOIN dossiers d ON d.id = r.dossier_id WHERE r.id > :low AND r.id <= :high
               GROUP BY r.unit_id, r.counter_id, COALESCE(r.officer_id, 0), r.source, r.created_at / {QUARTER_MS},
                        d.unit_id, d.procedure_id, d.channel"""  # noqa: S608 - fixed SQL
_DIRTY = f"""INSERT INTO dossier_dirty (dossier_id)
             SELECT DISTINCT r.dossier_id FROM ratings r
             WHERE r.id > :low AND r.id <= :high AND r.dossier_id IS NOT NULL AND r.source <> '{SOURCES[STAFF]}'
             ON CONFLICT (dossier_id) DO NOTHING"""  # noqa: S608 - fixed SQL


async def advance(
    tx: Tx, name: str, select: Callable[[str], str], id_column: str, chunk: int, params: dict[str, Any] | None = None
) -> tuple[list[Row], bool]:
    """The rows of an append-only table not yet rolled up: those above the watermark (at most ``chunk``, in id
    order) and those found in the gaps; moves the watermark and the gaps. Returns (rows, more waiting)."""
    low = int((await mark(tx, name))["watermark"])
    now = now_ms()
    await tx.execute("DELETE FROM rollup_gaps WHERE name = :n AND expires_at < :t", {"n": name, "t": now})
    gaps = await tx.fetch_all(
        "SELECT lo, hi, expires_at FROM rollup_gaps WHERE name = :n ORDER BY lo LIMIT :k", {"n": name, "k": MAX_GAPS}
    )
    args = {**(params or {}), "low": low, "k": chunk}
    rows = await tx.fetch_all(select(f"{id_column} > :low ORDER BY {id_column} LIMIT :k"), args)
    found: list[Row] = []
    if gaps:
        where = " OR ".join(f"{id_column} BETWEEN {int(g['lo'])} AND {int(g['hi'])}" for g in gaps)
        found = await tx.fetch_all(select(f"({where})"), params or {})
    if not rows and not found:
        return [], False
    if found:
        await _fill_gaps(tx, name, gaps, sorted(int(r["id"]) for r in found))
    top = low
    if rows:
        top = int(rows[-1]["id"])
        missing = _missing(low, [int(r["id"]) for r in rows])
        if missing:
            sql = "INSERT INTO rollup_gaps (name, lo, hi, expires_at) VALUES (:name, :lo, :hi, :expires_at)"
            await tx.execute_many(
                sql, [{"name": name, "lo": a, "hi": b, "expires_at": now + GAP_TTL_MS} for a, b in missing]
            )
    await touch(tx, name, now, ", watermark = :w", {"w": top})
    return [*rows, *found], len(rows) == chunk


async def touch(tx: Tx, name: str, now: int, more: str = "", params: dict[str, Any] | None = None) -> None:
    """Record a change of ``name``'s rollups: its updated_at always grows (views kept per version rely on it)."""
    await tx.execute(
        "UPDATE rollup_marks SET updated_at = CASE WHEN updated_at < :t THEN :t ELSE updated_at + 1 END"  # noqa: S608
        f"{more} WHERE name = :n",
        {"t": now, "n": name, **(params or {})},
    )


async def zones(tx: Tx) -> dict[int, str]:
    return {int(u["id"]): str(u["timezone"]) for u in await tx.fetch_all("SELECT id, timezone FROM units")}


async def step(tx: Tx, chunk: int = CHUNK) -> tuple[int, bool]:
    """One refresh step of the ratings (a write function): returns (ratings added, whether more are waiting).
    The dossiers of the citizen ratings added are marked for the dossiers' refresh (their rated counts)."""
    cursor = await mark(tx, NAME)
    fast = int(cursor["fast_ms"])
    done = await _grouped_step(tx, int(cursor["watermark"]), chunk, fast)
    if done is not None:
        return done
    rows, more = await advance(tx, NAME, _select, "r.id", chunk, {"fast": fast})
    if rows:
        await _add(tx, rows, await zones(tx))
        rated = sorted({int(r["dossier_id"]) for r in rows if r["dossier_id"] is not None and r["source"] != STAFF})
        if rated:
            await tx.execute_many(
                "INSERT INTO dossier_dirty (dossier_id) VALUES (:d) ON CONFLICT (dossier_id) DO NOTHING",
                [{"d": d} for d in rated],
            )
    return len(rows), more


async def _grouped_step(tx: Tx, low: int, chunk: int, fast: int) -> tuple[int, bool] | None:
    """The usual step, summed in the store: the ratings with an id in (watermark, watermark + chunk], when no
    gap is waiting and the ids read are every id from the watermark up to the largest read. Then nothing below
    that id can still turn up (each id is taken by a row read), so the watermark moves there and the dossiers
    are marked by a second statement over the same, final, range. Otherwise (a gap to look at, an id missing:
    rolled back, or on PostgreSQL a transaction still open) None: the step reads row by row (``advance``)."""
    if await tx.fetch_one("SELECT 1 AS gap FROM rollup_gaps WHERE name = :n LIMIT 1", {"n": NAME}) is not None:
        return None
    groups = await tx.fetch_all(_GROUPED, {"low": low, "high": low + chunk, "fast": fast})
    if not groups:  # nothing new; or the next id is more than a chunk further on: the row-by-row step then
        later = await tx.fetch_one("SELECT 1 AS later FROM ratings WHERE id > :low LIMIT 1", {"low": low})
        return None if later is not None else (0, False)
    n = sum(int(g["n"]) for g in groups)
    top = max(int(g["top_id"]) for g in groups)
    if n != top - low:
        return None
    await _add(tx, groups, await zones(tx))
    await tx.execute(_DIRTY, {"low": low, "high": top})
    await touch(tx, NAME, now_ms(), ", watermark = :w", {"w": top})
    return n, n == chunk


def _missing(low: int, ids: Sequence[int]) -> list[tuple[int, int]]:
    """The ranges of ids in (low, max(ids)] that are not in ``ids`` (sorted)."""
    out = []
    before = low
    for i in ids:
        if i > before + 1:
            out.append((before + 1, i - 1))
        before = i
    return out


async def _fill_gaps(tx: Tx, name: str, gaps: list[Row], seen: list[int]) -> None:
    """Take the ids just read out of their gap ranges (a range may split in two or more)."""
    keep: list[dict[str, Any]] = []
    for g in gaps:
        lo, hi = int(g["lo"]), int(g["hi"])
        inside = [i for i in seen if lo <= i <= hi]
        if not inside:
            continue
        await tx.execute("DELETE FROM rollup_gaps WHERE name = :n AND lo = :lo", {"n": name, "lo": lo})
        for a, b in _missing(lo - 1, [*inside, hi + 1]):
            keep.append({"name": name, "lo": a, "hi": min(b, hi), "expires_at": int(g["expires_at"])})
    if keep:
        sql = "INSERT INTO rollup_gaps (name, lo, hi, expires_at) VALUES (:name, :lo, :hi, :expires_at)"
        await tx.execute_many(sql, keep)


def _upsert(table: str, keys: Sequence[str], measures: Sequence[str]) -> str:
    cols = [*keys, *measures]
    adds = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in measures)
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"  # noqa: S608
        f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adds}"
    )


async def _add(tx: Tx, rows: list[Row], units: dict[int, str]) -> None:
    local = Local()
    days: dict[tuple[int, ...], list[int]] = {}
    months: dict[tuple[int, ...], list[int]] = {}
    hours: dict[tuple[int, ...], list[int]] = {}
    hour_months: dict[tuple[int, ...], list[int]] = {}
    linked: dict[tuple[int, ...], list[int]] = {}
    linked_months: dict[tuple[int, ...], list[int]] = {}
    for r in rows:
        unit = int(r["unit_id"])
        day, month, weekday, hour = local(units.get(unit, "Asia/Ho_Chi_Minh"), int(r["q"]))
        rest = (int(r["counter_id"]), int(r["officer_id"]), int(r["source"]))
        values = (int(r["n"]), int(r["x"]), int(r["top"]), int(r["timed"]), int(r["fast"]))
        by_day: tuple[int, ...] = (unit, day, *rest)
        by_month: tuple[int, ...] = (unit, month, *rest)
        for into, key in ((days, by_day), (months, by_month)):
            cell = into.setdefault(key, [0] * 5)
            for i, v in enumerate(values):
                cell[i] += v
        if rest[2] != STAFF:
            at_hour: tuple[int, ...] = (unit, day, hour)
            at_weekday: tuple[int, ...] = (unit, month, weekday, hour)
            for into, key in ((hours, at_hour), (hour_months, at_weekday)):
                cell = into.setdefault(key, [0, 0])
                cell[0] += values[0]
                cell[1] += values[1]
            if r["d_unit"] is not None:  # a citizen rating of a dossier: the procedure and channel rates
                of = int(r["d_unit"])
                d_day, d_month, _, _ = local(units.get(of, "Asia/Ho_Chi_Minh"), int(r["q"]))
                dims = (int(r["d_procedure"]), int(r["d_channel"]))
                for into, key in ((linked, (of, d_day, *dims)), (linked_months, (of, d_month, *dims))):
                    cell = into.setdefault(key, [0, 0])
                    cell[0] += values[0]
                    cell[1] += values[1]
    for name, keys, measures, cells in (
        ("rating_days", ("unit_id", "day", *KEYS[1:]), MEASURES, days),
        ("rating_months", ("unit_id", "month", *KEYS[1:]), MEASURES, months),
        ("rating_hours", ("unit_id", "day", "hour"), ("n", "x"), hours),
        ("rating_hour_months", ("unit_id", "month", "weekday", "hour"), ("n", "x"), hour_months),
        ("linked_days", ("unit_id", "day", "procedure_id", "channel"), ("n", "x"), linked),
        ("linked_months", ("unit_id", "month", "procedure_id", "channel"), ("n", "x"), linked_months),
    ):
        params = [dict(zip((*keys, *measures), (*k, *v), strict=True)) for k, v in cells.items()]
        if params:
            await tx.execute_many(_upsert(name, keys, measures), params)


async def pending(store: Store) -> bool:
    """Whether a refresh has anything to do (cheap reads; the write happens only then)."""
    from api.insights import dossier_rollups

    row = await store.fetch_one(
        "SELECT (SELECT max(id) FROM ratings) AS newest,"
        " (SELECT watermark FROM rollup_marks WHERE name = :n) AS mark,"
        " (SELECT count(*) FROM rollup_gaps WHERE name = :n) AS gaps",
        {"n": NAME},
    )
    assert row is not None
    if row["gaps"] or (row["newest"] is not None and (row["mark"] is None or int(row["newest"]) > int(row["mark"]))):
        return True
    return await store.read(dossier_rollups.pending)


async def refresh(store: Store, chunk: int = CHUNK) -> int:
    """Bring every rollup up to date (ratings first: they mark the dossiers whose ratings changed);
    returns how many rows were read."""
    from api.insights import dossier_rollups

    added = 0
    if not await pending(store):
        return 0
    for one in (step, dossier_rollups.response_step, dossier_rollups.dossier_step):
        while True:
            n, more = await store.write(lambda tx, f=one: f(tx, chunk))  # type: ignore[misc]
            added += n
            if not more:
                break
            await asyncio.sleep(0)  # let other work in between the steps of a long catch-up
    return added


async def usable(store: Store, settings: Settings) -> bool:
    """Whether the rollups hold what these settings count (the fast-tap threshold)."""
    row = await store.fetch_one("SELECT fast_ms FROM rollup_marks WHERE name = :n", {"n": NAME})
    return row is not None and int(row["fast_ms"]) == settings.fast_tap_ms


def _split(m: Months, first: date, last: date) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The period's whole months (month number, index in m.labels) and its partial ones as day ranges."""
    whole: list[tuple[int, int]] = []
    partial: list[tuple[int, int]] = []
    for i, label in enumerate(m.labels):
        year, mm = (int(p) for p in label.split("-"))
        start = date(year, mm, 1)
        end = (date(year + mm // 12, mm % 12 + 1, 1)) - timedelta(days=1)
        lo, hi = max(start, first), min(end, last)
        if (lo, hi) == (start, end):
            whole.append((month_number(start), i))
        else:
            partial.append((day_number(lo), day_number(hi)))
    return whole, partial


def _month_index(m: Months) -> dict[int, int]:
    return {int(label[:4]) * 12 + int(label[5:]) - 1: i for i, label in enumerate(m.labels)}


def fold_sql(fold: dict[int, int] | None) -> str:
    """The unit column summed by: unit_id, or the unit each is folded into (``fold``: unit id -> the id to
    count it under), the one unit when there is one."""
    targets = set((fold or {}).values())
    if not fold:
        return "unit_id"
    if len(targets) == 1:
        return str(int(targets.pop()))
    return f"(CASE unit_id {' '.join(f'WHEN {int(u)} THEN {int(r)}' for u, r in fold.items())} ELSE unit_id END)"


async def month_rows(
    tx: Tx,
    m: Months,
    first: date,
    last: date,
    tables: tuple[str, str],
    keys: Sequence[str],
    measures: Sequence[str],
    unit_ids: Sequence[int] | None,
    where: str = "",
    fold: dict[int, int] | None = None,
    columns: Sequence[str] | None = None,
) -> list[Row]:
    """``measures`` summed per ``keys`` and month of the period (``m``: its index in m.labels) by the store: the
    whole months from ``tables[0]`` (by month), the partial ones from ``tables[1]`` (by day); with ``fold``,
    each unit is counted under the unit it maps to; ``columns``: the measures' column names if not theirs."""
    whole, partial = _split(m, first, last)
    index = _month_index(m)
    chosen = ", ".join(f"{fold_sql(fold)} AS unit_id" if k == "unit_id" else k for k in keys)
    sums = ", ".join(f"sum({c}) AS {k}" for c, k in zip(columns or measures, measures, strict=True))
    extra = f"{_in('unit_id', unit_ids)}{f' AND {where}' if where else ''}"
    by = ", ".join(str(i + 1) for i in range(len(keys) + 1))
    rows: list[Row] = []
    if whole:
        listed = ", ".join(str(k) for k, _ in whole)
        sql = f"SELECT month AS k, {chosen}, {sums} FROM {tables[0]} WHERE month IN ({listed}){extra} GROUP BY {by}"  # noqa: S608
        rows += await tx.fetch_all(sql)
    for lo, hi in partial:
        sql = f"SELECT day AS d, {chosen}, {sums} FROM {tables[1]} WHERE day BETWEEN {lo} AND {hi}{extra} GROUP BY {by}"  # noqa: S608
        for r in await tx.fetch_all(sql):
            r["k"] = month_number(date.fromordinal(int(r.pop("d")) + EPOCH))
            rows.append(r)
    out: dict[tuple[Any, ...], Row] = {}
    for r in rows:
        month = index[int(r["k"])]
        key = (*(r[k] for k in keys), month)
        cell = out.get(key)
        if cell is None:
            out[key] = {**{k: r[k] for k in keys}, "m": month, **{k: int(r[k]) for k in measures}}
        else:
            for k in measures:
                cell[k] += int(r[k])
    return list(out.values())


async def ratings_by_month(
    tx: Tx,
    m: Months,
    unit_ids: Sequence[int] | None,
    first: date,
    last: date,
    fold: dict[int, int] | None = None,
) -> list[Row]:
    """The rows of api.insights.queries.ratings_by_month (fast taps at the rollups' threshold), from the
    rollups; with ``fold``, per (folded) unit and source instead of counter, officer and source."""
    keys = ("unit_id", "source") if fold else ("counter_id", "officer_id", "source")
    return await month_rows(tx, m, first, last, ("rating_months", "rating_days"), keys, MEASURES, unit_ids, fold=fold)


async def linked_by_month(tx: Tx, m: Months, unit_ids: Sequence[int] | None, first: date, last: date) -> list[Row]:
    """Citizen ratings of dossiers by the month of the rating, per unit of the dossier, procedure and channel:
    n and satisfied x (the procedure and channel rates of api.insights.queries.linked_ratings)."""
    keys = ("unit_id", "procedure_id", "channel")
    return await month_rows(tx, m, first, last, ("linked_months", "linked_days"), keys, ("n", "x"), unit_ids)


async def hours(
    tx: Tx, m: Months, unit_ids: Sequence[int] | None, first: date, last: date
) -> dict[tuple[int, int], list[int]]:
    """(weekday 0 = Monday, local hour) -> [citizen ratings, satisfied] in the period."""
    whole, partial = _split(m, first, last)
    rows: list[Row] = []
    if whole:
        listed = ", ".join(str(k) for k, _ in whole)
        rows += await tx.fetch_all(
            f"SELECT weekday, hour, sum(n) AS n, sum(x) AS x FROM rating_hour_months WHERE month IN ({listed})"  # noqa: S608
            f"{_in('unit_id', unit_ids)} GROUP BY weekday, hour"
        )
    for lo, hi in partial:
        rows += await tx.fetch_all(
            f"SELECT (day + 3) % 7 AS weekday, hour, sum(n) AS n, sum(x) AS x FROM rating_hours"  # noqa: S608
            f" WHERE day BETWEEN {lo} AND {hi}{_in('unit_id', unit_ids)} GROUP BY 1, 2"
        )
    out: dict[tuple[int, int], list[int]] = {}
    for r in rows:
        cell = out.setdefault((int(r["weekday"]), int(r["hour"])), [0, 0])
        cell[0] += int(r["n"])
        cell[1] += int(r["x"])
    return out


async def keep_up(store: Store, settings: Any) -> None:
    """The API process's background job (``api.background``, every ``HAILONG_ROLLUP_SECONDS``), in small
    steps: each step's Python runs on the event loop, so a big one would hold up the requests meanwhile
    (50 000 ratings a step put the kiosk's p99 at 200 ms under the ingest bench; 1 000 keep it at the bar)."""
    added = await refresh(store, KEEP_UP_CHUNK)
    if added:
        log.debug("rollups: %d ratings added", added)
