"""The duty roster's SQL: shifts, their overlaps, and putting the current shift's officer on duty."""

from __future__ import annotations

from typing import Any

from api.db import Row, Tx, fetch_id

SHIFT = """
SELECT s.id, c.code AS counter, c.unit_id, o.code AS officer, o.full_name AS officer_name, s.starts_at, s.ends_at,
       s.created_by
FROM duty_shifts s JOIN counters c ON c.id = s.counter_id JOIN officers o ON o.id = s.officer_id
"""


async def shifts(tx: Tx, counter_ids: list[int], since: int, until: int) -> list[Row]:
    """Shifts of these counters that overlap [since, until), in time order."""
    if not counter_ids:
        return []
    ids = ", ".join(str(int(i)) for i in counter_ids)
    return await tx.fetch_all(
        SHIFT + f" WHERE s.counter_id IN ({ids}) AND s.ends_at > :since AND s.starts_at < :until"
        " ORDER BY s.starts_at, c.code",
        {"since": since, "until": until},
    )


async def shift(tx: Tx, shift_id: int) -> Row | None:
    return await tx.fetch_one(SHIFT + " WHERE s.id = :id", {"id": shift_id})


async def clashes(tx: Tx, counter_id: int, officer_id: int, starts: int, ends: int) -> Row | None:
    """A shift at the same counter, or of the same officer anywhere, that overlaps [starts, ends)."""
    return await tx.fetch_one(
        SHIFT + " WHERE (s.counter_id = :c OR s.officer_id = :o) AND s.ends_at > :s AND s.starts_at < :e"
        " ORDER BY s.starts_at LIMIT 1",
        {"c": counter_id, "o": officer_id, "s": starts, "e": ends},
    )


async def insert(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO duty_shifts (counter_id, officer_id, starts_at, ends_at, created_by, created_at)"
        " VALUES (:counter_id, :officer_id, :starts_at, :ends_at, :created_by, :now) RETURNING id",
        values,
    )


async def delete(tx: Tx, shift_id: int) -> None:
    await tx.execute("DELETE FROM counter_duty WHERE shift_id = :id", {"id": shift_id})
    await tx.execute("DELETE FROM duty_shifts WHERE id = :id", {"id": shift_id})


async def apply(tx: Tx, now: int) -> None:
    """Counter duty follows the roster: a shift that has started puts its officer on duty unless someone set
    the duty by hand after the shift began; a shift that has ended (or was removed) takes its officer off."""
    await tx.execute(
        "DELETE FROM counter_duty WHERE shift_id IS NOT NULL AND shift_id NOT IN"
        " (SELECT id FROM duty_shifts WHERE starts_at <= :now AND ends_at > :now)",
        {"now": now},
    )
    await tx.execute(
        "INSERT INTO counter_duty (counter_id, officer_id, since_at, shift_id)"
        " SELECT counter_id, officer_id, starts_at, id FROM duty_shifts WHERE starts_at <= :now AND ends_at > :now"
        " ON CONFLICT (counter_id) DO UPDATE SET officer_id = excluded.officer_id, since_at = excluded.since_at,"
        " shift_id = excluded.shift_id"
        " WHERE (counter_duty.shift_id IS NULL AND counter_duty.since_at < excluded.since_at)"
        " OR counter_duty.shift_id <> excluded.shift_id",
        {"now": now},
    )


async def stale(tx: Tx, now: int) -> bool:
    """Whether duty differs from what the roster says now (so most ticks write nothing)."""
    row = await tx.fetch_one(
        "SELECT"
        " (SELECT count(*) FROM counter_duty WHERE shift_id IS NOT NULL AND shift_id NOT IN"
        "   (SELECT id FROM duty_shifts WHERE starts_at <= :now AND ends_at > :now)) AS ended,"
        " (SELECT count(*) FROM duty_shifts s LEFT JOIN counter_duty d ON d.counter_id = s.counter_id"
        "   WHERE s.starts_at <= :now AND s.ends_at > :now AND (d.counter_id IS NULL"
        "   OR (d.shift_id IS NULL AND d.since_at < s.starts_at) OR d.shift_id <> s.id)) AS started",
        {"now": now},
    )
    return bool(row and (int(row["ended"]) or int(row["started"])))
