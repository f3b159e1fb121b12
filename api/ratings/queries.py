from __future__ import annotations

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


async def dossier_context(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one(
        "SELECT d.id, d.officer_id, o.code AS officer FROM dossiers d"
        " LEFT JOIN officers o ON o.id = d.officer_id WHERE d.code = :c",
        {"c": code},
    )


async def dossier_rated(tx: Tx, dossier_id: int, instrument: str) -> bool:
    found = await tx.fetch_val(
        "SELECT 1 FROM ratings WHERE dossier_id = :d AND instrument = :i", {"d": dossier_id, "i": instrument}
    )
    return found is not None


# The common case for a whole batch in one statement: counter, officer and dossier are resolved inside
# the INSERT. A row that does not come back (replayed key, unknown counter or dossier, dossier already
# rated, level above the scale) is looked at again, one by one, on the slow path.
_COLUMNS = ("k", "counter", "dossier_code", "device_id", "source", "level", "comment", "created_at",
            "client_time", "time_to_tap_ms", "ord")
_TYPES = ("TEXT", "{counter}", "TEXT", "BIGINT", "TEXT", "INTEGER", "TEXT", "BIGINT", "BIGINT", "INTEGER", "INTEGER")
BATCH_INSERT = """
WITH v ({columns}) AS (VALUES {rows})
INSERT INTO ratings (idempotency_key, instrument, unit_id, counter_id, officer_id, dossier_id, device_id, source,
                     level, scale, comment, created_at, client_time, time_to_tap_ms)
SELECT v.k, 'counter-' || u.rating_scale, c.unit_id, c.id, COALESCE(d.officer_id, duty.officer_id), d.id,
       v.device_id, v.source, v.level, u.rating_scale, v.comment, v.created_at, v.client_time, v.time_to_tap_ms
FROM v
JOIN counters c ON {match}
JOIN units u ON u.id = c.unit_id
LEFT JOIN counter_duty duty ON duty.counter_id = c.id
LEFT JOIN dossiers d ON d.code = v.dossier_code
WHERE c.active = 1 AND v.level <= u.rating_scale AND (v.dossier_code IS NULL OR d.id IS NOT NULL)
ORDER BY v.ord
ON CONFLICT DO NOTHING
RETURNING id, idempotency_key, instrument, scale, level, comment, source, created_at, client_time, time_to_tap_ms,
    unit_id, counter_id, officer_id
"""


@cache
def _batch_sql(rows: int, by_code: bool) -> str:
    types = [t.format(counter="TEXT" if by_code else "BIGINT") for t in _TYPES]
    values = ", ".join(
        "(" + ", ".join(f"CAST(:{c}{n} AS {t})" for c, t in zip(_COLUMNS, types, strict=True)) + ")"
        for n in range(rows)
    )
    match = "c.code = v.counter" if by_code else "c.id = v.counter"
    return BATCH_INSERT.format(columns=", ".join(_COLUMNS), rows=values, match=match)


async def insert_batch(tx: Tx, rows: list[dict[str, Any]], *, by_code: bool) -> dict[str, Row]:
    """Insert many ratings in one statement; returns the inserted rows by idempotency key."""
    params: dict[str, Any] = {}
    for n, row in enumerate(rows):
        for column in _COLUMNS:
            params[f"{column}{n}"] = row[column]
    inserted = await tx.fetch_all(_batch_sql(len(rows), by_code), params)
    return {r["idempotency_key"]: r for r in inserted}


async def codes_of(tx: Tx, units: set[int], counters: set[int], officers: set[int]) -> dict[tuple[str, int], str]:
    """Codes for the ids a batch touched (a handful), in one query: (table letter, id) -> code."""
    params: dict[str, Any] = {}
    parts = []
    for letter, table, ids in (("u", "units", units), ("c", "counters", counters), ("o", "officers", officers)):
        if not ids:
            continue
        marks = ", ".join(f":{letter}{n}" for n in range(len(ids)))
        params |= {f"{letter}{n}": value for n, value in enumerate(sorted(ids))}
        parts.append(f"SELECT '{letter}' AS t, id, code FROM {table} WHERE id IN ({marks})")  # noqa: S608
    rows = await tx.fetch_all(" UNION ALL ".join(parts), params)
    return {(r["t"], int(r["id"])): r["code"] for r in rows}


async def insert_reasons_many(tx: Tx, pairs: list[tuple[int, str]]) -> None:
    await tx.execute_many(
        "INSERT INTO rating_reasons (rating_id, reason) VALUES (:r, :c)", [{"r": r, "c": c} for r, c in pairs]
    )


async def insert(tx: Tx, values: dict[str, Any]) -> int | None:
    value = await tx.fetch_val(
        "INSERT INTO ratings (idempotency_key, instrument, unit_id, counter_id, officer_id, dossier_id,"
        " device_id, source, level, scale, comment, created_at, client_time, time_to_tap_ms)"
        " VALUES (:idempotency_key, :instrument, :unit_id, :counter_id, :officer_id, :dossier_id,"
        " :device_id, :source, :level, :scale, :comment, :created_at, :client_time, :time_to_tap_ms)"
        " ON CONFLICT DO NOTHING RETURNING id",
        values,
    )
    return None if value is None else int(value)


async def insert_reasons(tx: Tx, rating_id: int, reasons: list[str]) -> None:
    await tx.execute_many(
        "INSERT INTO rating_reasons (rating_id, reason) VALUES (:r, :c)",
        [{"r": rating_id, "c": code} for code in reasons],
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
