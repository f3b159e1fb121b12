"""Kiosk devices: pairing, the kiosk's configuration and heartbeat, the admin's fleet view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from api.types import Code

PAIRING_DIGITS = 8

PairingCode = Annotated[
    str, Meta(pattern=rf"^[0-9]{{{PAIRING_DIGITS}}}$(?!\n)", description=f"{PAIRING_DIGITS} digits, as printed")
]
DeviceName = Annotated[str, Meta(max_length=100)]
AppVersion = Annotated[str, Meta(max_length=40)]
Backlog = Annotated[int, Meta(ge=0, le=10_000_000, description="ratings waiting in the kiosk's queue")]


class PairingCodeIn(msgspec.Struct, forbid_unknown_fields=True):
    counter: Code


class PairingCodeOut(msgspec.Struct):
    code: str
    counter: str
    expires_at: datetime


class Bilingual(msgspec.Struct):
    vi: str
    en: str


class KioskLevel(msgspec.Struct):
    value: int
    vi: str
    en: str


class KioskReason(msgspec.Struct):
    code: str
    factor: str | None
    vi: str
    en: str


class KioskInstrument(msgspec.Struct):
    code: str
    version: str
    question: Bilingual
    levels: list[KioskLevel]
    reasons: list[KioskReason]
    ask_reasons_at_or_below: int


class Named(msgspec.Struct):
    code: str
    name: str


class KioskConfig(msgspec.Struct):
    device: str
    counter: Named
    unit: Named
    officer: str | None
    scale: int
    instrument: KioskInstrument
    min_tap_interval_ms: int
    thanks_ms: int
    idle_ms: int
    heartbeat_ms: int
    server_time: datetime


class PairIn(msgspec.Struct, forbid_unknown_fields=True):
    pairing_code: PairingCode
    name: DeviceName = ""


class PairOut(msgspec.Struct):
    device_token: str
    device: str
    config: KioskConfig


class HeartbeatIn(msgspec.Struct, forbid_unknown_fields=True):
    backlog: Backlog = 0
    app_version: AppVersion | None = None


class DeviceOut(msgspec.Struct):
    code: str
    name: str
    counter: str
    unit: str
    paired_at: datetime | None
    last_seen_at: datetime | None
    backlog: int
    app_version: str | None
    revoked_at: datetime | None
    online: bool  # seen within the last three heartbeats and not revoked
