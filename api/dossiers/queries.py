from __future__ import annotations

from typing import Any

from api.db import Row, Tx, fetch_id

SELECT = """
SELECT d.id, d.code, u.code AS unit, d.unit_id, p.code AS procedure, o.code AS officer, d.officer_id,
       d.channel, d.received_at, d.due_at, d.returned_at, d.result
FROM dossiers d
JOIN units u ON u.id = d.unit_id
JOIN procedures p ON p.id = d.procedure_id
LEFT JOIN officers o ON o.id = d.officer_id
"""


async def by_code(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one(SELECT + " WHERE d.code = :code", {"code": code})


async def insert(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO dossiers (code, unit_id, procedure_id, officer_id, channel, received_at, due_at,"
        " created_at, updated_at)"
        " VALUES (:code, :unit_id, :procedure_id, :officer_id, :channel, :received_at, :due_at, :now, :now)"
        " ON CONFLICT (code) DO NOTHING RETURNING id",
        values,
    )
