"""SQL of the survey domain, in the common subset of SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from api.db import Row, Tx, fetch_id


async def keys(tx: Tx) -> list[Row]:
    return await tx.fetch_all("SELECT kid, secret, retired_at FROM survey_keys ORDER BY kid")


async def add_key(tx: Tx, secret: str, now: int, *, only_if_none_active: bool) -> None:
    """A key numbered one above the highest; two workers racing on first start converge on one."""
    if only_if_none_active:
        active = await tx.fetch_val("SELECT count(*) AS n FROM survey_keys WHERE retired_at IS NULL")
        if active:
            return
    else:
        await tx.execute("UPDATE survey_keys SET retired_at = :now WHERE retired_at IS NULL", {"now": now})
    top = await tx.fetch_val("SELECT max(kid) AS top FROM survey_keys")
    await tx.execute(
        "INSERT INTO survey_keys (kid, secret, created_at) VALUES (:kid, :secret, :now) ON CONFLICT (kid) DO NOTHING",
        {"kid": int(top or 0) + 1, "secret": secret, "now": now},
    )


async def dossier(tx: Tx, dossier_id: int) -> Row | None:
    return await tx.fetch_one(
        "SELECT d.id, d.code, d.returned_at, p.name AS procedure"
        " FROM dossiers d JOIN procedures p ON p.id = d.procedure_id WHERE d.id = :id",
        {"id": dossier_id},
    )


async def dossier_id(tx: Tx, code: str) -> int | None:
    return await fetch_id(tx, "SELECT id FROM dossiers WHERE code = :code", {"code": code})


async def answered(tx: Tx, dossier_id: int, instrument: str) -> bool:
    found = await tx.fetch_val(
        "SELECT 1 AS x FROM responses WHERE dossier_id = :d AND instrument = :i", {"d": dossier_id, "i": instrument}
    )
    return found is not None


async def insert_response(tx: Tx, dossier_id: int, instrument: str, version: str, lang: str, now: int) -> int | None:
    """The new response's id, or None when this dossier already answered this instrument."""
    return await fetch_id(
        tx,
        "INSERT INTO responses (dossier_id, instrument, instrument_version, language, submitted_at)"
        " VALUES (:d, :i, :v, :lang, :now) ON CONFLICT (dossier_id, instrument) DO NOTHING RETURNING id",
        {"d": dossier_id, "i": instrument, "v": version, "lang": lang, "now": now},
    )


async def insert_answers(tx: Tx, response_id: int, answers: Sequence[tuple[str, int | None, str | None]]) -> None:
    await tx.execute_many(
        "INSERT INTO answers (response_id, item, value, text_value) VALUES (:r, :item, :value, :text)",
        [{"r": response_id, "item": item, "value": value, "text": text} for item, value, text in answers],
    )
