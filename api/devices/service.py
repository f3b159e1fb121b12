"""Kiosk enrolment and fleet: one-time pairing codes, device tokens, heartbeat, revocation.

A pairing code is 8 random digits, stored only as its SHA-256 digest, valid for 15 minutes and for one
device. Guessing is bounded: failed attempts are recorded, and once a client address (or its /24 or /48
network) has failed too often in the window, its redemptions are refused for a while; nobody else's are
(README, "Kiosk pairing", has the arithmetic). A device token (``hd_…``) is shown
once, at pairing; only its digest is kept, and ``api.auth`` resolves it to a device principal.
"""

from __future__ import annotations

import secrets
from functools import cache

import msgspec

from api.accounts.audit import audit
from api.auth import Principal, digest, new_secret
from api.clients import network_of
from api.db import Row, Store, Tx, now_ms
from api.devices import queries
from api.devices.schemas import (
    PAIRING_DIGITS,
    DeviceOut,
    HeartbeatIn,
    KioskConfig,
    KioskInstrument,
    Named,
    PairIn,
    PairingCodeOut,
    PairOut,
)
from api.errors import DomainError, Forbidden, Invalid, NotFound, Unauthorized
from api.instruments.loader import counter_instrument
from api.revocation import announce, settle
from api.settings import Settings
from api.types import from_ms
from api.units.service import require_id as require_unit
from api.viewer import Viewer, subtree

CODE_TTL_MS = 15 * 60_000
FAILURE_WINDOW_MS = 15 * 60_000
MAX_FAILURES_PER_CLIENT = 10  # per address, per FAILURE_WINDOW_MS
MAX_FAILURES_PER_NETWORK = 30  # per IPv4 /24 or IPv6 /48: one office's kiosks share one, an attacker many
THANKS_MS = 4_000
IDLE_MS = 45_000
HEARTBEAT_MS = 30_000
ONLINE_WITHIN_MS = 3 * HEARTBEAT_MS  # a kiosk that missed three heartbeats is shown offline


class TooManyAttempts(DomainError):
    status, code, title = 429, "too-many-attempts", "Too many attempts"


@cache
def instrument(scale: int) -> KioskInstrument:
    """What the kiosk page needs of the checked counter instrument."""
    return msgspec.convert(msgspec.to_builtins(counter_instrument(scale)), type=KioskInstrument)


def to_out(row: Row) -> DeviceOut:
    return DeviceOut(
        code=row["code"],
        name=row["name"],
        counter=row["counter"],
        unit=row["unit"],
        paired_at=from_ms(row["paired_at"]),
        last_seen_at=from_ms(row["last_seen_at"]),
        backlog=int(row["backlog"]),
        app_version=row["app_version"],
        revoked_at=from_ms(row["revoked_at"]),
        online=row["revoked_at"] is None
        and row["last_seen_at"] is not None
        and now_ms() - int(row["last_seen_at"]) <= ONLINE_WITHIN_MS,
    )


async def issue(store: Store, counter_code: str, viewer: Viewer | None = None) -> PairingCodeOut:
    """A fresh one-time pairing code for a counter (returned once; only its digest is stored). ``viewer``:
    the dashboard user or key asking, who must manage the counter's unit (None: the command line)."""

    async def run(tx: Tx) -> tuple[str, int]:
        counter = await queries.counter_by_code(tx, counter_code)
        if counter is None:
            raise NotFound(f"There is no counter with code {counter_code!r}.", code="unknown-counter")
        if viewer is not None:
            viewer.check_manages(int(counter["unit_id"]))
            await audit(tx, viewer, "kiosk-pairing-code", {"counter": counter_code})
        if not counter["active"]:
            raise Invalid(f"Counter {counter_code!r} is closed (inactive).", code="inactive-counter")
        now = now_ms()
        await queries.forget_stale_codes(tx, now - 86_400_000)
        while True:  # a clash with another open code is rare; draw again
            code = f"{secrets.randbelow(10**PAIRING_DIGITS):0{PAIRING_DIGITS}d}"
            values = {
                "code_hash": digest(code),
                "counter_id": counter["id"],
                "created_at": now,
                "expires_at": now + CODE_TTL_MS,
            }
            if await queries.insert_code(tx, values) is not None:
                return code, now + CODE_TTL_MS

    code, expires = await store.write(run)
    expires_at = from_ms(expires)
    assert expires_at is not None
    return PairingCodeOut(code=code, counter=counter_code, expires_at=expires_at)


async def issue_pairing_code(store: Store, counter_code: str) -> str:
    """For ``hailong kiosk pair --counter CODE``: the code to type on the tablet."""
    return (await issue(store, counter_code)).code


