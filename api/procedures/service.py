from __future__ import annotations

from typing import Any

import msgspec

from api.db import Row, Store, Tx, now_ms
from api.errors import Conflict, NotFound
from api.procedures import queries
from api.procedures.schemas import ProcedureIn, ProcedureOut, ProcedurePatch
from api.update import update_columns


def to_out(row: Row) -> ProcedureOut:
    return ProcedureOut(row["code"], row["name"], row["field"], int(row["legal_days"]))


async def require(tx: Tx, code: str) -> Row:
    row = await queries.by_code(tx, code)
    if row is None:
        raise NotFound(f"There is no procedure with code {code!r}.", code="unknown-procedure")
    return row


async def create(store: Store, data: ProcedureIn) -> ProcedureOut:
    async def run(tx: Tx) -> Row:
        if await queries.insert(tx, msgspec.structs.asdict(data) | {"now": now_ms()}) is None:
            raise Conflict(f"A procedure with code {data.code!r} already exists.", code="duplicate-code")
        return await require(tx, data.code)

    return to_out(await store.write(run))


async def update(store: Store, code: str, patch: ProcedurePatch) -> ProcedureOut:
    values: dict[str, Any] = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}

    async def run(tx: Tx) -> Row:
        row = await require(tx, code)
        await update_columns(tx, "procedures", row["id"], values, {"name", "field", "legal_days"})
        return await require(tx, code)

    return to_out(await store.write(run))


async def list_all(store: Store, field: str | None) -> list[ProcedureOut]:
    return [to_out(r) for r in await store.read(lambda tx: queries.list_procedures(tx, field))]
