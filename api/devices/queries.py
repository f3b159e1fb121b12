from __future__ import annotations

from typing import Any

from api.db import Row, Tx, fetch_id

DEVICE = """
SELECT v.id, v.code, v.name, c.code AS counter, u.code AS unit, c.unit_id, v.paired_at, v.last_seen_at, v.backlog,
       v.app_version, v.revoked_at
FROM devices v JOIN counters c ON c.id = v.counter_id JOIN units u ON u.id = c.unit_id
"""

CONFIG = """
SELECT v.code AS device, c.code AS counter, c.name AS counter_name, u.code AS unit, u.name AS unit_name,
       u.rating_scale, o.full_name AS officer
FROM devices v
JOIN counters c ON c.id = v.counter_id
JOIN units u ON u.id = c.unit_id
LEFT JOIN counter_duty d ON d.counter_id = c.id
LEFT JOIN officers o ON o.id = d.officer_id
WHERE v.id = :id AND v.revoked_at IS NULL
"""


async def counter_by_code(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one("SELECT id, code, active, unit_id FROM counters WHERE code = :c", {"c": code})


async def forget_stale_codes(tx: Tx, before: int) -> None:
    """Expired codes and old failed attempts are of no further use; their removal keeps digests unique."""
    await tx.execute("DELETE FROM pairing_codes WHERE expires_at < :t", {"t": before})
    await tx.execute("DELETE FROM pairing_failures WHERE at < :t", {"t": before})


async def insert_code(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO pairing_codes (code_hash, counter_id, created_at, expires_at)"
        " VALUES (:code_hash, :counter_id, :created_at, :expires_at)"
        " ON CONFLICT (code_hash) DO NOTHING RETURNING id",
        values,
    )


async def failures_since(tx: Tx, since: int, client: str, network: str) -> tuple[int, int]:
    """Failed pairing attempts since ``since``: (from this client, from its network). ``network`` is an address
    prefix of digits, hex letters, dots and colons (``api.clients.network_of``): no LIKE wildcard in it."""
    row = await tx.fetch_one(
        "SELECT count(*) AS near, coalesce(sum(CASE WHEN client = :c THEN 1 ELSE 0 END), 0) AS mine"
        " FROM pairing_failures WHERE at >= :t AND client LIKE :n",
        {"t": since, "c": client, "n": network + "%"},
    )
    return (int(row["mine"]), int(row["near"])) if row else (0, 0)


async def record_failure(tx: Tx, client: str, at: int) -> None:
    await tx.execute("INSERT INTO pairing_failures (client, at) VALUES (:c, :t)", {"c": client, "t": at})


async def open_code(tx: Tx, code_hash: str, now: int) -> Row | None:
    return await tx.fetch_one(
        "SELECT p.id, p.counter_id, c.code AS counter FROM pairing_codes p JOIN counters c ON c.id = p.counter_id"
        " WHERE p.code_hash = :h AND p.used_at IS NULL AND p.expires_at > :now",
        {"h": code_hash, "now": now},
    )


async def devices_of_counter(tx: Tx, counter_id: int) -> int:
    return int(await tx.fetch_val("SELECT count(*) FROM devices WHERE counter_id = :c", {"c": counter_id}) or 0)


async def insert_device(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO devices (code, counter_id, name, token_hash, paired_at, last_seen_at, created_at)"
        " VALUES (:code, :counter_id, :name, :token_hash, :now, :now, :now)"
        " ON CONFLICT DO NOTHING RETURNING id",
        values,
    )


async def use_code(tx: Tx, code_id: int, device_id: int, now: int) -> int:
    return await tx.execute(
        "UPDATE pairing_codes SET used_at = :now, device_id = :d WHERE id = :id AND used_at IS NULL",
        {"now": now, "d": device_id, "id": code_id},
    )


async def config(tx: Tx, device_id: int) -> Row | None:
    return await tx.fetch_one(CONFIG, {"id": device_id})


async def heartbeat(tx: Tx, device_id: int, backlog: int, app_version: str | None, now: int) -> None:
    await tx.execute(
        "UPDATE devices SET last_seen_at = :now, backlog = :b, app_version = coalesce(:v, app_version)"
        " WHERE id = :id AND revoked_at IS NULL",
        {"now": now, "b": backlog, "v": app_version, "id": device_id},
    )


async def device_by_code(tx: Tx, code: str) -> Row | None:
    return await tx.fetch_one(DEVICE + " WHERE v.code = :code", {"code": code})


async def list_devices(tx: Tx, counter_id: int | None, unit_ids: frozenset[int] | None) -> list[Row]:
    """Devices of one counter, or of counters in these units (None: every unit)."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if counter_id is not None:
        where.append("v.counter_id = :counter_id")
        params["counter_id"] = counter_id
    if unit_ids is not None:
        where.append(f"c.unit_id IN ({', '.join(str(int(i)) for i in sorted(unit_ids)) or 'NULL'})")
    sql = DEVICE + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY c.code, v.code"
    return await tx.fetch_all(sql, params)


async def revoke(tx: Tx, device_id: int, now: int) -> None:
    await tx.execute(
        "UPDATE devices SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL", {"now": now, "id": device_id}
    )
