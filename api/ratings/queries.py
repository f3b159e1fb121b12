from __future__ import annotations

import operator
from functools import cache
from typing import Any

from api.db import Row, Tx

SELECT = """
SELECT r.id, r.idempotency_key, r.instrument, u.code AS unit, c.code AS counter, o.code AS officer,
       d.code AS dossier_code, r.level, r.scale, r.comment, r.source, v.code AS device, r.created_at,
       r.client_time, r.time_to_tap_ms
FROM ratings r
JOIN units u ON u.id = r.unit_id
JOIN counters c ON c.id = r.counter_id
LEFT JOIN officers o ON o.id = r.officer_id
LEFT JOIN dossiers d ON d.id = r.dossier_id
LEFT JOIN devices v ON v.id = r.device_id
"""


async def by_key(tx: Tx, key: str) -> Row | None:
    return await tx.fetch_one(SELECT + " WHERE r.idempotency_key = :k", {"k": key})


COUNTER_CONTEXT = """
SELECT c.id, c.code, c.unit_id, c.active, u.code AS unit, u.rating_scale, d.officer_id, o.code AS officer
FROM counters c JOIN units u ON u.id = c.unit_id
LEFT JOIN counter_duty d ON d.counter_id = c.id LEFT JOIN officers o ON o.id = d.officer_id
"""


async def counter_context(tx: Tx, *, code: str | None = None, counter_id: int | None = None) -> Row | None:
    if code is not None:
        return await tx.fetch_one(COUNTER_CONTEXT + " WHERE c.code = :v", {"v": code})
    return await tx.fetch_one(COUNTER_CONTEXT + " WHERE c.id = :v", {"v": counter_id})


DOSSIER_CONTEXT = """
SELECT d.id, d.code, d.unit_id, d.officer_id, o.code AS officer
FROM dossiers d LEFT JOIN officers o ON o.id = d.officer_id
"""


