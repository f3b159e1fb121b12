"""Every domain's routes, in one list: one line per domain."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from api.counters.handlers import ROUTES as counters
from api.devices.handlers import ROUTES as devices
from api.dossiers.handlers import ROUTES as dossiers
from api.health import ROUTES as health
from api.officers.handlers import ROUTES as officers
from api.procedures.handlers import ROUTES as procedures
from api.ratings.handlers import ROUTES as ratings
from api.surveys.handlers import ROUTES as surveys
from api.units.handlers import ROUTES as units
from kiosk.pages import ROUTES as kiosk
from web.dashboard.handlers import ROUTES as dashboard

ROUTES: list[ControllerRouterHandler] = [
    *health, *units, *counters, *officers, *procedures, *dossiers, *ratings, *surveys, *devices, *kiosk,
    *dashboard
]  # fmt: skip
