from __future__ import annotations

from typing import Any

from api.db import Row, Tx, fetch_id

SELECT = "SELECT id, code, name, field, legal_days FROM procedures"


async def by_code(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one(SELECT + " WHERE code = :code", {"code": code})


async def list_procedures(tx: Tx, field: str | None) -> list[Row]:
    if field is None:
        return await tx.fetch_all(SELECT + " ORDER BY code")
    return await tx.fetch_all(SELECT + " WHERE field = :f ORDER BY code", {"f": field})


async def insert(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO procedures (code, name, field, legal_days, created_at, updated_at)"
        " VALUES (:code, :name, :field, :legal_days, :now, :now) ON CONFLICT (code) DO NOTHING RETURNING id",
        values,
    )
