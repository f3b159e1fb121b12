from __future__ import annotations

from typing import Any

from api.db import Row, Tx, fetch_id

SELECT = """
SELECT o.id, o.code, u.code AS unit, o.unit_id, o.full_name, o.title, o.active
FROM officers o JOIN units u ON u.id = o.unit_id
"""


async def by_code(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one(SELECT + " WHERE o.code = :code", {"code": code})


async def id_by_code(tx: Tx, code: str) -> int | None:
    return await fetch_id(tx, "SELECT id FROM officers WHERE code = :code", {"code": code})


async def duty_facts(tx: Tx, code: str) -> Row | None:
    """What putting an officer on duty checks: the officer's unit and whether still active."""
    return await tx.fetch_one("SELECT id, unit_id, active FROM officers WHERE code = :code", {"code": code})


async def list_officers(tx: Tx, unit_id: int | None) -> list[Row]:
    if unit_id is None:
        return await tx.fetch_all(SELECT + " ORDER BY o.code")
    return await tx.fetch_all(SELECT + " WHERE o.unit_id = :u ORDER BY o.code", {"u": unit_id})


async def insert(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO officers (code, unit_id, full_name, title, active, created_at, updated_at)"
        " VALUES (:code, :unit_id, :full_name, :title, :active, :now, :now)"
        " ON CONFLICT (code) DO NOTHING RETURNING id",
        values,
    )
