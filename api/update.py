"""Partial updates (PATCH) of whitelisted columns, shared by the reference domains."""

from __future__ import annotations

from typing import Any

from api.db import Tx, now_ms


async def update_columns(tx: Tx, table: str, row_id: int, values: dict[str, Any], allowed: set[str]) -> None:
    columns = [c for c in values if c in allowed]
    if not columns:
        return
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    params = {c: values[c] for c in columns} | {"id": row_id, "now": now_ms()}
    await tx.execute(f"UPDATE {table} SET {assignments}, updated_at = :now WHERE id = :id", params)  # noqa: S608
