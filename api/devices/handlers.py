from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post

from api.auth import Authenticator, authenticate, requires
from api.clients import client_address, parse_proxies
from api.db import Store
from api.devices import service
from api.devices.schemas import DeviceOut, HeartbeatIn, KioskConfig, PairIn, PairingCodeIn, PairingCodeOut, PairOut
from api.settings import Settings
from api.viewer import current_viewer, signed_in


class DeviceController(Controller):
    path = "/api/v1/devices"
    tags = ["kiosk devices"]
    guards = [signed_in]
    # Admin keys and dashboard users: the viewer's units scope every answer; changes need a manager of the unit.

    @post("/pairing-codes", summary="Issue a one-time pairing code for a counter (8 digits, 15 minutes)")
    async def pairing_code(self, data: PairingCodeIn, store: Store, request: Request[Any, Any, Any]) -> PairingCodeOut:
        return await service.issue(store, data.counter, await current_viewer(request))

    @get(summary="List kiosk devices: counter, last seen, online, queue backlog, app version, revoked")
    async def list(
        self, store: Store, request: Request[Any, Any, Any], counter: str | None = None, unit: str | None = None
    ) -> list[DeviceOut]:
        return await service.list_devices(store, await current_viewer(request), counter, unit)

    @post("/{code:str}/revoke", status_code=200, summary="Revoke a device; its token stops working at once")
    async def revoke(self, code: str, store: Store, request: Request[Any, Any, Any]) -> DeviceOut:
        out = await service.revoke(store, code, await current_viewer(request))
        auth: Authenticator = request.app.state.auth
        auth.forget()
        return out


class KioskController(Controller):
    path = "/api/v1/kiosk"
    tags = ["kiosk"]

    @post("/pair", summary="Exchange a pairing code for this kiosk's device token (shown once)")
    async def pair(self, data: PairIn, store: Store, settings: Settings, request: Request[Any, Any, Any]) -> PairOut:
        peer = request.client.host if request.client else None
        client = client_address(peer, request.scope["headers"], parse_proxies(settings.trusted_proxies))
        return await service.pair(store, settings, data, client)

    # Guards, not only a check in the handler: the credential is refused before the body is decoded.
    @get(
        "/config",
        guards=[requires("device")],
        summary="The paired kiosk's counter, officer on duty, instrument and timings",
    )
    async def config(self, request: Request[Any, Any, Any], store: Store, settings: Settings) -> KioskConfig:
        principal = await authenticate(request, "device")
        return await service.config(store, settings, service.device_id_of(principal))

    @post(
        "/heartbeat",
        status_code=200,
        guards=[requires("device")],
        summary="The kiosk is alive; its queue backlog and app version",
    )
    async def heartbeat(
        self, request: Request[Any, Any, Any], data: HeartbeatIn, store: Store, settings: Settings
    ) -> KioskConfig:
        principal = await authenticate(request, "device")
        return await service.heartbeat(store, settings, service.device_id_of(principal), data)


ROUTES = [DeviceController, KioskController]
