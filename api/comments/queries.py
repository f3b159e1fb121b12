"""The analysed comments of stored runs (``comment_results``) and the "wrongly themed" marks.

A comment is a counter rating's (``source`` counter, ``rating_id``) or a questionnaire response's
(``source`` questionnaire, ``response_id``); ``item_id`` is whichever of the two it has. Lists go newest
first by (``given_at``, ``source``, ``item_id``), the key the search pages on."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from api.db import Row, Tx

ITEM_ID = "COALESCE(c.rating_id, c.response_id)"
ORDER_KEY = f"c.given_at, c.source, {ITEM_ID}"
NEWEST_FIRST = f"c.given_at DESC, c.source DESC, {ITEM_ID} DESC"


def _units(ids: Collection[int] | None) -> str:
    return "" if ids is None else f" AND c.unit_id IN ({', '.join(str(int(i)) for i in sorted(ids)) or 'NULL'})"


async def latest_run(tx: Tx, ids: Collection[int] | None) -> Row | None:
    """The newest run with analysed comments of these units."""
    return await tx.fetch_one(
        "SELECT r.id, r.as_of FROM analysis_runs r WHERE r.id = (SELECT max(c.run_id) FROM comment_results c"  # noqa: S608
        f" WHERE 1 = 1{_units(ids)})"
    )


async def comments(
    tx: Tx,
    run_id: int,
    ids: Collection[int] | None,
    first: str,
    last: str,
    *,
    theme: str | None = None,
    folded: str | None = None,
    dissatisfied: bool | None = None,
    names: bool = True,
    before: tuple[int, str, int] | None = None,
    limit: int | None = None,
) -> list[Row]:
    where = [f"c.run_id = :run AND c.month >= :first AND c.month <= :last{_units(ids)}"]
    params: dict[str, Any] = {"run": run_id, "first": first, "last": last}
    if theme is not None:
        where.append("(';' || c.themes || ';') LIKE :theme")
        params["theme"] = f"%;{theme};%"
    if folded:
        where.append("c.folded LIKE :q ESCAPE '\\'")
        params["q"] = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if dissatisfied is not None:
        where.append("c.dissatisfied = :d")
        params["d"] = int(dissatisfied)
    if not names:
        where.append("c.mentions_person = 0")
    if before is not None:  # the keyset of the order below
        where.append(f"({ORDER_KEY}) < (:b_at, :b_source, :b_id)")
        params |= {"b_at": before[0], "b_source": before[1], "b_id": before[2]}
    sql = (
        f"SELECT c.source, c.rating_id, c.response_id, {ITEM_ID} AS item_id, c.given_at, u.code AS unit, c.month,"  # noqa: S608
        " c.level, c.scale, c.p_dissatisfied, c.dissatisfied, c.themes, c.theme_terms, c.mentions_person,"
        " c.redacted_text FROM comment_results c JOIN units u ON u.id = c.unit_id"
        f" WHERE {' AND '.join(where)} ORDER BY {NEWEST_FIRST}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return await tx.fetch_all(sql, params)


async def month_counts(tx: Tx, run_id: int, ids: Collection[int] | None, first: str, last: str) -> list[Row]:
    """Per month and measure (comments, unhappy, naming, a theme code): the run's counts summed over the scope."""
    return await tx.fetch_all(
        "SELECT c.month, c.measure, sum(c.n) AS n FROM comment_months c"  # noqa: S608
        f" WHERE c.run_id = :run AND c.month >= :first AND c.month <= :last{_units(ids)} GROUP BY c.month, c.measure",
        {"run": run_id, "first": first, "last": last},
    )


async def worst(
    tx: Tx, run_id: int, ids: Collection[int] | None, first: str, last: str, theme: str, limit: int
) -> list[Row]:
    """The most dissatisfied comments with ``theme`` in the scope and period (an index walk from the top
    score down, stopping after ``limit``)."""
    return await tx.fetch_all(
        "SELECT c.themes, c.theme_terms, c.mentions_person, c.redacted_text, c.p_dissatisfied,"  # noqa: S608
        f" c.source, {ITEM_ID} AS item_id FROM comment_results c WHERE c.run_id = :run AND c.dissatisfied = 1"
        f" AND c.month >= :first AND c.month <= :last AND (';' || c.themes || ';') LIKE :theme{_units(ids)}"
        f" ORDER BY c.p_dissatisfied DESC, c.source, {ITEM_ID} LIMIT {int(limit)}",
        {"run": run_id, "first": first, "last": last, "theme": f"%;{theme};%"},
    )


async def emergent(tx: Tx, run_id: int, unit_code: str) -> list[Row]:
    """The run's emergent topics for this unit, where the run analysed it as a scope of its own."""
    return await tx.fetch_all(
        "SELECT data FROM analysis_results WHERE run_id = :run AND file = 'themes' AND scope_kind = 'unit'"
        " AND scope_code = :code",
        {"run": run_id, "code": unit_code},
    )


async def rating_unit(tx: Tx, rating_id: int) -> int | None:
    row = await tx.fetch_one("SELECT unit_id FROM ratings WHERE id = :id AND comment IS NOT NULL", {"id": rating_id})
    return None if row is None else int(row["unit_id"])


async def response_unit(tx: Tx, response_id: int) -> int | None:
    """The unit of a questionnaire response that was analysed with a comment (its dossier's unit)."""
    row = await tx.fetch_one(
        "SELECT d.unit_id FROM responses s JOIN dossiers d ON d.id = s.dossier_id"
        " WHERE s.id = :id AND EXISTS (SELECT 1 FROM comment_results c WHERE c.response_id = s.id)",
        {"id": response_id},
    )
    return None if row is None else int(row["unit_id"])


async def mark_wrong(tx: Tx, rating_id: int, theme: str, who: str, at: int) -> None:
    await tx.execute(
        "INSERT INTO theme_marks (rating_id, theme, marked_by, marked_at) VALUES (:r, :t, :w, :a)"
        " ON CONFLICT (rating_id, theme) DO NOTHING",
        {"r": rating_id, "t": theme, "w": who, "a": at},
    )


async def mark_response_wrong(tx: Tx, response_id: int, theme: str, who: str, at: int) -> None:
    await tx.execute(
        "INSERT INTO theme_marks (response_id, theme, marked_by, marked_at) VALUES (:r, :t, :w, :a)"
        " ON CONFLICT (response_id, theme) DO NOTHING",
        {"r": response_id, "t": theme, "w": who, "a": at},
    )
