"""Every domain's routes, in one list: one line per domain."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from api.accounts.handlers import ROUTES as accounts
from api.comments.handlers import ROUTES as comments
from api.counters.handlers import ROUTES as counters
from api.dashboard.handlers import ROUTES as dashboard
from api.devices.handlers import ROUTES as devices
from api.dossiers.handlers import ROUTES as dossiers
from api.followup.handlers import ROUTES as followup
from api.health import ROUTES as health
from api.officers.handlers import ROUTES as officers
from api.procedures.handlers import ROUTES as procedures
from api.ratings.handlers import ROUTES as ratings
from api.roster.handlers import ROUTES as roster
from api.surveys.handlers import ROUTES as surveys
from api.units.handlers import ROUTES as units
from kiosk.pages import ROUTES as kiosk
from web.dashboard.handlers import ROUTES as dashboard_pages
from web.fleet.pages import ROUTES as fleet_pages
from web.followup.pages import ROUTES as followup_pages
from web.pages import ROUTES as web
from web.public.pages import ROUTES as public_pages
from web.report.pages import ROUTES as report_pages
from web.themes.pages import ROUTES as theme_pages

ROUTES: list[ControllerRouterHandler] = [
    *health, *units, *counters, *officers, *procedures, *dossiers, *ratings, *surveys, *devices, *roster,
    *comments, *dashboard, *followup, *kiosk, *accounts, *web, *followup_pages,
    *dashboard_pages, *report_pages, *public_pages,
    *theme_pages, *fleet_pages
]  # fmt: skip