async def dossier_context(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one(DOSSIER_CONTEXT + " WHERE d.code = :c", {"c": code})


async def unit_within(tx: Tx, unit_id: int, ancestor_id: int) -> bool:
    """Whether ``unit_id`` is ``ancestor_id`` or a unit under it."""
    found = await tx.fetch_val(
        "WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM units WHERE id = :u"
        " UNION ALL SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)"
        " SELECT 1 FROM up WHERE id = :a",
        {"u": unit_id, "a": ancestor_id},
    )
    return found is not None


async def dossier_rated(tx: Tx, dossier_id: int, instrument: str) -> bool:
    found = await tx.fetch_val(
        "SELECT 1 FROM ratings WHERE dossier_id = :d AND instrument = :i", {"d": dossier_id, "i": instrument}
    )
    return found is not None


async def counters_for(tx: Tx, *, ids: set[int], codes: set[str]) -> dict[Any, Row]:
    """The batch's counters with unit, scale and officer on duty, keyed ("id", id) and ("code", code)."""
    params: dict[str, Any] = {f"i{n}": v for n, v in enumerate(sorted(ids))}
    params |= {f"c{n}": v for n, v in enumerate(sorted(codes))}
    clauses = []
    if ids:
        clauses.append("c.id IN (" + ", ".join(f":i{n}" for n in range(len(ids))) + ")")
    if codes:
        clauses.append("c.code IN (" + ", ".join(f":c{n}" for n in range(len(codes))) + ")")
    if not clauses:
        return {}
    rows = await tx.fetch_all(COUNTER_CONTEXT + " WHERE " + " OR ".join(clauses), params)
    found: dict[Any, Row] = {}
    for row in rows:
        found[("id", int(row["id"]))] = row
        found[("code", row["code"])] = row
    return found


async def dossiers_for(tx: Tx, codes: set[str]) -> dict[str, Row]:
    params = {f"d{n}": v for n, v in enumerate(sorted(codes))}
    marks = ", ".join(f":d{n}" for n in range(len(codes)))
    sql = DOSSIER_CONTEXT + f" WHERE d.code IN ({marks})"  # placeholders only
    rows = await tx.fetch_all(sql, params)
    return {r["code"]: r for r in rows}


_INSERT_COLUMNS = (
    "idempotency_key", "instrument", "unit_id", "counter_id", "officer_id", "dossier_id", "device_id", "source",
    "level", "scale", "comment", "created_at", "client_time", "time_to_tap_ms",
)  # fmt: skip


_row_values = operator.itemgetter(*_INSERT_COLUMNS)


@cache
def _insert_sql(rows: int) -> str:
    values = ", ".join(["(" + ", ".join("?" * len(_INSERT_COLUMNS)) + ")"] * rows)
    return (
        f"INSERT INTO ratings ({', '.join(_INSERT_COLUMNS)}) VALUES {values}"  # noqa: S608
        " ON CONFLICT DO NOTHING RETURNING id, idempotency_key"
    )


async def insert_many(tx: Tx, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert many ratings in one statement, in order; returns the new ids by idempotency key. A row that
    conflicts (stored key, rated dossier) is skipped and absent from the answer. Positional parameters:
    SQLite binds them without a name lookup each, which halves this statement's cost."""
    params = [value for row in rows for value in _row_values(row)]
    inserted = await tx.fetch_all(_insert_sql(len(rows)), params)
    return {r["idempotency_key"]: int(r["id"]) for r in inserted}


async def insert_reasons_many(tx: Tx, pairs: list[tuple[int, str]]) -> None:
    await tx.execute_many(
        "INSERT INTO rating_reasons (rating_id, reason) VALUES (:r, :c)", [{"r": r, "c": c} for r, c in pairs]
    )


async def reasons_of(tx: Tx, ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    rows = await tx.fetch_all(
        f"SELECT rating_id, reason FROM rating_reasons WHERE rating_id IN ({marks}) ORDER BY reason",  # noqa: S608
        {f"i{n}": v for n, v in enumerate(ids)},
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(int(row["rating_id"]), []).append(row["reason"])
    return found


async def page(tx: Tx, filters: dict[str, Any], limit: int) -> list[Row]:
    where = ["r.id > :after"]
    params: dict[str, Any] = {"after": filters.get("after", 0), "limit": limit}
    for name, clause in (
        ("counter_id", "r.counter_id = :counter_id"),
        ("officer_id", "r.officer_id = :officer_id"),
        ("from_ms", "r.created_at >= :from_ms"),
        ("to_ms", "r.created_at < :to_ms"),
    ):
        if filters.get(name) is not None:
            where.append(clause)
            params[name] = filters[name]
    prefix = ""
    if filters.get("unit_id") is not None:
        prefix = (
            "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE id = :unit_id"
            " UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) "
        )
        where.append("r.unit_id IN (SELECT id FROM sub)")
        params["unit_id"] = filters["unit_id"]
    sql = prefix + SELECT + " WHERE " + " AND ".join(where) + " ORDER BY r.id LIMIT :limit"
    return await tx.fetch_all(sql, params)


async def id_span(tx: Tx, from_ms: int, to_ms: int) -> tuple[int, int] | None:
    """The smallest and largest rating id created in [from_ms, to_ms) (two index lookups), or None: no
    rating of that period has an id outside this span, whatever order the ids were given in."""
    row = await tx.fetch_one(
        "SELECT (SELECT min(id) FROM ratings WHERE created_at >= :lo AND created_at < :hi) AS first,"
        " (SELECT max(id) FROM ratings WHERE created_at >= :lo AND created_at < :hi) AS last",
        {"lo": from_ms, "hi": to_ms},
    )
    if row is None or row["first"] is None:
        return None
    return int(row["first"]), int(row["last"])


async def export_page(
    tx: Tx, unit_ids: list[int], from_ms: int, to_ms: int, after: int, last: int, limit: int
) -> list[Row]:
    """The next ``limit`` ratings of these units and period with an id in (after, last], in id order.
    The id range is walked on the primary key (the unary plus keeps the planner off the unit and time
    indexes, which would sort a whole period's rows again for every page), so reading a period page by
    page costs one pass over its ids however large it is."""
    units = ", ".join(str(int(u)) for u in unit_ids) or "NULL"
    sql = (
        SELECT
        + " WHERE r.id > :after AND r.id <= :last AND +r.created_at >= :lo AND +r.created_at < :hi"
        + f" AND +r.unit_id IN ({units}) ORDER BY r.id LIMIT :limit"
    )
    return await tx.fetch_all(sql, {"after": after, "last": last, "lo": from_ms, "hi": to_ms, "limit": limit})
