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


async def close_pairs(tx: Tx, m: Months, unit_ids: Sequence[int] | None, gap_ms: int, min_count: int) -> list[Row]:
    """Top ratings at one device within ``gap_ms`` of another (burst candidates), found without sorting the
    whole table: a run of ``min_count`` ratings with gaps of at most ``gap_ms`` spans at most
    (min_count − 1) × gap_ms, so it lies in at most two adjacent buckets of that width and one of them holds
    at least half of it. Only those buckets and their neighbours are read and ordered."""
    width = max(1, (min_count - 1) * gap_ms)
    need = (min_count + 1) // 2
    top = "r.level = r.scale AND r.device_id IS NOT NULL"
    bucket = f"(r.device_id * {1 << 32} + r.created_at / {width})"
    found = await tx.fetch_all(
        f"""SELECT {bucket} AS b FROM ratings r WHERE {RANGE} AND {top}{_in("r.unit_id", unit_ids)}
            GROUP BY 1 HAVING count(*) >= :need""",  # noqa: S608
        {"lo": m.lo, "hi": m.hi, "need": need},
    )
    keys = sorted({int(r["b"]) + d for r in found for d in (-1, 0, 1)})
    out: list[Row] = []
    for i in range(0, len(keys), 500):
        listed = ", ".join(str(k) for k in keys[i : i + 500])
        out += await tx.fetch_all(
            f"""SELECT r.id, r.device_id, r.officer_id, r.unit_id, r.created_at, r.level, r.scale FROM ratings r
                WHERE {RANGE} AND {top} AND {bucket} IN ({listed})""",  # noqa: S608
            {"lo": m.lo, "hi": m.hi},
        )
    out.sort(key=lambda r: (r["device_id"], r["created_at"], r["id"]))
    return out


async def fast_taps(tx: Tx, m: Months, unit_id: int, counter_id: int, fast_ms: int, limit: int) -> list[Row]:
    """A counter's fast taps: the first ``limit`` (id, device, time), and the first and last time of all."""
    where = f"{RANGE} AND r.unit_id = :u AND r.counter_id = :c AND r.time_to_tap_ms < :fast"
    params = {"lo": m.lo, "hi": m.hi, "u": unit_id, "c": counter_id, "fast": fast_ms}
    span = await tx.fetch_one(
        f"SELECT min(r.created_at) AS first_at, max(r.created_at) AS last_at FROM ratings r WHERE {where}",  # noqa: S608
        params,
    )
    rows = await tx.fetch_all(
        f"SELECT r.id, r.device_id FROM ratings r WHERE {where} ORDER BY r.created_at LIMIT {int(limit)}",  # noqa: S608
        params,
    )
    return [{**r, **(span or {})} for r in rows]


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


async def repeated_comments(
    tx: Tx, m: Months, unit_ids: Sequence[int] | None, min_count: int, min_share: float, min_chars: int
) -> list[Row]:
    """The same comment (at least ``min_chars`` long) at least ``min_count`` times at one device, making at
    least ``min_share`` of all its occurrences: a phrase many citizens write everywhere is not a flag."""
    sql = f"""
        SELECT * FROM (
            SELECT r.comment, r.device_id, min(r.unit_id) AS unit_id, count(*) AS n,
                   sum(count(*)) OVER (PARTITION BY r.comment) AS total,
                   min(r.created_at) AS first_at, max(r.created_at) AS last_at
            FROM ratings r
            WHERE {RANGE} AND r.comment IS NOT NULL AND length(r.comment) >= :chars{_in("r.unit_id", unit_ids)}
            GROUP BY r.comment, r.device_id
        ) t WHERE device_id IS NOT NULL AND n >= :k AND n >= :share * total"""  # noqa: S608
    params = {"lo": m.lo, "hi": m.hi, "k": min_count, "share": min_share, "chars": min_chars}
    return await tx.fetch_all(sql, params)


async def comment_ids(tx: Tx, m: Months, unit_id: int, device_id: int, comment: str, limit: int) -> list[int]:
    sql = f"""SELECT r.id FROM ratings r WHERE {RANGE} AND r.unit_id = :u AND r.device_id = :d AND r.comment = :c
              ORDER BY r.created_at LIMIT {int(limit)}"""  # noqa: S608
    rows = await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi, "u": unit_id, "d": device_id, "c": comment})
    return [int(r["id"]) for r in rows]


async def staff_ids(tx: Tx, m: Months, unit_id: int, limit: int) -> list[int]:
    sql = f"""SELECT r.id FROM ratings r WHERE {RANGE} AND r.unit_id = :u AND r.source = 'staff'
              ORDER BY r.created_at LIMIT {int(limit)}"""  # noqa: S608
    rows = await tx.fetch_all(sql, {"lo": m.lo, "hi": m.hi, "u": unit_id})
    return [int(r["id"]) for r in rows]
