from __future__ import annotations

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


FAST_INSERT = """
INSERT INTO ratings (idempotency_key, instrument, unit_id, counter_id, officer_id, dossier_id, device_id, source,
                     level, scale, comment, created_at, client_time, time_to_tap_ms)
SELECT :idempotency_key, 'counter-' || u.rating_scale, c.unit_id, c.id, COALESCE(d.officer_id, duty.officer_id), d.id,
       :device_id, :source, :level, u.rating_scale, :comment, :created_at, :client_time, :time_to_tap_ms
FROM counters c
JOIN units u ON u.id = c.unit_id
LEFT JOIN counter_duty duty ON duty.counter_id = c.id
LEFT JOIN dossiers d ON d.code = :dossier_code
WHERE {counter} AND c.active = 1 AND :level <= u.rating_scale
  AND (CAST(:dossier_code AS TEXT) IS NULL OR d.id IS NOT NULL)
ON CONFLICT DO NOTHING
RETURNING id, instrument, scale,
    (SELECT code FROM units WHERE units.id = unit_id) AS unit,
    (SELECT code FROM counters WHERE counters.id = counter_id) AS counter,
    (SELECT code FROM officers WHERE officers.id = officer_id) AS officer
"""
FAST_BY_CODE = FAST_INSERT.format(counter="c.code = :counter")
FAST_BY_ID = FAST_INSERT.format(counter="c.id = :counter")

async def insert_fast(tx: Tx, values: dict[str, Any], *, by_code: bool) -> Row | None:
    """The one statement of the common case: counter, officer and dossier resolved inside the INSERT.

    Returns None when anything is off (replayed key, unknown counter or dossier, dossier already rated,
    level above the scale); the caller then finds out which, on the slow path.
    """
    return await tx.fetch_one(FAST_BY_CODE if by_code else FAST_BY_ID, values)


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
