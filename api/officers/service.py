from __future__ import annotations

from typing import Any

import msgspec

from api.db import Row, Store, Tx, now_ms
from api.errors import Conflict, Invalid, NotFound
from api.officers import queries
from api.officers.schemas import OfficerIn, OfficerOut, OfficerPatch
from api.units.service import require_id as require_unit
from api.update import update_columns


def to_out(row: Row) -> OfficerOut:
    return OfficerOut(row["code"], row["unit"], row["full_name"], row["title"], bool(row["active"]))


async def require(tx: Tx, code: str) -> Row:
    row = await queries.by_code(tx, code)
    if row is None:
        raise NotFound(f"There is no officer with code {code!r}.", code="unknown-officer")
    return row


async def serving_officer(tx: Tx, code: str, counter: Row) -> int:
    """The id of the officer who may serve at ``counter``: only an active officer of the counter's own unit."""
    officer = await queries.duty_facts(tx, code)
    if officer is None:
        raise NotFound(f"There is no officer with code {code!r}.", code="unknown-officer")
    if officer["unit_id"] != counter["unit_id"] or not officer["active"]:
        raise Invalid(
            f"Officer {code!r} cannot serve at counter {counter['code']!r}: only an active officer of the"
            " counter's own unit can.",
            code="officer-not-of-unit",
        )
    return int(officer["id"])


async def create(store: Store, data: OfficerIn) -> OfficerOut:
    async def run(tx: Tx) -> Row:
        unit_id = await require_unit(tx, data.unit)
        values = msgspec.structs.asdict(data) | {"unit_id": unit_id, "active": int(data.active), "now": now_ms()}
        if await queries.insert(tx, values) is None:
            raise Conflict(f"An officer with code {data.code!r} already exists.", code="duplicate-code")
        return await require(tx, data.code)

    return to_out(await store.write(run))


async def update(store: Store, code: str, patch: OfficerPatch) -> OfficerOut:
    values: dict[str, Any] = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}

    async def run(tx: Tx) -> Row:
        row = await require(tx, code)
        if "unit" in values:
            values["unit_id"] = await require_unit(tx, values.pop("unit"))
        if "active" in values:
            values["active"] = int(values["active"])
        await update_columns(tx, "officers", row["id"], values, {"unit_id", "full_name", "title", "active"})
        return await require(tx, code)

    return to_out(await store.write(run))


async def list_all(store: Store, unit: str | None) -> list[OfficerOut]:
    async def run(tx: Tx) -> list[Row]:
        unit_id = await require_unit(tx, unit) if unit else None
        return await queries.list_officers(tx, unit_id)

    return [to_out(r) for r in await store.read(run)]
