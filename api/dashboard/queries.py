"""The dashboard's own reads: what the report does not compute (the hour x weekday heat map)."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.db import Store, Tx
from api.insights.periods import months
from api.insights.queries import SATISFIED


async def hours(
    store: Store, unit_rows: list[dict[str, Any]], unit_id: int, first: date, last: date
) -> dict[tuple[int, int], tuple[int, int]]:
    """(weekday 0 = Monday, local hour) -> (citizen ratings, satisfied) in the unit's subtree and period: from the
    rollups (brought up to date first) when every unit of the subtree keeps the unit's time zone, else from
    the ratings, in the unit's time zone at the end of the period."""
    from api.insights import rollups
    from api.insights.gather import subtree_of

    ids = sorted(subtree_of(unit_rows, unit_id))
    tz = str(next(u for u in unit_rows if int(u["id"]) == unit_id)["timezone"])
    m = months(first, last, tz)
    await rollups.refresh(store)
    if {str(u["timezone"]) for u in unit_rows if int(u["id"]) in set(ids)} == {tz}:
        scope = None if len(ids) == len(unit_rows) else ids
        found = await store.read(lambda tx: rollups.hours(tx, m, scope, first, last))
        return {k: (n, x) for k, (n, x) in found.items()}
    local = f"(r.created_at + {m.offset})"
    sql = f"""
        SELECT (({local} / 86400000) + 3) % 7 AS weekday, ({local} / 3600000) % 24 AS hour, count(*) AS n,
               sum({SATISFIED}) AS x
        FROM ratings r
        WHERE r.created_at >= :lo AND r.created_at < :hi AND r.source <> 'staff'
              AND r.unit_id IN ({", ".join(str(i) for i in ids)})
        GROUP BY 1, 2"""  # noqa: S608 - numbers only

    async def run(tx: Tx) -> dict[tuple[int, int], tuple[int, int]]:
        rows = await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi})
        return {(int(r["weekday"]), int(r["hour"])): (int(r["n"]), int(r["x"])) for r in rows}

    return await store.read(run)


async def version(tx: Tx) -> tuple[int, ...]:
    """Changes whenever a rollup or the reference data a view names change: a view computed for one version
    stays right while the version is the same (each rollup mark's updated_at only grows)."""
    parts = ["(SELECT COALESCE(sum(updated_at), 0) FROM rollup_marks) AS marks"]
    for table in ("units", "counters", "officers", "procedures"):
        count, newest = f"(SELECT count(*) FROM {table})", f"(SELECT max(updated_at) FROM {table})"  # noqa: S608
        parts.append(f"{count} AS {table}_n, {newest} AS {table}_at")
    row = await tx.fetch_one(f"SELECT {', '.join(parts)}")
    assert row is not None
    return tuple(int(v or 0) for v in row.values())
