"""Dashboard accounts: users, argon2id passwords, sessions, and sign-in throttling.

Passwords are hashed with argon2id (argon2-cffi's RFC 9106 low-memory profile: 64 MiB, 3 passes, about
0.1 s here), on a worker thread so the event loop keeps serving, at most ``HASHING_AT_ONCE`` at a time so a
burst of sign-ins cannot exhaust memory. An unknown name is checked against a dummy hash, so it takes as
long as a known one, and every refusal reads the same.

Throttling never locks an account out for good:

* per account (the name typed, known or not): the first ``FREE_FAILURES`` refusals within
  ``ACCOUNT_WINDOW_MS`` cost nothing; each further one makes the next attempt wait ``BASE_DELAY_MS`` ·
  2^(k − FREE_FAILURES), at most ``MAX_DELAY_MS``, counted from the latest refusal. Time clears it: the
  delay runs out, and refusals older than the window no longer count. A successful sign-in clears it too.
  Attempts on one name are taken one at a time per process, so parallel guesses do not slip past the delay,
  and one address has at most ``ATTEMPTS_AT_ONCE_PER_CLIENT`` being checked at once.
* per client address: ``MAX_FAILURES_PER_CLIENT`` refusals within ``CLIENT_WINDOW_MS`` and that address
  gets 429 until the oldest of them leaves the window, whichever name it tries.

A session is a random token in an HttpOnly cookie; only its SHA-256 digest is stored. It ends after
``session_idle_minutes`` without a request, ``session_hours`` after sign-in, at sign-out, and at once when
its user is disabled or given a new password.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import argon2
import msgspec

from api.accounts import queries
from api.accounts.audit import audit
from api.auth import digest
from api.db import Row, Store, Tx, now_ms
from api.errors import Conflict, DomainError, Invalid, NotFound
from api.settings import Settings
from api.units.service import require_id as require_unit
from api.viewer import ROLES, Role, Viewer, subtree

FREE_FAILURES = 5
ACCOUNT_WINDOW_MS = 60 * 60_000
BASE_DELAY_MS = 15_000
MAX_DELAY_MS = 5 * 60_000
MAX_FAILURES_PER_CLIENT = 30
CLIENT_WINDOW_MS = 15 * 60_000
TOUCH_MS = 60_000  # a session's last-seen time is written at most once a minute
HASHING_AT_ONCE = 2
ATTEMPTS_AT_ONCE_PER_CLIENT = 4  # sign-ins being checked at once for one address, per process
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 200
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
UNIT_ROLES: tuple[Role, ...] = ("manager", "viewer")


class Throttled(DomainError):
    status, code, title = 429, "too-many-sign-ins", "Too many sign-in attempts"

    def __init__(self, detail: str, *, retry_after_ms: int, scope: str) -> None:
        super().__init__(detail)
        self.retry_after = max(1, -(-retry_after_ms // 1000))
        self.scope = scope  # "account" or "address"


class BadCredentials(DomainError):
    status, code, title = 401, "bad-credentials", "Not signed in"


class UserOut(msgspec.Struct, frozen=True):
    username: str
    display_name: str
    role: str
    unit: str | None
    disabled: bool
    created_at: int
    updated_at: int


def to_user(row: Row) -> UserOut:
    return UserOut(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        unit=row["unit"],
        disabled=bool(row["disabled"]),
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
    )


def normalise(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    name = normalise(username)
    if USERNAME.fullmatch(name) is None:
        raise Invalid(
            "A username is 2 to 64 characters: letters a–z, digits, '.', '_' or '-', starting with a letter or digit."
        )
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise Invalid(f"A password is {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long.")
    if password != password.strip() or "\x00" in password:
        raise Invalid("A password may not start or end with a space, nor hold a NUL character.")
    return password


def generate_password() -> str:
    """20 characters from a 56-letter alphabet without look-alikes (about 116 bits), in groups of 5."""
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


class Passwords:
    """argon2id hashing and checking, off the event loop, a bounded number at a time."""

    def __init__(self, hasher: argon2.PasswordHasher | None = None) -> None:
        self.hasher = hasher or argon2.PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        self._slots = asyncio.Semaphore(HASHING_AT_ONCE)

    @cached_property
    def dummy(self) -> str:
        """A hash no password matches: checked for unknown names so they take as long as known ones."""
        return self.hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self.hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> tuple[bool, bool]:
        """(matches, should be rehashed with today's parameters)."""

        def check() -> tuple[bool, bool]:
            try:
                self.hasher.verify(stored or self.dummy, password)
            except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
                return False, False
            return stored is not None, self.hasher.check_needs_rehash(stored or self.dummy)

        async with self._slots:
            return await asyncio.to_thread(check)


@dataclass(frozen=True)
class SignedIn:
    token: str
    viewer: Viewer


def account_delay_ms(failures: int) -> int:
    """How long after its latest refusal an account waits, given its refusals within the window."""
    if failures < FREE_FAILURES:
        return 0
    doubled: int = BASE_DELAY_MS << min(failures - FREE_FAILURES, 20)
    return min(MAX_DELAY_MS, doubled)


async def viewer_of(tx: Tx, row: Row) -> Viewer:
    unit_id = None if row["unit_id"] is None else int(row["unit_id"])
    units = None if row["role"] not in UNIT_ROLES or unit_id is None else await subtree(tx, unit_id)
    name = row["display_name"] or row["username"]
    return Viewer(row["role"], int(row["user_id"]), name, unit_id, units, via="session")


class Accounts:
    """Sign-in, sign-out and the ``Sessions`` of ``api.viewer`` (``app.state.sessions``)."""

    def __init__(self, store: Store, settings: Settings, clock: Callable[[], int] = now_ms) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock  # UTC epoch ms; tests move it
        self.passwords = Passwords()
        self._trying: set[str] = set()
        self._checking: dict[str, int] = {}  # client address → sign-ins being checked

    @property
    def idle_ms(self) -> int:
        return self.settings.session_idle_minutes * 60_000

    @property
    def lifetime_ms(self) -> int:
        return self.settings.session_hours * 3_600_000

    async def viewer(self, token: str) -> Viewer | None:
        """The signed-in viewer behind a session token; None for an unknown, ended or expired session, or a
        disabled user."""
        if not token or len(token) > 100:
            return None
        now = self.clock()
        key = digest(token)

        async def run(tx: Tx) -> tuple[Viewer, int, int] | None:
            row = await queries.session(tx, key)
            if row is None or row["disabled"] or now >= int(row["expires_at"]):
                return None
            if now - int(row["last_seen_at"]) >= self.idle_ms:
                return None
            return await viewer_of(tx, row), int(row["id"]), int(row["last_seen_at"])

        found = await self.store.read(run)
        if found is None:
            return None
        viewer, session_id, seen = found
        if now - seen >= TOUCH_MS:

            async def touch(tx: Tx) -> None:
                await queries.touch_session(tx, session_id, now)

            await self.store.write(touch)
        return viewer

    async def sign_in(self, username: str, password: str, client: str) -> SignedIn:
        """A new session for the right name and password; else BadCredentials or Throttled (and a refusal is
        recorded and audited)."""
        name = normalise(username)[:100]
        if name in self._trying:
            raise Throttled(
                "Another sign-in for this account is being checked; try again.", retry_after_ms=1000, scope="account"
            )
        if self._checking.get(client, 0) >= ATTEMPTS_AT_ONCE_PER_CLIENT:
            raise Throttled("Too many sign-ins at once from this address.", retry_after_ms=1000, scope="address")
        self._trying.add(name)
        self._checking[client] = self._checking.get(client, 0) + 1
        try:
            return await self._sign_in(name, password[:MAX_PASSWORD_CHARS], client)
        finally:
            self._trying.discard(name)
            left = self._checking.pop(client) - 1
            if left:
                self._checking[client] = left

    async def _sign_in(self, name: str, password: str, client: str) -> SignedIn:
        now = self.clock()

        async def state(tx: Tx) -> tuple[Row, Row, Row | None]:
            mine = await queries.failures_since(tx, now - ACCOUNT_WINDOW_MS, name, client)
            here = await queries.failures_since(tx, now - CLIENT_WINDOW_MS, name, client)
            return mine, here, await queries.user_by_name(tx, name)

        mine, here, user = await self.store.read(state)
        if int(here["here"]) >= MAX_FAILURES_PER_CLIENT:
            wait = int(here["here_first"]) + CLIENT_WINDOW_MS - now
            raise Throttled("Too many failed sign-ins from this address.", retry_after_ms=wait, scope="address")
        delay = account_delay_ms(int(mine["mine"]))
        if delay and now < int(mine["mine_last"]) + delay:
            wait = int(mine["mine_last"]) + delay - now
            raise Throttled("Too many failed sign-ins for this account.", retry_after_ms=wait, scope="account")
        matches, rehash = await self.passwords.verify(user["password_hash"] if user else None, password)
        if not matches or user is None or user["disabled"]:
            await self.store.write(lambda tx: self._refused(tx, name, client, now))
            raise BadCredentials("The username or password is not right.")
        new_hash = await self.passwords.hash(password) if rehash else None
        token = secrets.token_urlsafe(32)

        async def run(tx: Tx) -> Viewer | None:
            assert user is not None
            now_user = await queries.user_by_name(tx, name)  # disabled or given a new password meanwhile?
            if now_user is None or now_user["disabled"] or now_user["password_hash"] != user["password_hash"]:
                return None
            user_id = int(user["user_id"])
            await queries.forget_expired_sessions(tx, now, now - self.idle_ms)
            await queries.clear_failures(tx, name)
            if new_hash is not None:
                await queries.set_password(tx, user_id, new_hash, now)
            values = {
                "token_hash": digest(token),
                "user_id": user_id,
                "client": client[:100],
                "now": now,
                "expires_at": now + self.lifetime_ms,
            }
            await queries.insert_session(tx, values)
            viewer = await viewer_of(tx, user)
            await audit(tx, viewer, "login", {}, client=client)
            return viewer

        viewer = await self.store.write(run)
        if viewer is None:
            raise BadCredentials("The username or password is not right.")
        return SignedIn(token, viewer)

    async def _refused(self, tx: Tx, name: str, client: str, now: int) -> None:
        await queries.record_failure(tx, name, client, now, now - 2 * max(ACCOUNT_WINDOW_MS, CLIENT_WINDOW_MS))
        await audit(tx, None, "login-failed", {"username": name}, client=client)

    async def sign_out(self, token: str, client: str) -> None:
        key = digest(token)

        async def run(tx: Tx) -> None:
            row = await queries.delete_session(tx, key)
            if row is not None:
                viewer = Viewer(
                    row["role"], int(row["user_id"]), row["display_name"] or row["username"], row["unit_id"], None
                )
                await audit(tx, viewer, "logout", {}, client=client)

        await self.store.write(run)


# Account administration (the command line; the same functions serve any later admin page).


async def add_user(
    store: Store,
    username: str,
    role: str,
    unit: str | None,
    password: str,
    *,
    display_name: str = "",
    actor: Viewer | str,
    passwords: Passwords | None = None,
) -> UserOut:
    name = check_username(username)
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}")
    if role in UNIT_ROLES and not unit:
        raise Invalid(f"A {role} sees one unit and what is under it: give --unit CODE.")
    if role not in UNIT_ROLES and unit:
        raise Invalid(f"A {role} sees every unit: leave out --unit.")
    display = display_name.strip()[:200]
    password_hash = await (passwords or Passwords()).hash(check_password(password))

    async def run(tx: Tx) -> Row:
        unit_id = await require_unit(tx, unit) if unit else None
        values = {
            "username": name,
            "display_name": display,
            "role": role,
            "unit_id": unit_id,
            "password_hash": password_hash,
            "now": now_ms(),
        }
        if await queries.insert_user(tx, values) is None:
            raise Conflict(f"There is already a user {name!r}.", code="user-exists")
        await audit(tx, actor, "user-add", {"username": name, "role": role, "unit": unit})
        found = await queries.user_by_name(tx, name)
        assert found is not None
        return found

    return to_user(await store.write(run))


