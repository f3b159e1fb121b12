"""Who is looking, and which units they may see: the one scope rule of every data route, page and export.

A viewer is a signed-in dashboard user (a session cookie, resolved by ``app.state.sessions`` once the
accounts domain has started) or an admin API key (``Authorization: Bearer hl_…``). Roles:

- ``admin``: every unit, reads and changes everything;
- ``province``: every unit, reads only;
- ``manager``: the subtree of their own unit; reads it, and manages its counters, duty roster, kiosks, alerts;
- ``viewer``: the subtree of their own unit, reads only.

Integrator keys and kiosk device tokens push data; they read no dashboard data (403).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from api.auth import authenticate
from api.db import Row, Tx
from api.errors import Forbidden, NotFound, Unauthorized

Role = Literal["admin", "province", "manager", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "province", "manager", "viewer")
SESSION_COOKIE = "hailong_session"


class Viewer(msgspec.Struct, frozen=True):
    role: Role
    id: int  # the user's id, or the API key's
    name: str
    unit_id: int | None  # the unit whose subtree a manager or viewer sees; None for admin and province
    units: frozenset[int] | None  # every unit id this viewer may see; None means all units
    via: Literal["session", "key", "console", "public"] = "session"

    def sees(self, unit_id: int) -> bool:
        return self.units is None or unit_id in self.units

    def manages(self, unit_id: int) -> bool:
        """May change things of this unit (counters, roster, kiosks, alerts, cases)."""
        return self.role == "admin" or (self.role == "manager" and self.sees(unit_id))

    def check_sees(self, unit_id: int) -> None:
        if not self.sees(unit_id):
            raise Forbidden("This unit is outside the units you may see.", code="outside-your-units")

    def check_manages(self, unit_id: int) -> None:
        self.check_sees(unit_id)
        if not self.manages(unit_id):
            raise Forbidden("Your role may read this unit but not change it.", code="read-only-role")


# The public results page: reads every unit's own figures, shows nothing about individual officers.
PUBLIC = Viewer("province", 0, "public", None, None, via="public")

# The command line on the server itself (``hailong …``): whoever runs it owns the database anyway.
CONSOLE = Viewer("admin", 0, "console", None, None, via="console")


class Sessions(Protocol):
    """What the accounts domain provides on ``app.state.sessions``."""

    async def viewer(self, token: str) -> Viewer | None: ...


async def subtree(tx: Tx, unit_id: int) -> frozenset[int]:
    """The unit and every unit below it."""
    rows = await tx.fetch_all(
        "WITH RECURSIVE down(id) AS (SELECT id FROM units WHERE id = :u"
        " UNION ALL SELECT c.id FROM units c JOIN down d ON c.parent_id = d.id) SELECT id FROM down",
        {"u": unit_id},
    )
    return frozenset(int(r["id"]) for r in rows)


async def visible_unit(tx: Tx, viewer: Viewer, code: str | None) -> Row:
    """The unit a page or report is about: the one named by ``code``, else the viewer's own, else the root;
    404 when there is no such unit, 403 when it is outside the viewer's units."""
    select = "SELECT id, code, name, kind, parent_id, timezone FROM units"
    if code:
        row = await tx.fetch_one(select + " WHERE code = :c", {"c": code})
    elif viewer.unit_id is not None:
        row = await tx.fetch_one(select + " WHERE id = :u", {"u": viewer.unit_id})
    else:
        row = await tx.fetch_one(select + " WHERE parent_id IS NULL ORDER BY id LIMIT 1")
    if row is None:
        raise NotFound(f"There is no unit with code {code!r}.", code="unknown-unit")
    viewer.check_sees(int(row["id"]))
    return row


async def current_viewer(connection: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    """The viewer behind this request: a session cookie first, else an admin API key; else 401/403."""
    state = connection.scope.setdefault("state", {})
    found = state.get("viewer")
    if isinstance(found, Viewer):
        return found
    token = connection.cookies.get(SESSION_COOKIE)
    sessions: Sessions | None = getattr(connection.app.state, "sessions", None)
    viewer: Viewer | None = None
    if token and sessions is not None:
        viewer = await sessions.viewer(token)
    if viewer is None:
        if not any(name == b"authorization" for name, _ in connection.scope["headers"]):
            raise Unauthorized("Sign in at /login, or send 'Authorization: Bearer KEY' with an admin API key.")
        principal = await authenticate(connection)  # admin keys only: integrators and kiosks get 403
        viewer = Viewer("admin", principal.id, principal.name, None, None, via="key")
    state["viewer"] = viewer
    return viewer


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: a viewer is required before the request's parameters or body are read."""
    await current_viewer(connection)
