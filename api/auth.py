"""Bearer authentication: admin and integrator API keys (``hl_…``) and kiosk device tokens (``hd_…``).

Keys and tokens are random and long, so they are stored as SHA-256 digests and looked up by digest.
A checked credential is trusted for ``auth_cache_seconds``, unless a revocation by any process is heard of
first (``api.revocation``): then the whole cache is dropped before the next request is answered. The cache
is keyed by the digest too (32 bytes, whatever the caller sent) and holds at most ``CACHE_ENTRIES`` entries,
least recently used first out; a credential that cannot be one of ours (too long, wrong alphabet) is refused
without a look-up or a cache entry.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Literal

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from api.db import Store
from api.errors import Forbidden, Unauthorized
from api.revocation import Watcher, watcher_for

Role = Literal["admin", "integrator", "device"]

# Our keys are "hl_" or "hd_" and 32 URL-safe characters; anything much longer or in another alphabet is not one.
MAX_CREDENTIAL_CHARS = 128
_CREDENTIAL = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_CREDENTIAL_CHARS}}}")
CACHE_ENTRIES = 4096  # each entry: a 32-byte digest, an expiry and a small principal (< 400 bytes)


class Principal(msgspec.Struct, frozen=True):
    role: Role
    id: int
    name: str
    counter_id: int | None = None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(24)}"


class Authenticator:
    def __init__(self, store: Store, cache_seconds: float, watcher: Watcher | None = None) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self.watcher = watcher or Watcher()
        self._cache: OrderedDict[bytes, tuple[float, Principal | str]] = OrderedDict()

    @classmethod
    async def start(cls, store: Store, cache_seconds: float) -> Authenticator:
        """An authenticator whose cache hears of revocations by any process (``api.revocation``)."""
        watcher = watcher_for(store)
        await watcher.start()
        return cls(store, cache_seconds, watcher)

    async def close(self) -> None:
        await self.watcher.close()

    def forget(self) -> None:
        self._cache.clear()

    async def principal(self, header: str | None, before_lookup: Callable[[], None] | None = None) -> Principal:
        """The caller behind ``header``; ``before_lookup`` runs when the answer is not cached and the
        database must be asked (the boundary refuses there an address that keeps sending wrong keys)."""
        if not header or not header.startswith("Bearer "):
            raise Unauthorized("Send 'Authorization: Bearer KEY' with an API key or a device token.")
        token = header[7:].strip()
        if _CREDENTIAL.fullmatch(token) is None:
            raise Unauthorized(_REFUSALS["unknown"][0])
        key = hashlib.sha256(token.encode()).digest()
        now = time.monotonic()
        if self.watcher.changed():  # something was revoked somewhere since the last request
            self._cache.clear()
        hit = self._cache.get(key)
        if hit is None or hit[0] < now:
            if before_lookup is not None:
                before_lookup()
            found = await self._lookup(token)
            hit = (now + self.cache_seconds, found)
            if self.watcher.reliable:  # else nothing is trusted beyond this request
                self._cache[key] = hit
                if len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        found = hit[1]
        if isinstance(found, str):
            detail, code = _REFUSALS[found]
            raise Unauthorized(detail, code=code)
        return found

    async def _lookup(self, token: str) -> Principal | str:
        key = digest(token)
        if token.startswith("hd_"):
            row = await self.store.fetch_one(
                "SELECT id, code, counter_id, revoked_at FROM devices WHERE token_hash = :h", {"h": key}
            )
            if row is None:
                return "unknown"
            if row["revoked_at"] is not None:
                return "revoked"
            return Principal("device", row["id"], row["code"], row["counter_id"])
        row = await self.store.fetch_one(
            "SELECT id, name, role, revoked_at FROM api_keys WHERE key_hash = :h", {"h": key}
        )
        if row is None:
            return "unknown"
        if row["revoked_at"] is not None:
            return "revoked-key"
        return Principal(row["role"], row["id"], row["name"])


_REFUSALS: dict[str, tuple[str, str]] = {
    "unknown": ("This API key or device token is not known.", "unauthorized"),
    "revoked": ("This kiosk has been revoked by an administrator. Pair it again to use it.", "device-revoked"),
    "revoked-key": ("This API key has been revoked.", "key-revoked"),
}


def authorization(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The Authorization header, read straight from the ASGI scope (this runs on every request)."""
    for name, value in headers:
        if name == b"authorization":
            return value.decode("latin-1")
    return None


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any], *roles: Role) -> Principal:
    """The caller's principal, refused unless it has one of ``roles`` (admin always passes)."""
    return await scope_principal(connection.scope, *roles)


async def scope_principal(scope: Any, *roles: Role) -> Principal:
    """``authenticate`` for an ASGI scope: the principal the boundary found (or found now), checked."""
    state = scope.setdefault("state", {})
    principal = state.get("principal")
    if not isinstance(principal, Principal):
        auth: Authenticator = scope["app"].state.auth
        principal = await auth.principal(authorization(scope["headers"]))
        state["principal"] = principal
    if principal.role != "admin" and principal.role not in roles:
        raise Forbidden(f"This needs a {' or '.join(roles) or 'admin'} credential; yours is {principal.role}.")
    return principal


def requires(*roles: Role) -> Any:
    """A guard admitting only the given roles (admin is always admitted)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        await authenticate(connection, *roles)

    return guard


admin_only = requires()
integrator = requires("integrator")


async def close_auth(state: Any) -> None:
    """At shutdown: the authenticator's own database connection, if it was started."""
    auth = getattr(state, "auth", None)
    if isinstance(auth, Authenticator):
        await auth.close()
