"""SQL of the accounts domain: users, sessions, failed sign-ins, the audit log."""

from __future__ import annotations

from typing import Any

from api.db import Row, Tx, fetch_id

USER = """
SELECT s.id AS user_id, s.username, s.display_name, s.role, s.unit_id, s.disabled, s.password_hash,
       s.created_at, s.updated_at, u.code AS unit
FROM users s LEFT JOIN units u ON u.id = s.unit_id
"""

SESSION = """
SELECT x.id, x.user_id, x.created_at, x.last_seen_at, x.expires_at,
       s.username, s.display_name, s.role, s.unit_id, s.disabled
FROM sessions x JOIN users s ON s.id = x.user_id
WHERE x.token_hash = :h
"""


async def user_by_name(tx: Tx, username: str) -> Row | None:
    return await tx.fetch_one(USER + " WHERE s.username = :n", {"n": username})


async def list_users(tx: Tx) -> list[Row]:
    return await tx.fetch_all(USER + " ORDER BY s.username")


async def insert_user(tx: Tx, values: dict[str, Any]) -> int | None:
    return await fetch_id(
        tx,
        "INSERT INTO users (username, display_name, role, unit_id, password_hash, created_at, updated_at)"
        " VALUES (:username, :display_name, :role, :unit_id, :password_hash, :now, :now)"
        " ON CONFLICT (username) DO NOTHING RETURNING id",
        values,
    )


async def set_disabled(tx: Tx, user_id: int, disabled: bool, now: int) -> int:
    return await tx.execute(
        "UPDATE users SET disabled = :d, updated_at = :now WHERE id = :id",
        {"d": int(disabled), "now": now, "id": user_id},
    )


async def set_password(tx: Tx, user_id: int, password_hash: str, now: int) -> int:
    return await tx.execute(
        "UPDATE users SET password_hash = :h, updated_at = :now WHERE id = :id",
        {"h": password_hash, "now": now, "id": user_id},
    )


async def count_users(tx: Tx) -> int:
    return int(await tx.fetch_val("SELECT count(*) FROM users") or 0)


async def insert_session(tx: Tx, values: dict[str, Any]) -> None:
    await tx.execute(
        "INSERT INTO sessions (token_hash, user_id, client, created_at, last_seen_at, expires_at)"
        " VALUES (:token_hash, :user_id, :client, :now, :now, :expires_at)",
        values,
    )


async def session(tx: Tx, token_hash: str) -> Row | None:
    return await tx.fetch_one(SESSION, {"h": token_hash})


async def touch_session(tx: Tx, session_id: int, now: int) -> None:
    await tx.execute("UPDATE sessions SET last_seen_at = :now WHERE id = :id", {"now": now, "id": session_id})


async def delete_session(tx: Tx, token_hash: str) -> Row | None:
    """Remove a session; the user it belonged to (None if there was none)."""
    found = await tx.fetch_one(SESSION, {"h": token_hash})
    await tx.execute("DELETE FROM sessions WHERE token_hash = :h", {"h": token_hash})
    return found


async def end_sessions_of(tx: Tx, user_id: int) -> int:
    return await tx.execute("DELETE FROM sessions WHERE user_id = :u", {"u": user_id})


async def forget_expired_sessions(tx: Tx, now: int, idle_before: int) -> None:
    await tx.execute(
        "DELETE FROM sessions WHERE expires_at <= :now OR last_seen_at < :idle", {"now": now, "idle": idle_before}
    )


async def failures_since(tx: Tx, since: int, username: str, client: str) -> Row:
    """Refused sign-ins after ``since``: of this name (count, latest) and from this address (count, oldest)."""
    row = await tx.fetch_one(
        "SELECT"
        " coalesce(sum(CASE WHEN username = :n THEN 1 ELSE 0 END), 0) AS mine,"
        " max(CASE WHEN username = :n THEN at END) AS mine_last,"
        " coalesce(sum(CASE WHEN client = :c THEN 1 ELSE 0 END), 0) AS here,"
        " min(CASE WHEN client = :c THEN at END) AS here_first"
        " FROM login_failures WHERE at > :t AND (username = :n OR client = :c)",
        {"t": since, "n": username, "c": client},
    )
    assert row is not None
    return row


async def record_failure(tx: Tx, username: str, client: str, now: int, prune_before: int) -> None:
    await tx.execute("DELETE FROM login_failures WHERE at < :t", {"t": prune_before})
    await tx.execute(
        "INSERT INTO login_failures (username, client, at) VALUES (:n, :c, :t)", {"n": username, "c": client, "t": now}
    )


async def clear_failures(tx: Tx, username: str) -> None:
    await tx.execute("DELETE FROM login_failures WHERE username = :n", {"n": username})


async def insert_audit(tx: Tx, values: dict[str, Any]) -> None:
    await tx.execute(
        "INSERT INTO audit_log (at, user_id, username, via, action, detail, client)"
        " VALUES (:at, :user_id, :username, :via, :action, :detail, :client)",
        values,
    )


AUDIT = "SELECT id, at, user_id, username, via, action, detail, client FROM audit_log WHERE id < :before"


async def audit_rows(tx: Tx, before: int | None, limit: int, action: str | None) -> list[Row]:
    params: dict[str, Any] = {"before": 2**63 - 1 if before is None else before, "limit": limit}
    if action:
        params["action"] = action
        return await tx.fetch_all(AUDIT + " AND action = :action ORDER BY id DESC LIMIT :limit", params)
    return await tx.fetch_all(AUDIT + " ORDER BY id DESC LIMIT :limit", params)


async def audit_actions(tx: Tx) -> list[str]:
    return [str(r["action"]) for r in await tx.fetch_all("SELECT DISTINCT action FROM audit_log ORDER BY action")]
