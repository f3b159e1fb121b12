from __future__ import annotations

from typing import Any

from api.db import Row, Tx, fetch_id

SELECT = """
SELECT u.id, u.code, u.name, u.kind, p.code AS parent, u.timezone, u.rating_scale
FROM units u LEFT JOIN units p ON p.id = u.parent_id
"""


async def by_code(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one(SELECT + " WHERE u.code = :code", {"code": code})


async def id_by_code(tx: Tx, code: str) -> int | None:
    return await fetch_id(tx, "SELECT id FROM units WHERE code = :code", {"code": code})


async def list_units(tx: Tx, parent_id: int | None) -> list[Row]:
    if parent_id is None:
        return await tx.fetch_all(SELECT + " ORDER BY u.code")
    return await tx.fetch_all(SELECT + " WHERE u.parent_id = :p ORDER BY u.code", {"p": parent_id})


async def insert(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO units (code, name, kind, parent_id, timezone, rating_scale, created_at, updated_at)"
        " VALUES (:code, :name, :kind, :parent_id, :timezone, :rating_scale, :now, :now)"
        " ON CONFLICT (code) DO NOTHING RETURNING id",
        values,
    )


async def ancestors(tx: Tx, unit_id: int) -> list[int]:
    """Ids from the unit up to the root (to refuse cycles)."""
    rows = await tx.fetch_all(
        "WITH RECURSIVE up(id, parent_id) AS ("
        " SELECT id, parent_id FROM units WHERE id = :id"
        " UNION ALL SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)"
        " SELECT id FROM up",
        {"id": unit_id},
    )
    return [int(r["id"]) for r in rows]
