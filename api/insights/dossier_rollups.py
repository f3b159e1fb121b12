"""Dossiers returned and receipt questionnaires, rolled up per local day and month (api/insights/rollups.py
keeps them up to date with the ratings' rollups, in the same refresh).

Questionnaire responses are written once, with their answers, like ratings: they are rolled up from an id
watermark with the same gap rule (``rollups.advance``).

Dossiers change: a PATCH sets ``returned_at`` or ``due_at`` (and ``updated_at``), and a citizen rating may
arrive before or after the return. So the contribution each dossier has made (its unit, day and month of
return, procedure, channel, margin, citizen ratings and the not satisfied among them) is kept in
``dossier_rolled``; a dossier read again adds only the difference, so reading one twice changes nothing.
A dossier is read again when its ``updated_at`` passes the cursor (``updated_at``, id), when a citizen rating
of it is rolled up (the ratings' refresh lists it in ``dossier_dirty``, in the same transaction), and, on
PostgreSQL, once more when its ``updated_at`` is ``SLACK_MS`` old (a second cursor that far behind the clock):
a PATCH whose transaction commits after the first cursor moved past its ``updated_at`` is still read, unless
it stayed open longer than that. This relies
on ``updated_at`` being the writer's clock at the write, as every write path sets it (api/dossiers,
api/update.py); the demo generator's historical ``updated_at`` values are read by the refresh at its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from api.db import Row, Tx, now_ms
from api.insights.periods import Months
from api.insights.queries import CHANNELS, MARGINS, SATISFIED, _code
from api.insights.rollups import CHUNK, QUARTER_MS, Local, _upsert, advance, mark, month_rows, touch, zones

DOSSIERS = "dossiers"
SETTLED = "dossiers-settled"  # PostgreSQL's second dossier cursor, SLACK_MS behind the clock (``_settle``)
RESPONSES = "responses"
SLACK_MS = 120_000
ANSWER_MEASURES = ("rows", "n", "sat", "some")  # as api.insights.queries.answers_by_month names them
ANSWER_COLUMNS = ("total", "valued", "sat", "anyof")  # their columns (SOME is a keyword in PostgreSQL)


@cache
def satisfied_values(instrument: str) -> frozenset[int]:
    """The answers an instrument counts as satisfied (its index rule; 4 and 5 for one the loader lacks)."""
    import msgspec

    from analysis.stats.official import IndexSpec
    from api.instruments.loader import load_all

    try:
        found = msgspec.to_builtins(load_all().questionnaire(instrument))
        return frozenset(IndexSpec.from_instrument(found).satisfied)
    except (KeyError, ValueError, LookupError):
        return frozenset({4, 5})


DOSSIER_KEY = ("procedure_id", "channel", "margin")


def _dossier_select(where: str, tail: str = "") -> str:
    unsat = f"sum(CASE WHEN r.id IS NULL THEN 0 ELSE 1 - {SATISFIED} END)"
    return f"""SELECT d.id, d.unit_id, d.procedure_id, {_code("d.channel", CHANNELS)} AS channel, d.due_at,
                      d.returned_at, d.updated_at, count(r.id) AS rated, {unsat} AS unsat
               FROM dossiers d LEFT JOIN ratings r ON r.dossier_id = d.id AND r.source <> 'staff'
               WHERE {where}
               GROUP BY d.id, d.unit_id, d.procedure_id, d.channel, d.due_at, d.returned_at, d.updated_at {tail}"""  # noqa: S608


async def dossier_step(tx: Tx, chunk: int = CHUNK) -> tuple[int, bool]:
    """One refresh step of the dossiers (a write function): (dossiers read, whether more are waiting)."""
    cursor = await mark(tx, DOSSIERS)
    t, i = int(cursor["watermark"]), int(cursor["cursor_id"])
    # The chunk is picked from the index first, then joined and grouped: grouping before the LIMIT would cost
    # every dossier past the cursor on each step (a day's 200 000 imported dossiers: 0.2 s per step).
    picked = "SELECT id FROM dossiers WHERE (updated_at, id) > (:t, :i) ORDER BY updated_at, id LIMIT :k"
    rows = await tx.fetch_all(
        _dossier_select(f"d.id IN ({picked})", "ORDER BY d.updated_at, d.id"), {"t": t, "i": i, "k": chunk}
    )
    more = len(rows) == chunk
    read = {int(r["id"]): r for r in rows}
    if not more and tx.dialect == "postgresql":
        settled, more = await _settle(tx, chunk)
        for r in settled:
            read.setdefault(int(r["id"]), r)
    dirty = [
        int(r["dossier_id"]) for r in await tx.fetch_all("SELECT dossier_id FROM dossier_dirty LIMIT :k", {"k": chunk})
    ]
    if dirty:
        listed = ", ".join(str(d) for d in dirty)
        for r in await tx.fetch_all(_dossier_select(f"d.id IN ({listed})")):
            read[int(r["id"])] = r
        await tx.execute(f"DELETE FROM dossier_dirty WHERE dossier_id IN ({listed})")  # noqa: S608 - numbers
    if read:
        await _apply(tx, list(read.values()), await zones(tx))
    if rows:
        last = rows[-1]
        await touch(
            tx,
            DOSSIERS,
            now_ms(),
            ", watermark = :w, cursor_id = :c",
            {"w": int(last["updated_at"]), "c": int(last["id"])},
        )
    elif read:
        await touch(tx, DOSSIERS, now_ms())
    return len(read), more or len(dirty) == chunk


async def _settle(tx: Tx, chunk: int) -> tuple[list[Row], bool]:
    """PostgreSQL: each dossier read once more when its ``updated_at`` is ``SLACK_MS`` old (a second cursor,
    ``SETTLED``, that stays that far behind the clock), so that a change whose transaction committed after the
    first cursor had passed its ``updated_at`` is still counted, and each change costs two reads, not one per
    step while it is recent (a day's 75 000 imported dossiers re-read at every step for two minutes had put a
    rating's p99 at 300 ms). Returns (dossiers, more waiting)."""
    horizon = now_ms() - SLACK_MS
    await tx.execute(
        "INSERT INTO rollup_marks (name, watermark, cursor_id, fast_ms, updated_at) VALUES (:n, :h, 0, 0, :h)"
        " ON CONFLICT (name) DO NOTHING",  # a new cursor starts at the horizon: what is older is settled
        {"n": SETTLED, "h": horizon},
    )
    cursor = await mark(tx, SETTLED)
    t, i = int(cursor["watermark"]), int(cursor["cursor_id"])
    picked = (
        "SELECT id FROM dossiers WHERE (updated_at, id) > (:t, :i) AND updated_at <= :h"
        " ORDER BY updated_at, id LIMIT :k"
    )
    rows = await tx.fetch_all(
        _dossier_select(f"d.id IN ({picked})", "ORDER BY d.updated_at, d.id"),
        {"t": t, "i": i, "h": horizon, "k": chunk},
    )
    if rows:
        last = rows[-1]
        await tx.execute(
            "UPDATE rollup_marks SET watermark = :w, cursor_id = :c WHERE name = :n",
            {"w": int(last["updated_at"]), "c": int(last["id"]), "n": SETTLED},
        )
    return rows, len(rows) == chunk


def _contribution(r: Row, local: Local, tz: str) -> dict[str, int] | None:
    """What a dossier adds to the rollups now: nothing until it is returned."""
    if r["returned_at"] is None:
        return None
    day, month, _, _ = local(tz, int(r["returned_at"]) // QUARTER_MS)
    due_day = local(tz, int(r["due_at"]) // QUARTER_MS)[0]
    lo, hi = MARGINS
    margin = min(max(due_day - day, lo), hi) - lo
    return {
        "unit_id": int(r["unit_id"]),
        "day": day,
        "month": month,
        "procedure_id": int(r["procedure_id"]),
        "channel": int(r["channel"]),
        "margin": margin,
        "rated": int(r["rated"]),
        "unsat": int(r["unsat"] or 0),
    }


async def _apply(tx: Tx, rows: list[Row], tz_of: dict[int, str]) -> None:
    """Each dossier's new contribution less the one it made before (dossier_rolled)."""
    local = Local()
    listed = ", ".join(str(int(r["id"])) for r in rows)
    sql = f"SELECT * FROM dossier_rolled WHERE dossier_id IN ({listed})"  # noqa: S608 - numbers
    old = {int(o.pop("dossier_id")): o for o in await tx.fetch_all(sql)}
    days: dict[tuple[int, ...], list[int]] = {}
    months: dict[tuple[int, ...], list[int]] = {}
    unit_days: dict[tuple[int, ...], list[int]] = {}
    unit_months: dict[tuple[int, ...], list[int]] = {}
    put: list[dict[str, Any]] = []
    gone: list[int] = []
    for r in rows:
        key = int(r["id"])
        new = _contribution(r, local, tz_of.get(int(r["unit_id"]), "Asia/Ho_Chi_Minh"))
        before = old.get(key)
        if before is not None:
            before = {k: int(v) for k, v in before.items()}
        if new == before:
            continue
        for c, sign in ((before, -1), (new, 1)):
            if c is None:
                continue
            rest = tuple(c[k] for k in DOSSIER_KEY)
            unit, day, month, margin = c["unit_id"], c["day"], c["month"], c["margin"]
            for into, k in (
                (days, (unit, day, *rest)),
                (months, (unit, month, *rest)),
                (unit_days, (unit, day, margin)),
                (unit_months, (unit, month, margin)),
            ):
                cell = into.setdefault(k, [0, 0, 0])
                cell[0] += sign
                cell[1] += sign * c["rated"]
                cell[2] += sign * c["unsat"]
        if new is None:
            gone.append(key)
        else:
            put.append({"dossier_id": key, **new})
    for name, keys, cells in (
        ("dossier_days", ("unit_id", "day", *DOSSIER_KEY), days),
        ("dossier_months", ("unit_id", "month", *DOSSIER_KEY), months),
        ("dossier_unit_days", ("unit_id", "day", "margin"), unit_days),
        ("dossier_unit_months", ("unit_id", "month", "margin"), unit_months),
    ):
        params = [dict(zip((*keys, "n", "rated", "unsat"), (*k, *v), strict=True)) for k, v in cells.items() if any(v)]
        if params:
            await tx.execute_many(_upsert(name, keys, ("n", "rated", "unsat")), params)
    if gone:
        await tx.execute(f"DELETE FROM dossier_rolled WHERE dossier_id IN ({', '.join(map(str, gone))})")  # noqa: S608
    if put:
        cols = list(put[0])
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
        await tx.execute_many(
            f"INSERT INTO dossier_rolled ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"  # noqa: S608
            f" ON CONFLICT (dossier_id) DO UPDATE SET {sets}",
            put,
        )


def _response_select(where: str) -> str:
    return f"""SELECT s.id, d.unit_id, s.instrument, s.submitted_at / {QUARTER_MS} AS q
               FROM responses s JOIN dossiers d ON d.id = s.dossier_id WHERE {where}"""  # noqa: S608


async def response_step(tx: Tx, chunk: int = CHUNK) -> tuple[int, bool]:
    """One refresh step of the questionnaire responses and their answers (a write function)."""
    rows, more = await advance(tx, RESPONSES, _response_select, "s.id", chunk)
    if not rows:
        return 0, more
    tz_of, local = await zones(tx), Local()
    where: dict[int, tuple[int, int, int, str]] = {}  # response -> unit, day, month, instrument
    responses: dict[tuple[Any, ...], list[int]] = {}
    response_months: dict[tuple[Any, ...], list[int]] = {}
    for r in rows:
        unit = int(r["unit_id"])
        day, month, _, _ = local(tz_of.get(unit, "Asia/Ho_Chi_Minh"), int(r["q"]))
        where[int(r["id"])] = (unit, day, month, str(r["instrument"]))
        responses.setdefault((unit, day, r["instrument"]), [0])[0] += 1
        response_months.setdefault((unit, month, r["instrument"]), [0])[0] += 1
    answers: dict[tuple[Any, ...], list[int]] = {}
    answer_months: dict[tuple[Any, ...], list[int]] = {}
    listed = ", ".join(str(i) for i in where)
    for a in await tx.fetch_all(f"SELECT response_id, item, value FROM answers WHERE response_id IN ({listed})"):  # noqa: S608
        unit, day, month, instrument = where[int(a["response_id"])]
        value, item = a["value"], str(a["item"])
        counted = (1, 0, 0, 0) if value is None else (1, 1, int(value in satisfied_values(instrument)), int(value >= 1))
        for cell in (
            answers.setdefault((unit, day, instrument, item), [0, 0, 0, 0]),
            answer_months.setdefault((unit, month, instrument, item), [0, 0, 0, 0]),
        ):
            for i, v in enumerate(counted):
                cell[i] += v
    tables: tuple[tuple[str, tuple[str, ...], dict[tuple[Any, ...], list[int]]], ...] = (
        ("response_days", ("unit_id", "day", "instrument"), responses),
        ("response_months", ("unit_id", "month", "instrument"), response_months),
    )
    for name, keys, cells in tables:
        params = [dict(zip((*keys, "n"), (*k, *v), strict=True)) for k, v in cells.items()]
        if params:
            await tx.execute_many(_upsert(name, keys, ("n",)), params)
    for name, keys, cells in (
        ("answer_days", ("unit_id", "day", "instrument", "item"), answers),
        ("answer_months", ("unit_id", "month", "instrument", "item"), answer_months),
    ):
        params = [dict(zip((*keys, *ANSWER_COLUMNS), (*k, *v), strict=True)) for k, v in cells.items()]
        if params:
            await tx.execute_many(_upsert(name, keys, ANSWER_COLUMNS), params)
    return len(rows), more


async def pending(tx: Tx) -> bool:
    """Whether the dossiers' or responses' refresh has anything to do."""
    cursor = await tx.fetch_one("SELECT watermark, cursor_id FROM rollup_marks WHERE name = :n", {"n": DOSSIERS})
    t, i = (int(cursor["watermark"]), int(cursor["cursor_id"])) if cursor else (-1, -1)
    since = None
    if tx.dialect == "postgresql":  # the settled cursor (``_settle``) has dossiers to read again
        settled = await tx.fetch_one("SELECT watermark FROM rollup_marks WHERE name = :n", {"n": SETTLED})
        since = int(settled["watermark"]) if settled else now_ms() - SLACK_MS
    recent = " OR (updated_at > :since AND updated_at <= :now)" if since is not None else ""
    changed = f"EXISTS (SELECT 1 FROM dossiers WHERE updated_at > :t OR (updated_at = :t AND id > :i){recent})"  # noqa: S608
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM dossier_dirty) AS dirty, {changed} AS changed,"  # noqa: S608 - fixed SQL
        " (SELECT max(id) FROM responses) AS newest,"
        " (SELECT watermark FROM rollup_marks WHERE name = :r) AS mark,"
        " (SELECT count(*) FROM rollup_gaps WHERE name = :r) AS gaps"
    )
    row = await tx.fetch_one(
        sql,
        {"t": t, "i": i, "r": RESPONSES, **({"since": since, "now": now_ms() - SLACK_MS} if since is not None else {})},
    )
    assert row is not None
    newer = row["newest"] is not None and (row["mark"] is None or int(row["newest"]) > int(row["mark"]))
    return bool(row["dirty"] or row["changed"] or newer or row["gaps"])


async def dossiers_by_month(
    tx: Tx,
    m: Months,
    unit_ids: Sequence[int] | None,
    first: date,
    last: date,
    fold: dict[int, int] | None = None,
) -> list[Row]:
    """Dossiers returned in the period per unit, procedure, channel, month and margin: n, rated, unsat; with
    ``fold``, per (folded) unit, month and margin only."""
    keys = ("unit_id", "margin") if fold else ("unit_id", *DOSSIER_KEY)
    tables = ("dossier_unit_months", "dossier_unit_days") if fold else ("dossier_months", "dossier_days")
    return await month_rows(tx, m, first, last, tables, keys, ("n", "rated", "unsat"), unit_ids, fold=fold)


async def answers_by_month(
    tx: Tx,
    m: Months,
    unit_ids: Sequence[int] | None,
    first: date,
    last: date,
    instrument: str,
    items: Sequence[str],
    fold: dict[int, int] | None = None,
) -> list[Row]:
    """The rows of api.insights.queries.answers_by_month (satisfied: the instrument's own ``satisfied``
    values, ``satisfied_values``), from the rollups."""
    listed = ", ".join("'" + i.replace("'", "''") + "'" for i in items)
    where = f"instrument = '{instrument.replace(chr(39), chr(39) * 2)}' AND item IN ({listed})"
    tables, keys = ("answer_months", "answer_days"), ("unit_id", "item")
    return await month_rows(tx, m, first, last, tables, keys, ANSWER_MEASURES, unit_ids, where, fold, ANSWER_COLUMNS)


async def responses_by_month(
    tx: Tx,
    m: Months,
    unit_ids: Sequence[int] | None,
    first: date,
    last: date,
    instrument: str,
    fold: dict[int, int] | None = None,
) -> list[Row]:
    where = f"instrument = '{instrument.replace(chr(39), chr(39) * 2)}'"
    tables = ("response_months", "response_days")
    return await month_rows(tx, m, first, last, tables, ("unit_id",), ("n",), unit_ids, where, fold)