async def pair(store: Store, settings: Settings, data: PairIn, client: str) -> PairOut:
    """Redeem a pairing code: a new device bound to the code's counter, and its token (shown once)."""
    token = new_secret("hd")

    async def run(tx: Tx) -> tuple[str, int, str] | str:
        now = now_ms()
        mine, near = await queries.failures_since(tx, now - FAILURE_WINDOW_MS, client, network_of(client))
        if mine >= MAX_FAILURES_PER_CLIENT or near >= MAX_FAILURES_PER_NETWORK:
            return "throttled"  # this client or its network only: never everyone
        found = await queries.open_code(tx, digest(data.pairing_code), now)
        if found is None:
            await queries.record_failure(tx, client, now)
            return "wrong"  # returned, not raised, so the recorded failure is committed
        counter_id = int(found["counter_id"])
        serial = await queries.devices_of_counter(tx, counter_id)
        while True:
            serial += 1
            code = f"{found['counter'].replace('/', '.')}-K{serial}"
            values = {
                "code": code,
                "counter_id": counter_id,
                "name": data.name.strip(),
                "token_hash": digest(token),
                "now": now,
            }
            device_id = await queries.insert_device(tx, values)
            if device_id is not None:
                break
        await queries.use_code(tx, int(found["id"]), device_id, now)
        return code, device_id, found["counter"]

    outcome = await store.write(run)
    if outcome == "throttled":
        raise TooManyAttempts("Too many wrong pairing codes; wait 15 minutes, then ask for a new code.")
    if isinstance(outcome, str):
        raise Invalid(
            "This pairing code is wrong, has expired or was already used. Ask for a new one.", code="bad-pairing-code"
        )
    code, device_id, _ = outcome
    return PairOut(device_token=token, device=code, config=await config(store, settings, device_id))


def _config(row: Row, settings: Settings) -> KioskConfig:
    scale = int(row["rating_scale"])
    server_time = from_ms(now_ms())
    assert server_time is not None
    return KioskConfig(
        device=row["device"],
        counter=Named(row["counter"], row["counter_name"]),
        unit=Named(row["unit"], row["unit_name"]),
        officer=row["officer"],
        scale=scale,
        instrument=instrument(scale),
        min_tap_interval_ms=settings.min_tap_interval_ms,
        thanks_ms=THANKS_MS,
        idle_ms=IDLE_MS,
        heartbeat_ms=HEARTBEAT_MS,
        server_time=server_time,
    )


def device_id_of(who: Principal) -> int:
    if who.role != "device":
        raise Forbidden("Only a paired kiosk can ask for its configuration; this credential is not a device token.")
    return who.id


async def config(store: Store, settings: Settings, device_id: int) -> KioskConfig:
    row = await store.read(lambda tx: queries.config(tx, device_id))
    if row is None:
        raise Unauthorized("This kiosk has been revoked by an administrator.", code="device-revoked")
    return _config(row, settings)


async def heartbeat(store: Store, settings: Settings, device_id: int, data: HeartbeatIn) -> KioskConfig:
    """Record that the kiosk is alive (and its backlog); answer with its current configuration."""

    async def run(tx: Tx) -> Row | None:
        await queries.heartbeat(tx, device_id, data.backlog, data.app_version, now_ms())
        return await queries.config(tx, device_id)

    row = await store.write(run)
    if row is None:
        raise Unauthorized("This kiosk has been revoked by an administrator.", code="device-revoked")
    return _config(row, settings)


async def list_devices(store: Store, viewer: Viewer, counter: str | None, unit: str | None) -> list[DeviceOut]:
    """The kiosks the viewer may see: of one counter, of a unit and everything under it, or all of theirs."""

    async def run(tx: Tx) -> list[Row]:
        counter_id = None
        units = viewer.units
        if counter:
            found = await queries.counter_by_code(tx, counter)
            if found is None:
                raise NotFound(f"There is no counter with code {counter!r}.", code="unknown-counter")
            viewer.check_sees(int(found["unit_id"]))
            counter_id = int(found["id"])
        if unit:
            unit_id = await require_unit(tx, unit)
            viewer.check_sees(unit_id)
            units = await subtree(tx, unit_id)
        return await queries.list_devices(tx, counter_id, units)

    return [to_out(r) for r in await store.read(run)]


async def revoke(store: Store, code: str, viewer: Viewer | None = None) -> DeviceOut:
    """Revoke a device: its token stops working at once (the kiosk then says so and takes no taps)."""

    async def run(tx: Tx) -> Row:
        row = await queries.device_by_code(tx, code)
        if row is None:
            raise NotFound(f"There is no kiosk device with code {code!r}.", code="unknown-device")
        if viewer is not None:
            viewer.check_manages(int(row["unit_id"]))
            await audit(tx, viewer, "kiosk-revoke", {"device": code})
        await queries.revoke(tx, int(row["id"]), now_ms())
        await announce(tx)  # every API process drops its cached credentials before its next request
        found = await queries.device_by_code(tx, code)
        assert found is not None
        return found

    revoked = to_out(await store.write(run))
    await settle(store)
    return revoked
