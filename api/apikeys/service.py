from __future__ import annotations

from api.auth import digest, new_secret
from api.db import Store, Tx, now_ms
from api.errors import Invalid
from api.revocation import announce, settle

ROLES = ("admin", "integrator")


async def create_key(store: Store, name: str, role: str) -> str:
    """Create an API key; the secret is returned once and only its digest is stored."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}")
    if not name.strip():
        raise Invalid("give the key a name (who or what uses it)")
    secret = new_secret("hl")

    async def run(tx: Tx) -> None:
        await tx.execute(
            "INSERT INTO api_keys (name, role, prefix, key_hash, created_at) VALUES (:n, :r, :p, :h, :t)",
            {"n": name.strip(), "r": role, "p": secret[:7], "h": digest(secret), "t": now_ms()},
        )

    await store.write(run)
    return secret


async def revoke_key(store: Store, prefix: str) -> int:
    async def run(tx: Tx) -> int:
        count = await tx.execute(
            "UPDATE api_keys SET revoked_at = :t WHERE prefix = :p AND revoked_at IS NULL",
            {"t": now_ms(), "p": prefix},
        )
        if count:
            await announce(tx)  # every API process drops its cached credentials before its next request
        return count

    count = await store.write(run)
    await settle(store)
    return count


async def list_keys(store: Store) -> list[dict[str, object]]:
    return await store.fetch_all("SELECT name, role, prefix, created_at, revoked_at FROM api_keys ORDER BY id")
