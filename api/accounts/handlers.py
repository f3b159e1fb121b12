"""Sign-in and sign-out pages, the audit log page (admins) and its API.

``/login`` shows a form (its CSRF token tied to a pre-session cookie); a right name and password set the
session cookie (HttpOnly, SameSite=Strict, Secure over TLS) and go on to ``next`` (a path on this site
only). Every refusal reads the same, whether the name exists or not; throttled attempts get 429 with
``Retry-After``, as a page. ``POST /logout`` (a CSRF-protected form in the layout) ends the session.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.accounts import audit as audit_log
from api.accounts.service import Accounts, BadCredentials, Throttled
from api.clients import request_client
from api.errors import Forbidden
from api.viewer import SESSION_COOKIE, Viewer, current_viewer
from web import pages
from web.i18n import N_

MAX_FIELD_CHARS = 200
MAX_ID = 2**63 - 1


def _accounts(request: Request[Any, Any, Any]) -> Accounts:
    accounts: Accounts = request.app.state.sessions
    return accounts


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site (``//host``, ``/\\host``)."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/dashboard"
    if any(c < " " or c in "\\\x7f" for c in value):  # browsers drop tabs and newlines: "/\t/host" is "//host"
        return "/dashboard"
    return quote(value[:1000], safe="/?&=%#:@!$'()*+,;~-._")  # a Location header is ASCII: "Hòa" → "H%C3%B2a"


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value[:MAX_FIELD_CHARS] if isinstance(value, str) else ""


def _login_page(
    request: Request[Any, Any, Any], next_path: str, *, status: int = 200, error: str = "", username: str = ""
) -> Response[str]:
    return pages.render(request, "accounts/login.html", status=status, next=next_path, error=error, username=username)


class LoginPages(Controller):
    include_in_schema = False

    @get("/login")
    async def form(self, request: Request[Any, Any, Any], next: str | None = None) -> Response[str]:
        target = safe_next(next)
        token = request.cookies.get(SESSION_COOKIE)
        if token and await _accounts(request).viewer(token) is not None:
            return Response("", status_code=303, headers={"Location": target, **pages.PAGE_HEADERS})
        return _login_page(request, target)

    @post("/login", status_code=303)
    async def sign_in(self, request: Request[Any, Any, Any]) -> Response[str]:
        form = await request.form()
        target = safe_next(_field(form, "next"))
        pages.check_csrf(request, form)
        username = _field(form, "username")
        password = form.get("password")
        password = password if isinstance(password, str) else ""
        client = request_client(request)
        try:
            signed_in = await _accounts(request).sign_in(username, password, client)
        except BadCredentials:
            wrong = pages.page_text(request)(N_("The username or password is not right."))
            return _login_page(request, target, status=401, error=wrong, username=username)
        except Throttled as exc:
            message = (
                N_("Too many failed sign-ins from this address. Wait {minutes} minute(s), then try again.")
                if exc.scope == "address"
                else N_("Too many failed sign-ins for this account. Wait {seconds} second(s), then try again.")
            )
            page = _login_page(
                request,
                target,
                status=429,
                error=pages.page_text(request)(message, minutes=-(-exc.retry_after // 60), seconds=exc.retry_after),
                username=username,
            )
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        response = Response("", status_code=303, headers={"Location": target, **pages.PAGE_HEADERS})
        pages.set_cookie(response, request, SESSION_COOKIE, signed_in.token)
        response.delete_cookie(pages.CSRF_COOKIE, path="/")
        return response

    @post("/logout", status_code=303)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Response[str]:
        form = await request.form()
        pages.check_csrf(request, form)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await _accounts(request).sign_out(token, request_client(request))
        response = Response("", status_code=303, headers={"Location": "/login", **pages.PAGE_HEADERS})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


def require_admin(viewer: Viewer) -> None:
    if viewer.role != "admin":
        raise Forbidden("Only an administrator may read the audit log.", code="admin-only")


class AuditPage(Controller):
    include_in_schema = False

    @get("/dashboard/audit")
    async def page(
        self,
        request: Request[Any, Any, Any],
        before: Annotated[int | None, Parameter(ge=1, le=MAX_ID)] = None,
        action: Annotated[str | None, Parameter(max_length=100)] = None,
    ) -> Response[str]:
        viewer = await pages.page_viewer(request)
        require_admin(viewer)
        store = request.app.state.store
        action = action or None
        entries = await audit_log.entries(store, before=before, limit=PAGE_ROWS + 1, action=action)
        more = len(entries) > PAGE_ROWS
        entries = entries[:PAGE_ROWS]
        older = urlencode({"before": entries[-1].id, **({"action": action} if action else {})}) if more else None
        return pages.render(
            request,
            "accounts/audit.html",
            entries=entries,
            older=older,
            action=action or "",
            actions=await audit_log.actions(store),
            when=utc_text,
            via_names=VIA_NAMES,
        )


PAGE_ROWS = 100
VIA_NAMES = {
    "session": N_("signed in"),
    "key": N_("API key"),
    "cli": N_("command line"),
    "anonymous": N_("not signed in"),
}


def utc_text(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


class AuditApi(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]

    @get(summary="The audit log, newest first (admins only); `before` pages back by entry id")
    async def list_entries(
        self,
        request: Request[Any, Any, Any],
        before: Annotated[int | None, Parameter(ge=1, le=MAX_ID)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
        action: Annotated[str | None, Parameter(max_length=100)] = None,
    ) -> list[audit_log.AuditEntry]:
        require_admin(await current_viewer(request))
        return await audit_log.entries(request.app.state.store, before=before, limit=limit, action=action)


ROUTES = [LoginPages, AuditPage, AuditApi]
