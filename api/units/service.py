from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from api.db import Row, Store, Tx, now_ms
from api.errors import Conflict, Invalid, NotFound
from api.units import queries
from api.units.schemas import UnitIn, UnitOut, UnitPatch
from api.update import update_columns


def to_out(row: Row) -> UnitOut:
    return UnitOut(row["code"], row["name"], row["kind"], row["parent"], row["timezone"], int(row["rating_scale"]))


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except Exception:
        raise Invalid(f"unknown time zone {name!r}; use an IANA name such as Asia/Ho_Chi_Minh") from None
    return name


async def require_id(tx: Tx, code: str, what: str = "unit") -> int:
    unit_id = await queries.id_by_code(tx, code)
    if unit_id is None:
        raise NotFound(f"There is no {what} with code {code!r}.")
    return unit_id


async def create(store: Store, data: UnitIn, default_tz: str) -> UnitOut:
    timezone = check_timezone(data.timezone or default_tz)

    async def run(tx: Tx) -> Row:
        parent_id = await require_id(tx, data.parent, "parent unit") if data.parent else None
        values = msgspec.structs.asdict(data) | {"parent_id": parent_id, "timezone": timezone, "now": now_ms()}
        if await queries.insert(tx, values) is None:
            raise Conflict(f"A unit with code {data.code!r} already exists.", code="duplicate-code")
        row = await queries.by_code(tx, data.code)
        assert row is not None
        return row

    return to_out(await store.write(run))


async def update(store: Store, code: str, patch: UnitPatch) -> UnitOut:
    values: dict[str, Any] = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}
    if "timezone" in values:
        check_timezone(values["timezone"])

    async def run(tx: Tx) -> Row:
        unit_id = await require_id(tx, code)
        if "parent" in values:
            parent = values.pop("parent")
            parent_id = None if parent is None else await require_id(tx, parent, "parent unit")
            if parent_id is not None and unit_id in await queries.ancestors(tx, parent_id):
                raise Invalid(f"Unit {parent!r} lies under {code!r}; a unit cannot be its own ancestor.")
            values["parent_id"] = parent_id
        await update_columns(tx, "units", unit_id, values, {"name", "kind", "parent_id", "timezone", "rating_scale"})
        row = await queries.by_code(tx, code)
        assert row is not None
        return row

    return to_out(await store.write(run))


async def list_all(store: Store, parent: str | None) -> list[UnitOut]:
    async def run(tx: Tx) -> list[Row]:
        parent_id = await require_id(tx, parent, "parent unit") if parent else None
        return await queries.list_units(tx, parent_id)

    return [to_out(r) for r in await store.read(run)]
