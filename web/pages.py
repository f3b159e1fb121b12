"""The spine every dashboard page uses: the signed-in viewer, the language, CSRF, safe headers, error pages.

- ``render(request, template_name, *, status=200, **context)``: a Jinja page (``web/templates``) as a
  Response with the page headers below; its context always has ``t`` (the :class:`~web.i18n.Text`),
  ``lang``, ``viewer`` (None when nobody is signed in), ``csrf`` (the token for the hidden ``csrf`` field of
  every form) and ``nav`` (the dashboard links this viewer's role may follow).
- ``await page_viewer(request)``: the signed-in viewer; an anonymous browser is sent to ``/login?next=…``.
- ``check_csrf(request, form)``: refuses (403) a form whose ``csrf`` field is not this browser's token.

Language: ``?lang=vi|en`` on any page, remembered in a cookie; Vietnamese by default. Headers: a CSP that
allows scripts and styles only from this origin (``/static/…``, never inline) and no framing, no
referrer, and ``Cache-Control: no-store`` (every page here shows data or a form). Errors on a page path are
pages in the user's language, not problem JSON (:func:`with_page_errors`).
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler

from api.db import StoreError
from api.errors import DomainError, Forbidden, NotFound, TooManyRequests, Unauthorized
from api.viewer import SESSION_COOKIE, Viewer, current_viewer
from web.i18n import LANGS, N_, Lang, Text, text

log = logging.getLogger("hailong.pages")

LANG_COOKIE = "hailong_lang"
CSRF_COOKIE = "hailong_csrf"  # before sign-in: a random value in its own cookie protects the login form
PAGE_PREFIXES = ("/dashboard", "/login", "/logout", "/public")
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Link:
    path: str
    label: str  # English msgid, translated in the layout


# The dashboard's pages in the order of the nav, and the roles that see each link.
NAV: tuple[tuple[Link, frozenset[str]], ...] = tuple(
    (Link(path, label), frozenset(roles.split()))
    for path, label, roles in (
        ("/dashboard", N_("Overview"), "admin province manager viewer"),
        ("/dashboard/trends", N_("Trends"), "admin province manager viewer"),
        ("/dashboard/units", N_("Units"), "admin province manager viewer"),
        ("/dashboard/officers", N_("Officers"), "admin province manager viewer"),
        ("/dashboard/themes", N_("Themes"), "admin province manager viewer"),
        ("/dashboard/alerts", "Alerts", "admin province manager viewer"),
        ("/dashboard/cases", N_("Cases"), "admin province manager viewer"),
        ("/dashboard/kiosks", N_("Kiosks"), "admin manager"),
        ("/dashboard/dossiers", N_("Dossiers"), "admin province manager viewer"),
        ("/dashboard/report", N_("Report"), "admin province manager viewer"),
        ("/dashboard/audit", "Audit log", "admin"),
    )
)


ROLE_NAMES = {
    "admin": N_("Administrator"),
    "province": N_("Province"),
    "manager": N_("Manager"),
    "viewer": N_("Viewer"),
}


def nav_for(viewer: Viewer | None) -> list[Link]:
    return [] if viewer is None else [link for link, roles in NAV if viewer.role in roles]


# Language


def page_lang(request: Request[Any, Any, Any]) -> Lang:
    """``?lang=`` if given (and then remembered), else the cookie, else Vietnamese."""
    asked = request.query_params.get("lang")
    for value in (asked, request.cookies.get(LANG_COOKIE)):
        if value in LANGS:
            return "en" if value == "en" else "vi"
    return "vi"


def switch_url(request: Request[Any, Any, Any], lang: Lang) -> str:
    """This page's address in the other language (its other query parameters kept)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", "en" if lang == "vi" else "vi"))
    return request.url.path + "?" + urlencode(params)


# CSRF: the token is derived from a secret cookie this browser holds (the session's, else a pre-session one).


def _token_of(secret: str) -> str:
    return hashlib.sha256(b"hailong-csrf\x00" + secret.encode()).hexdigest()