async def list_users(store: Store) -> list[UserOut]:
    return [to_user(r) for r in await store.read(queries.list_users)]


async def _user(tx: Tx, username: str) -> Row:
    row = await queries.user_by_name(tx, normalise(username))
    if row is None:
        raise NotFound(f"There is no user {normalise(username)!r}.", code="unknown-user")
    return row


async def set_disabled(store: Store, username: str, disabled: bool, *, actor: Viewer | str) -> int:
    """Disable (or enable again) a user; disabling ends every session of theirs at once. Returns how many
    sessions ended."""

    async def run(tx: Tx) -> int:
        row = await _user(tx, username)
        user_id = int(row["user_id"])
        await queries.set_disabled(tx, user_id, disabled, now_ms())
        ended = await queries.end_sessions_of(tx, user_id) if disabled else 0
        await audit(tx, actor, "user-disable" if disabled else "user-enable", {"username": row["username"]})
        return ended

    ended: int = await store.write(run)
    return ended


async def set_password(
    store: Store, username: str, password: str, *, actor: Viewer | str, passwords: Passwords | None = None
) -> int:
    """A new password; every session of the user ends (whoever held the old one is out). Returns how many."""
    password_hash = await (passwords or Passwords()).hash(check_password(password))

    async def run(tx: Tx) -> int:
        row = await _user(tx, username)
        user_id = int(row["user_id"])
        await queries.set_password(tx, user_id, password_hash, now_ms())
        ended = await queries.end_sessions_of(tx, user_id)
        await audit(tx, actor, "user-set-password", {"username": row["username"]})
        return ended

    return await store.write(run)


async def has_users(store: Store) -> bool:
    return bool(await store.read(queries.count_users))


async def startup(app: Any, store: Store, settings: Settings) -> None:
    """App start-up hook: the sessions every request's viewer is resolved through (``api.viewer``)."""
    app.state.sessions = Accounts(store, settings)
