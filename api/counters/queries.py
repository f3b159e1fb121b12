from __future__ import annotations

from typing import Any

from api.db import Row, Tx, fetch_id

SELECT = """
SELECT c.id, c.code, u.code AS unit, c.unit_id, c.name, c.active, o.code AS officer_on_duty,
       o.full_name AS officer_name, d.since_at
FROM counters c
JOIN units u ON u.id = c.unit_id
LEFT JOIN counter_duty d ON d.counter_id = c.id
LEFT JOIN officers o ON o.id = d.officer_id
"""


async def by_code(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one(SELECT + " WHERE c.code = :code", {"code": code})


async def by_id(tx: Tx, counter_id: int) -> Row | None:
    return await tx.fetch_one(SELECT + " WHERE c.id = :id", {"id": counter_id})


async def list_counters(tx: Tx, unit_id: int | None) -> list[Row]:
    if unit_id is None:
        return await tx.fetch_all(SELECT + " ORDER BY c.code")
    return await tx.fetch_all(SELECT + " WHERE c.unit_id = :u ORDER BY c.code", {"u": unit_id})


async def insert(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO counters (code, unit_id, name, active, created_at, updated_at)"
        " VALUES (:code, :unit_id, :name, :active, :now, :now) ON CONFLICT (code) DO NOTHING RETURNING id",
        values,
    )


async def set_duty(tx: Tx, counter_id: int, officer_id: int | None, now: int) -> None:
    if officer_id is None:
        await tx.execute("DELETE FROM counter_duty WHERE counter_id = :c", {"c": counter_id})
        return
    await tx.execute(
        "INSERT INTO counter_duty (counter_id, officer_id, since_at, shift_id) VALUES (:c, :o, :t, NULL)"
        " ON CONFLICT (counter_id) DO UPDATE SET officer_id = excluded.officer_id, since_at = excluded.since_at,"
        " shift_id = NULL",  # set by hand: it wins over the running shift (api.roster)
        {"c": counter_id, "o": officer_id, "t": now},
    )