def _csrf_secret(request: Request[Any, Any, Any]) -> str | None:
    state = request.scope.setdefault("state", {})
    fresh = state.get("csrf_secret")
    return fresh or request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE)


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The token for this browser's forms; makes a pre-session secret (set as a cookie by ``render``)
    when the browser has none yet."""
    secret = _csrf_secret(request)
    if not secret:
        secret = secrets.token_urlsafe(32)
        request.scope.setdefault("state", {})["csrf_secret"] = secret
        request.scope["state"]["csrf_cookie"] = secret
    return _token_of(secret)


class CsrfRefused(Forbidden):
    code = "csrf"


def check_csrf(request: Request[Any, Any, Any], form: Mapping[str, Any]) -> None:
    """403 unless the form's ``csrf`` field is the token of one of this browser's secret cookies."""
    sent = form.get("csrf")
    if isinstance(sent, list):
        sent = sent[0] if len(sent) == 1 else None
    if not isinstance(sent, str) or not sent:
        raise CsrfRefused("This form has expired. Open the page again and resend it.")
    for secret in (request.cookies.get(SESSION_COOKIE), request.cookies.get(CSRF_COOKIE)):
        if secret and hmac.compare_digest(_token_of(secret), sent):
            return
    raise CsrfRefused("This form has expired. Open the page again and resend it.")


def set_cookie(response: Response[Any], request: Request[Any, Any, Any], name: str, value: str, **extra: Any) -> None:
    """A cookie as every hailong cookie is: HttpOnly, SameSite=Strict, path /, Secure over TLS."""
    settings = request.app.state.settings
    response.set_cookie(
        name, value, path="/", httponly=True, samesite="strict", secure=settings.secure_cookies, **extra
    )


# Rendering


def templates() -> jinja2.Environment:
    """A new environment over web/templates, as every page reads them: escaped, and strict about names."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@cache
def _env() -> jinja2.Environment:
    env = templates()
    env.globals["static"] = static_url
    env.globals["N_"] = N_  # marks a msgid translated later by value (table headers)
    env.globals["role_names"] = ROLE_NAMES
    return env


def render(
    request: Request[Any, Any, Any], template_name: str, *, status: int = 200, forms: bool = True, **context: Any
) -> Response[str]:
    """``forms=False``: a page without any form (the public results page), so no CSRF cookie is made."""
    lang = page_lang(request)
    viewer = request.scope.get("state", {}).get("viewer")
    viewer = viewer if isinstance(viewer, Viewer) else None
    values = {
        "t": text(lang),
        "lang": lang,
        "viewer": viewer,
        "csrf": csrf_token(request) if forms else "",
        "nav": nav_for(viewer),
        "path": request.url.path,
        "switch_url": switch_url(request, lang),
        **context,
    }
    html = _env().get_template(template_name).render(values)
    response = Response(
        html, status_code=status, media_type="text/html", headers={**PAGE_HEADERS, "Content-Language": lang}
    )
    if request.query_params.get("lang") in LANGS and request.cookies.get(LANG_COOKIE) != lang:
        set_cookie(response, request, LANG_COOKIE, lang, max_age=365 * 86400)
    fresh = request.scope["state"].pop("csrf_cookie", None)
    if fresh:
        set_cookie(response, request, CSRF_COOKIE, fresh)
    return response


class LoginRequired(Unauthorized):
    code = "login-required"


async def page_viewer(request: Request[Any, Any, Any]) -> Viewer:
    """The signed-in viewer of a page; an anonymous browser is sent to ``/login?next=…`` (a 303)."""
    try:
        return await current_viewer(request)
    except Unauthorized:
        raise LoginRequired("Sign in to see this page.") from None


