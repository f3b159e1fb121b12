"""Dossiers pushed by the one-stop system: registered once per code, then their status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from api.db import Row, Store, Tx, now_ms
from api.dossiers import queries
from api.dossiers.schemas import DossierIn, DossierOut, DossierPatch
from api.errors import Conflict, Invalid, NotFound
from api.officers.service import require as require_officer
from api.procedures.service import require as require_procedure
from api.types import aware, from_ms, to_ms
from api.units.service import require_id as require_unit
from api.update import update_columns

SurveyLink = Callable[[int], str | None]


def to_out(row: Row, survey_link: SurveyLink | None = None) -> DossierOut:
    received, due = from_ms(row["received_at"]), from_ms(row["due_at"])
    assert received is not None and due is not None
    return DossierOut(
        code=row["code"],
        unit=row["unit"],
        procedure=row["procedure"],
        officer=row["officer"],
        channel=row["channel"],
        received_at=received,
        due_at=due,
        returned_at=from_ms(row["returned_at"]),
        result=row["result"],
        survey_url=survey_link(int(row["id"])) if survey_link else None,
    )


async def require(tx: Tx, code: str) -> Row:
    row = await queries.by_code(tx, code)
    if row is None:
        raise NotFound(f"There is no dossier with code {code!r}.", code="unknown-dossier")
    return row


def _same(row: Row, data: DossierIn, values: dict[str, Any]) -> list[str]:
    pairs = {
        "unit": (row["unit"], data.unit),
        "procedure": (row["procedure"], data.procedure),
        "officer": (row["officer"], data.officer),
        "channel": (row["channel"], data.channel),
        "received_at": (row["received_at"], values["received_at"]),
        "due_at": (row["due_at"], values["due_at"]),
    }
    return [name for name, (stored, sent) in pairs.items() if stored != sent]


async def register_in(tx: Tx, data: DossierIn) -> tuple[Row, bool]:
    """Insert a dossier, or return the stored one if the same code arrives again. (row, created)"""
    received, due = to_ms(aware(data.received_at, "received_at")), to_ms(aware(data.due_at, "due_at"))
    if due < received:
        raise Invalid("due_at is before received_at.")
    values = {
        "code": data.code,
        "unit_id": await require_unit(tx, data.unit),
        "procedure_id": (await require_procedure(tx, data.procedure))["id"],
        "officer_id": (await require_officer(tx, data.officer))["id"] if data.officer else None,
        "channel": data.channel,
        "received_at": received,
        "due_at": due,
        "now": now_ms(),
    }
    created = await queries.insert(tx, values) is not None
    row = await require(tx, data.code)
    if not created:
        differing = _same(row, data, values)
        if differing:
            raise Conflict(
                f"Dossier {data.code!r} is already registered with other values ({', '.join(differing)}).",
                code="dossier-differs",
            )
    return row, created


async def register(store: Store, data: DossierIn, survey_link: SurveyLink | None) -> tuple[DossierOut, bool]:
    row, created = await store.write(lambda tx: register_in(tx, data))
    return to_out(row, survey_link), created


async def update(store: Store, code: str, patch: DossierPatch, survey_link: SurveyLink | None) -> DossierOut:
    values: dict[str, Any] = {}
    for name, value in msgspec.structs.asdict(patch).items():
        if value is msgspec.UNSET:
            continue
        values[name] = to_ms(aware(value, name)) if hasattr(value, "tzinfo") else value

    async def run(tx: Tx) -> Row:
        row = await require(tx, code)
        returned = values.get("returned_at", row["returned_at"])
        if returned is not None and returned < row["received_at"]:
            raise Invalid("returned_at is before received_at.")
        if values.get("due_at", row["due_at"]) < row["received_at"]:
            raise Invalid("due_at is before received_at.")
        await update_columns(tx, "dossiers", row["id"], values, {"returned_at", "result", "due_at"})
        return await require(tx, code)

    return to_out(await store.write(run), survey_link)


async def get(store: Store, code: str, survey_link: SurveyLink | None) -> DossierOut:
    return to_out(await store.read(lambda tx: require(tx, code)), survey_link)
