from __future__ import annotations

from typing import Any

import msgspec

from api.counters import queries
from api.counters.schemas import CounterIn, CounterOut, CounterPatch, DutyIn, DutyOut
from api.db import Row, Store, Tx, now_ms
from api.errors import Conflict, NotFound
from api.officers.service import serving_officer
from api.types import from_ms
from api.units.service import require_id as require_unit
from api.update import update_columns


def to_out(row: Row) -> CounterOut:
    return CounterOut(row["code"], row["unit"], row["name"], bool(row["active"]), row["officer_on_duty"])


async def require(tx: Tx, code: str) -> Row:
    row = await queries.by_code(tx, code)
    if row is None:
        raise NotFound(f"There is no counter with code {code!r}.", code="unknown-counter")
    return row


async def create(store: Store, data: CounterIn) -> CounterOut:
    async def run(tx: Tx) -> Row:
        unit_id = await require_unit(tx, data.unit)
        values = msgspec.structs.asdict(data) | {"unit_id": unit_id, "active": int(data.active), "now": now_ms()}
        if await queries.insert(tx, values) is None:
            raise Conflict(f"A counter with code {data.code!r} already exists.", code="duplicate-code")
        return await require(tx, data.code)

    return to_out(await store.write(run))


async def update(store: Store, code: str, patch: CounterPatch) -> CounterOut:
    values: dict[str, Any] = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}

    async def run(tx: Tx) -> Row:
        row = await require(tx, code)
        if "unit" in values:
            values["unit_id"] = await require_unit(tx, values.pop("unit"))
        if "active" in values:
            values["active"] = int(values["active"])
        await update_columns(tx, "counters", row["id"], values, {"name", "unit_id", "active"})
        return await require(tx, code)

    return to_out(await store.write(run))


async def list_all(store: Store, unit: str | None) -> list[CounterOut]:
    async def run(tx: Tx) -> list[Row]:
        unit_id = await require_unit(tx, unit) if unit else None
        return await queries.list_counters(tx, unit_id)

    return [to_out(r) for r in await store.read(run)]


async def set_duty(store: Store, code: str, data: DutyIn) -> DutyOut:
    async def run(tx: Tx) -> Row:
        row = await require(tx, code)
        officer_id = None if data.officer is None else await serving_officer(tx, data.officer, row)
        await queries.set_duty(tx, row["id"], officer_id, now_ms())
        return await require(tx, code)

    row = await store.write(run)
    return DutyOut(row["code"], row["officer_on_duty"], row["officer_name"], from_ms(row["since_at"]))
