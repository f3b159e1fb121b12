"""Counter ratings rolled up per local day and month, kept up to date from an id watermark, off the write path.

Tables (migration 0007): ``rating_days`` and ``rating_months`` (unit, local day or month, counter, officer,
source: n, satisfied, top-box, timed, fast), ``rating_hours`` and ``rating_hour_months`` (citizen ratings per
local hour, for the heat map), ``rollup_marks`` (the watermark) and ``rollup_gaps``. Days and hours are those
of each rating's unit's time zone, exactly (DST included): the store groups nothing here; each new rating is
placed by its quarter-hour, which every zone's offset is a multiple of.

Who refreshes: a background task of the API process every few seconds (``start``), the start of every read
that needs fresh numbers (``refresh`` in api/insights/gather.py and the dashboard views), and ``hailong
analyze``. The rating write path (api/ratings, api/db/commit.py) is untouched: it runs no extra statement.

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
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analysis.report.settings import Settings
from api.db import Row, Store, Tx, now_ms
from api.insights.periods import Months
from api.insights.queries import SATISFIED, SOURCES, TOP, _code, _in

log = logging.getLogger("hailong.rollups")

NAME = "ratings"
FAST_MS = Settings().fast_tap_ms  # the fast-tap threshold counted in ``fast`` (another setting reads raw rows)
CHUNK = 50_000  # ratings per step: a step is one transaction on the writer
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


async def _mark(tx: Tx) -> Row:
    lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
    sql = f"SELECT watermark, fast_ms FROM rollup_marks WHERE name = :n{lock}"  # noqa: S608 - fixed SQL
    row = await tx.fetch_one(sql, {"n": NAME})
    if row is None:
        await tx.execute(
            "INSERT INTO rollup_marks (name, watermark, fast_ms, updated_at) VALUES (:n, 0, :f, :t)"
            " ON CONFLICT (name) DO NOTHING",
            {"n": NAME, "f": FAST_MS, "t": now_ms()},
        )
        row = await tx.fetch_one(sql, {"n": NAME})
    assert row is not None
    return row


def _select(where: str) -> str:
    return f"""SELECT r.id, r.unit_id, r.counter_id, COALESCE(r.officer_id, 0) AS officer_id,
                      {_code("r.source", SOURCES)} AS source, r.created_at / {QUARTER_MS} AS q,
                      {SATISFIED} AS x, {TOP} AS top,
                      CASE WHEN r.time_to_tap_ms IS NULL THEN 0 ELSE 1 END AS timed,
                      CASE WHEN r.time_to_tap_ms < :fast THEN 1 ELSE 0 END AS fast
               FROM ratings r WHERE {where}"""  # noqa: S608 - fixed SQL and numbers


async def step(tx: Tx, chunk: int = CHUNK) -> tuple[int, bool]:
    """One refresh step (a write function): returns (ratings added, whether more are waiting)."""
    mark = await _mark(tx)
    low, fast = int(mark["watermark"]), int(mark["fast_ms"])
    now = now_ms()
    await tx.execute("DELETE FROM rollup_gaps WHERE name = :n AND expires_at < :t", {"n": NAME, "t": now})
    gaps = await tx.fetch_all(
        "SELECT lo, hi, expires_at FROM rollup_gaps WHERE name = :n ORDER BY lo LIMIT :k", {"n": NAME, "k": MAX_GAPS}
    )
    rows = await tx.fetch_all(_select("r.id > :low ORDER BY r.id LIMIT :k"), {"low": low, "k": chunk, "fast": fast})
    found: list[Row] = []
    if gaps:
        where = " OR ".join(f"r.id BETWEEN {int(g['lo'])} AND {int(g['hi'])}" for g in gaps)
        found = await tx.fetch_all(_select(f"({where})"), {"fast": fast})
    if not rows and not found:
        return 0, False
    units = {int(u["id"]): str(u["timezone"]) for u in await tx.fetch_all("SELECT id, timezone FROM units")}
    await _add(tx, [*rows, *found], units)
    if found:
        await _fill_gaps(tx, gaps, sorted(int(r["id"]) for r in found))
    top = low
    if rows:
        top = int(rows[-1]["id"])
        missing = _missing(low, [int(r["id"]) for r in rows])
        if missing:
            sql = "INSERT INTO rollup_gaps (name, lo, hi, expires_at) VALUES (:name, :lo, :hi, :expires_at)"
            await tx.execute_many(
                sql, [{"name": NAME, "lo": a, "hi": b, "expires_at": now + GAP_TTL_MS} for a, b in missing]
            )
    await tx.execute(
        "UPDATE rollup_marks SET watermark = :w, updated_at = :t WHERE name = :n", {"w": top, "t": now, "n": NAME}
    )
    return len(rows) + len(found), len(rows) == chunk


def _missing(low: int, ids: Sequence[int]) -> list[tuple[int, int]]:
    """The ranges of ids in (low, max(ids)] that are not in ``ids`` (sorted)."""
    out = []
    before = low
    for i in ids:
        if i > before + 1:
            out.append((before + 1, i - 1))
        before = i
    return out


async def _fill_gaps(tx: Tx, gaps: list[Row], seen: list[int]) -> None:
    """Take the ids just read out of their gap ranges (a range may split in two or more)."""
    keep: list[dict[str, Any]] = []
    for g in gaps:
        lo, hi = int(g["lo"]), int(g["hi"])
        inside = [i for i in seen if lo <= i <= hi]
        if not inside:
            continue
        await tx.execute("DELETE FROM rollup_gaps WHERE name = :n AND lo = :lo", {"n": NAME, "lo": lo})
        for a, b in _missing(lo - 1, [*inside, hi + 1]):
            keep.append({"name": NAME, "lo": a, "hi": min(b, hi), "expires_at": int(g["expires_at"])})
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
    for r in rows:
        unit = int(r["unit_id"])
        day, month, weekday, hour = local(units.get(unit, "Asia/Ho_Chi_Minh"), int(r["q"]))
        rest = (int(r["counter_id"]), int(r["officer_id"]), int(r["source"]))
        values = (1, int(r["x"]), int(r["top"]), int(r["timed"]), int(r["fast"]))
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
                cell[0] += 1
                cell[1] += values[1]
    for name, keys, measures, cells in (
        ("rating_days", ("unit_id", "day", *KEYS[1:]), MEASURES, days),
        ("rating_months", ("unit_id", "month", *KEYS[1:]), MEASURES, months),
        ("rating_hours", ("unit_id", "day", "hour"), ("n", "x"), hours),
        ("rating_hour_months", ("unit_id", "month", "weekday", "hour"), ("n", "x"), hour_months),
    ):
        params = [dict(zip((*keys, *measures), (*k, *v), strict=True)) for k, v in cells.items()]
        if params:
            await tx.execute_many(_upsert(name, keys, measures), params)


async def pending(store: Store) -> bool:
    """Whether a refresh has anything to do (one cheap read; the write happens only then)."""
    row = await store.fetch_one(
        "SELECT (SELECT max(id) FROM ratings) AS newest,"
        " (SELECT watermark FROM rollup_marks WHERE name = :n) AS mark,"
        " (SELECT count(*) FROM rollup_gaps WHERE name = :n) AS gaps",
        {"n": NAME},
    )
    if row is None or row["newest"] is None:
        return bool(row and row["gaps"])
    return row["mark"] is None or int(row["newest"]) > int(row["mark"]) or bool(row["gaps"])


async def refresh(store: Store, chunk: int = CHUNK) -> int:
    """Bring the rollups up to date; returns how many ratings were added."""
    added = 0
    while await pending(store):
        n, more = await store.write(lambda tx: step(tx, chunk))
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


async def ratings_by_month(tx: Tx, m: Months, unit_ids: Sequence[int] | None, first: date, last: date) -> list[Row]:
    """The rows of api.insights.queries.ratings_by_month (fast taps at the rollups' threshold), from the
    rollups: whole months from rating_months, the period's partial months from rating_days."""
    whole, partial = _split(m, first, last)
    index = _month_index(m)
    cols = "counter_id, officer_id, source, n, x, top, timed, fast"
    rows: list[Row] = []
    if whole:
        listed = ", ".join(str(k) for k, _ in whole)
        where = f"month IN ({listed}){_in('unit_id', unit_ids)}"
        rows += await tx.fetch_all(f"SELECT month AS k, {cols} FROM rating_months WHERE {where}")  # noqa: S608
    for lo, hi in partial:
        where = f"day BETWEEN {lo} AND {hi}{_in('unit_id', unit_ids)}"
        for r in await tx.fetch_all(f"SELECT day AS d, {cols} FROM rating_days WHERE {where}"):  # noqa: S608
            r["k"] = month_number(date.fromordinal(int(r.pop("d")) + EPOCH))
            rows.append(r)
    out: dict[tuple[int, int, int, int], Row] = {}
    for r in rows:
        key = (int(r["counter_id"]), int(r["officer_id"]), int(r["source"]), index[int(r["k"])])
        cell = out.get(key)
        if cell is None:
            out[key] = {"counter_id": key[0], "officer_id": key[1], "source": key[2], "m": key[3]} | {
                k: int(r[k]) for k in MEASURES
            }
        else:
            for k in MEASURES:
                cell[k] += int(r[k])
    return list(out.values())


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
    """The API process's background job (``api.background``, every ``HAILONG_ROLLUP_SECONDS``)."""
    added = await refresh(store)
    if added:
        log.debug("rollups: %d ratings added", added)
