"""The app factory: settings in, Litestar app out; the store and caches live in one lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from api.accounts.service import startup as accounts_startup
from api.auth import Authenticator, close_auth
from api.background import Periodic, running
from api.db import Store, open_store
from api.db.migrate import migrate
from api.dossiers.service import SurveyLink
from api.errors import EXCEPTION_HANDLERS
from api.followup.task import FOLLOWUP_JOB
from api.insights import rollups
from api.openapi import OPENAPI_RENDERERS
from api.ratelimits import AddressLimits
from api.ratings.service import RatingLimits
from api.roster.service import ROSTER_JOB
from api.routes import ROUTES
from api.security import BEFORE_SEND, MIDDLEWARE
from api.settings import Settings, load_settings
from api.surveys.service import Surveys
from api.surveys.service import startup as surveys_startup
from web.pages import know_the_viewer, with_page_errors


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    store = open_store(settings.db_url)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await store.open()
        try:
            await migrate(store)
            app.state.store = store
            app.state.settings = settings
            app.state.auth = await Authenticator.start(store, settings.auth_cache_seconds)
            app.state.rating_limits = RatingLimits(settings)
            app.state.address_limits = AddressLimits()
            for hook in STARTUP_HOOKS:
                await hook(app, store, settings)
            async with running(periodic(settings), store, settings) as loops:
                app.state.loops = loops
                yield
        finally:
            await close_auth(app.state)
            await store.close()

    return Litestar(
        route_handlers=ROUTES,
        lifespan=[lifespan],
        dependencies={
            "store": Provide(lambda: store, use_cache=True, sync_to_thread=False),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "survey_link": Provide(survey_link, sync_to_thread=False),
        },
        exception_handlers=with_page_errors(EXCEPTION_HANDLERS),
        before_request=know_the_viewer,
        middleware=MIDDLEWARE,
        before_send=BEFORE_SEND,
        openapi_config=OpenAPIConfig(
            title="hailong",
            version="1",
            description="Satisfaction feedback for public administrative service centres (SIPAS-style, unofficial).",
            path="/schema",
            render_plugins=OPENAPI_RENDERERS,
        ),
        state=State({"settings": settings}),
        request_max_body_size=64 * 1024,
        debug=False,
    )


def survey_link(state: State) -> SurveyLink:
    """The dossiers domain prints the surveys domain's links on receipts: one typed dependency."""
    surveys: Surveys = state.surveys
    return surveys.url


# Run at start-up after migrations, in order: each domain that builds something once per app.
StartupHook = Callable[[Litestar, Store, Settings], Awaitable[None]]
STARTUP_HOOKS: list[StartupHook] = [surveys_startup, accounts_startup]

# Kept up to date off the request path, every few seconds, while the app runs (api.background).
PERIODIC: list[Periodic] = [ROSTER_JOB, FOLLOWUP_JOB]


def periodic(settings: Settings) -> list[Periodic]:
    """PERIODIC, and the rating rollups every ``rollup_seconds`` (0: kept up to date by their readers only)."""
    if settings.rollup_seconds <= 0:
        return list(PERIODIC)
    return [*PERIODIC, Periodic("rollups", settings.rollup_seconds, rollups.keep_up)]
