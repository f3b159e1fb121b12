"""The raw rows integrity flags are judged on, narrowed in the store so only candidates leave it.

Each query returns few rows even at a million ratings: close pairs of ratings at one device, fast taps,
ratings outside opening hours, comments repeated at one device on one day, staff-entered ratings.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.db import Row, Tx
from api.insights.periods import DAY_MS, Months
from api.insights.queries import _in

RANGE = "r.created_at >= :lo AND r.created_at < :hi"


async def close_pairs(tx: Tx, m: Months, unit_ids: Sequence[int] | None, gap_ms: int) -> list[Row]:
    """Ratings that follow or precede another at the same device within ``gap_ms`` (burst candidates)."""
    sql = f"""
        SELECT id, device_id, officer_id, unit_id, created_at, level, scale FROM (
            SELECT r.id, r.device_id, r.officer_id, r.unit_id, r.created_at, r.level, r.scale,
                   r.created_at - LAG(r.created_at) OVER w AS before,
                   LEAD(r.created_at) OVER w - r.created_at AS after
            FROM ratings r
            WHERE {RANGE} AND r.device_id IS NOT NULL{_in("r.unit_id", unit_ids)}
            WINDOW w AS (PARTITION BY r.device_id ORDER BY r.created_at, r.id)
        ) t WHERE before <= :gap OR after <= :gap
        ORDER BY device_id, created_at, id"""  # noqa: S608
    return await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi, "gap": gap_ms})


async def taps_by_device(tx: Tx, m: Months, unit_ids: Sequence[int] | None, fast_ms: int) -> list[Row]:
    """Per device: ratings with a tap time, how many were faster than ``fast_ms``, first and last fast one."""
    fast = f"r.time_to_tap_ms < {int(fast_ms)}"
    sql = f"""
        SELECT r.device_id, min(r.unit_id) AS unit_id, count(r.time_to_tap_ms) AS n,
               sum(CASE WHEN {fast} THEN 1 ELSE 0 END) AS fast,
               min(CASE WHEN {fast} THEN r.created_at END) AS first_at,
               max(CASE WHEN {fast} THEN r.created_at END) AS last_at
        FROM ratings r
        WHERE {RANGE} AND r.device_id IS NOT NULL{_in("r.unit_id", unit_ids)}
        GROUP BY r.device_id"""  # noqa: S608
    return await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi})


async def fast_ids(tx: Tx, m: Months, device_id: int, fast_ms: int, limit: int) -> list[int]:
    sql = f"""SELECT r.id FROM ratings r WHERE {RANGE} AND r.device_id = :d AND r.time_to_tap_ms < :fast
              ORDER BY r.created_at LIMIT {int(limit)}"""  # noqa: S608
    rows = await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi, "d": device_id, "fast": fast_ms})
    return [int(r["id"]) for r in rows]


def open_expr(m: Months, hours: Sequence[tuple[int, int, int]], grace_min: int) -> str:
    """SQL true when ``r.created_at`` falls in opening hours: (weekday 0=Monday, opens, closes) in local
    minutes, each session extended by ``grace_min`` at its close."""
    local = f"(r.created_at + {m.offset})"
    minute = f"(({local} % {DAY_MS}) / 60000)"
    weekday = f"((({local} / {DAY_MS}) + 3) % 7)"  # 1970-01-01 was a Thursday
    parts = [
        f"({weekday} = {int(d)} AND {minute} >= {int(o)} AND {minute} < {int(c) + int(grace_min)})" for d, o, c in hours
    ]
    return "(" + (" OR ".join(parts) or "1 = 0") + ")"


async def off_hours(
    tx: Tx, m: Months, unit_ids: Sequence[int], hours: Sequence[tuple[int, int, int]], grace_min: int
) -> list[Row]:
    """Citizen ratings at the given units outside their opening hours."""
    sql = f"""
        SELECT r.id, r.device_id, r.officer_id, r.unit_id, r.created_at FROM ratings r
        WHERE {RANGE} AND r.source <> 'staff' AND NOT {open_expr(m, hours, grace_min)}{_in("r.unit_id", unit_ids)}
        ORDER BY r.device_id, r.created_at"""  # noqa: S608
    return await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi})


async def repeated_comments(tx: Tx, m: Months, unit_ids: Sequence[int] | None, min_count: int) -> list[Row]:
    """The same comment text at one device on one local day, at least ``min_count`` times."""
    day = m.local_day("r.created_at")
    sql = f"""
        SELECT r.device_id, min(r.unit_id) AS unit_id, r.comment, {day} AS day, count(*) AS n,
               min(r.created_at) AS first_at, max(r.created_at) AS last_at, min(r.id) AS first_id
        FROM ratings r
        WHERE {RANGE} AND r.comment IS NOT NULL AND r.device_id IS NOT NULL{_in("r.unit_id", unit_ids)}
        GROUP BY r.device_id, r.comment, {day}
        HAVING count(*) >= :k"""  # noqa: S608
    return await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi, "k": min_count})


async def comment_ids(tx: Tx, m: Months, device_id: int, comment: str, limit: int) -> list[int]:
    sql = f"""SELECT r.id FROM ratings r WHERE {RANGE} AND r.device_id = :d AND r.comment = :c
              ORDER BY r.created_at LIMIT {int(limit)}"""  # noqa: S608
    rows = await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi, "d": device_id, "c": comment})
    return [int(r["id"]) for r in rows]


async def staff_ids(tx: Tx, m: Months, unit_id: int, limit: int) -> list[int]:
    sql = f"""SELECT r.id FROM ratings r WHERE {RANGE} AND r.unit_id = :u AND r.source = 'staff'
              ORDER BY r.created_at LIMIT {int(limit)}"""  # noqa: S608
    rows = await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi, "u": unit_id})
    return [int(r["id"]) for r in rows]