async def signed_in_page(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A page guard: an anonymous browser is sent to sign in before the page's parameters are checked."""
    try:
        await current_viewer(connection)
    except Unauthorized:
        raise LoginRequired("Sign in to see this page.") from None


async def know_the_viewer(request: Request[Any, Any, Any]) -> None:
    """The app's ``before_request`` hook: on a page path, the signed-in viewer is found before the handler's
    parameters are checked, so that even a page refusing a bad parameter shows the layout and the nav."""
    if not is_page(request.url.path):
        return
    state = request.scope.setdefault("state", {})
    token = request.cookies.get(SESSION_COOKIE)
    sessions = getattr(request.app.state, "sessions", None)
    if token and sessions is not None and "viewer" not in state:
        try:
            viewer = await sessions.viewer(token)
        except StoreError:
            return  # the handler meets the same error and answers it
        if viewer is not None:
            state["viewer"] = viewer


def login_url(request: Request[Any, Any, Any]) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


# Error pages: on a page path, every error is a page in the user's language.

ERROR_TEXT = {
    400: (N_("Something in this request is not right"), N_("Go back, check what you entered and try again.")),
    403: ("Not allowed", N_("Your account may not see this page or this unit. Choose a unit you are responsible for.")),
    404: (N_("Page not found"), N_("This page does not exist. Use the menu to find what you are looking for.")),
    429: ("Please wait a moment", N_("Too many attempts. Wait a little, then try again.")),
    503: (N_("The service is busy"), N_("The database cannot answer right now. Try again in a few seconds.")),
    500: (
        N_("Something went wrong"),
        N_("The server could not finish this request. Try again; if it keeps happening, tell your administrator."),
    ),
}


# Refusals that deserve their own words, by the error's code.
CODE_TEXT = {
    "outside-your-units": (
        N_("Not allowed"),
        N_("This unit is outside the units you may see. Choose a unit you are responsible for."),
    ),
    "read-only-role": ("Not allowed", N_("Your role may read this unit but not change it.")),
    "csrf": (N_("This form has expired"), N_("Open the page again and resend the form.")),
}


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, Unauthorized):
        return Response("", status_code=303, headers={"Location": login_url(request), **PAGE_HEADERS})
    if isinstance(exc, StoreError):
        status = 503
    elif isinstance(exc, DomainError):
        status = exc.status
    elif isinstance(exc, HTTPException):
        status = exc.status_code
    else:
        status = 500
    if status >= 500 and status != 503:
        log.error("page failed on %s %s: %r", request.method, request.url.path, exc)
    key = status if status in ERROR_TEXT else (400 if status < 500 else 500)
    title, message = ERROR_TEXT[key]
    if isinstance(exc, DomainError) and exc.code in CODE_TEXT:
        title, message = CODE_TEXT[exc.code]
    response = render(request, "error.html", status=status, title=title, message=message)
    if isinstance(exc, TooManyRequests | DomainError) and hasattr(exc, "retry_after"):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def is_page(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)


Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def with_page_errors(handlers: Mapping[Any, Handler]) -> dict[Any, Handler]:
    """The app's exception handlers, each answering with a page on a page path (``PAGE_PREFIXES``)."""

    def wrap(handler: Handler) -> Handler:
        def either(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
            return error_page(request, exc) if is_page(request.url.path) else handler(request, exc)

        return either

    return {kind: wrap(handler) for kind, handler in handlers.items()}


# Static files of web/static, same origin (the CSP allows nothing else), cached for good under a versioned URL.


@dataclass(frozen=True)
class Static:
    body: bytes
    gzipped: bytes
    version: str
    media_type: str


@cache
def _static(name: str) -> Static | None:
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in STATIC_TYPES or "/" in name or name.startswith("."):
        return None
    path = resources.files("web").joinpath("static", name)
    if not path.is_file():
        return None
    body = path.read_bytes()
    return Static(body, gzip.compress(body, 9, mtime=0), hashlib.sha256(body).hexdigest()[:12], STATIC_TYPES[suffix])


def static_url(name: str) -> str:
    found = _static(name)
    if found is None:
        raise LookupError(f"web/static has no {name!r}")
    return f"/static/{name}?v={found.version}"


@get("/static/{name:str}", include_in_schema=False, sync_to_thread=False)
def static_file(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    found = _static(name)
    if found is None:
        raise NotFound(f"There is no file {name!r}.")
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(found.gzipped, media_type=found.media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(found.body, media_type=found.media_type, headers=headers)


def page_text(request: Request[Any, Any, Any]) -> Text:
    """The words of this request's language (for a message made in a handler)."""
    return text(page_lang(request))


ROUTES = [static_file]
