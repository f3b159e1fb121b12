"""The request boundary, before any handler sees a request: sizes, credentials, NUL bytes; and the headers
every response carries.

``Boundary`` is an ASGI middleware on every route:

* path and query over ``MAX_TARGET_BYTES`` together → 414;
* headers: one header over ``MAX_HEADER_BYTES`` or all of them over ``MAX_HEADERS_BYTES`` → 431;
* credentials: every ``/api/v1`` route except kiosk pairing needs a credential, checked here, before the
  body is read or decoded (401 for a bad body without credentials); the principal found is kept in the
  scope, where ``api.auth.authenticate`` finds it, so the look-up is not repeated;
* JSON nested more than ``MAX_JSON_DEPTH`` levels → 400 (the decoder would run out of stack);
* a query parameter the route does not take, one given twice or without a value → 422;
* NUL bytes (which PostgreSQL cannot store in text) in the path, the query or the body → 422; the body
  is read here (at most ``MAX_BODY_BYTES``, else 413) and handed on unchanged;
* a JSON body of a route that has a raw handler (``opt[RAW]``: the rating POST, every kiosk tap) goes to
  that handler, which answers it without the framework's Request, kwargs and Response, or hands it on.

The survey pages (``/s/…``) answer in HTML and check their own forms, so only the header sizes apply there.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from api.auth import Authenticator, authorization
from api.clients import client_address, parse_proxies
from api.errors import DomainError, Invalid, TooManyRequests, Unauthorized
from api.ratelimits import AddressLimits, Buckets
from api.viewer import SESSION_COOKIE

Scope = dict[str, Any]  # the ASGI scope and messages, as plain dicts (Litestar's TypedDicts are too narrow here)
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_HEADER_BYTES = 4096
MAX_HEADERS_BYTES = 16 * 1024
MAX_BODY_BYTES = 64 * 1024
MAX_TARGET_BYTES = 2048  # path and query together
MAX_JSON_DEPTH = 32  # our deepest body is two levels; a thousand levels would exhaust the decoder's stack
PUBLIC_API = frozenset({"/api/v1/kiosk/pair"})
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class HeadersTooLarge(DomainError):
    status, code, title = 431, "headers-too-large", "Request header fields too large"


class TargetTooLong(DomainError):
    status, code, title = 414, "uri-too-long", "URI Too Long"


class BodyTooLarge(DomainError):
    status, code, title = 413, "too-large", "Request Entity Too Large"


def check_headers(headers: Iterable[tuple[bytes, bytes]]) -> None:
    total = 0
    for name, value in headers:
        size = len(name) + len(value)
        if size > MAX_HEADER_BYTES:
            raise HeadersTooLarge(f"The header {name.decode('latin-1')[:40]!r} is over {MAX_HEADER_BYTES} bytes.")
        total += size
    if total > MAX_HEADERS_BYTES:
        raise HeadersTooLarge(f"The request's headers are over {MAX_HEADERS_BYTES} bytes together.")


def nul_in_body(body: bytes, content_type: bytes) -> bool:
    """A NUL byte, a JSON ``\\u0000`` escape, or a URL-encoded form's ``%00`` (only there is it one)."""
    if b"\x00" in body or (b"\\u0000" in body and _JSON_NUL.search(body) is not None):
        return True
    return b"%00" in body and content_type.startswith(b"application/x-www-form-urlencoded")


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests arrays and objects (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:  # the usual case: no scan
        return MAX_JSON_DEPTH
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(body):
        mark = token[0]
        if mark in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif mark in (b"]", b"}"):
            depth -= 1
    return deepest


class TooDeep(DomainError):
    status, code, title = 400, "too-deeply-nested", "JSON nested too deeply"


def refuse_nul(where: str) -> Invalid:
    return Invalid(f"The {where} contains a NUL character (U+0000), which is not allowed.", code="nul-character")


async def read_body(scope: Scope, receive: Receive) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"The body is over {MAX_BODY_BYTES} bytes.")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge(f"The body is over {MAX_BODY_BYTES} bytes.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


@cache
def query_names(app: Any) -> dict[int, frozenset[str]]:
    """The query parameters each route handler of ``app`` takes, by the handler's id."""
    found: dict[int, frozenset[str]] = {}
    for route in app.routes:
        for handler, kwargs_model in getattr(route, "route_handler_map", {}).values():
            found[id(handler)] = frozenset(p.field_alias for p in kwargs_model.expected_query_params)
    return found


def check_query_names(scope: Scope, query: bytes) -> None:
    """An unknown, repeated or empty query parameter is a mistake worth saying (the schema allows none): 422."""
    allowed = query_names(scope["app"]).get(id(scope.get("route_handler")))
    if allowed is None:
        return
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    names = [name for name, _ in pairs]
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise Invalid(
            f"Unknown query parameter(s): {', '.join(unknown)[:200]}; this route takes"
            f" {', '.join(sorted(allowed)) or 'none'}.",
            code="unknown-parameter",
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:  # every parameter of this API takes one value
        raise Invalid(f"Query parameter(s) given more than once: {', '.join(repeated)}.", code="repeated-parameter")
    empty = sorted(name for name, value in pairs if value == "")
    if empty:
        raise Invalid(f"Query parameter(s) without a value: {', '.join(empty)}; give one or leave it out.")


def needs_credentials(path: str, method: str) -> bool:
    return path.startswith("/api/") and path not in PUBLIC_API and method != "OPTIONS"


def session_read(scope: Scope) -> bool:
    """A read (GET, HEAD) by a signed-in browser: a session cookie and no Authorization header. Its viewer is
    resolved by the route (``api.viewer.current_viewer``); API writes always need a key."""
    if scope["method"] not in ("GET", "HEAD"):
        return False
    cookie = b""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return False
        if name == b"cookie":
            cookie += b";" + value
    return SESSION_COOKIE.encode() + b"=" in cookie


class Boundary:
    """See the module's docstring."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        check_headers(scope["headers"])
        path: str = scope["path"]
        if len(scope.get("raw_path") or b"") + len(scope["query_string"]) > MAX_TARGET_BYTES:
            raise TargetTooLong(f"The path and query are over {MAX_TARGET_BYTES} bytes together.")
        if path.startswith("/s/"):
            limited(scope, "survey_requests", take=True)
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        if needs_credentials(path, method) and not session_read(scope):
            auth: Authenticator = scope["app"].state.auth
            try:
                principal = await auth.principal(
                    authorization(scope["headers"]), lambda: limited(scope, "failed_credentials", take=False)
                )
            except Unauthorized:
                limited(scope, "failed_credentials", take=True, answer=False)
                raise
            scope.setdefault("state", {})["principal"] = principal
        if "\x00" in path or b"%00" in scope.get("raw_path", b""):
            raise refuse_nul("path")
        query: bytes = scope["query_string"]
        if b"%00" in query or b"\x00" in query:
            raise refuse_nul("query")
        if query and path.startswith("/api/"):
            check_query_names(scope, query)
        if method not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        body = await read_body(scope, receive)
        content_type = next((v for n, v in scope["headers"] if n == b"content-type"), b"").lower()
        if nul_in_body(body, content_type):
            raise refuse_nul("body")
        if json_depth(body) > MAX_JSON_DEPTH:
            raise TooDeep(f"The body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep.")
        raw = _raw_handler(scope, content_type)
        if raw is not None and await raw(scope, body, send):
            return
        await self.app(scope, _replay(body, receive), send)


# A route handler's ``opt[RAW]``: ``async (scope, body, send) -> bool`` that answers a JSON body of that route
# itself, the framework's Request, kwargs and Response aside, or says False to leave it to the route.
RAW = "hailong_raw"
RawHandler = Callable[[Scope, bytes, Send], Awaitable[bool]]


def _raw_handler(scope: Scope, content_type: bytes) -> RawHandler | None:
    if not content_type.startswith(b"application/json"):
        return None
    handler = scope.get("route_handler")
    raw: RawHandler | None = handler.opt.get(RAW) if handler is not None else None
    return raw


def limited(scope: Scope, what: str, *, take: bool, answer: bool = True) -> None:
    """Count (``take``) or check one request of kind ``what`` (api/ratelimits.py, AddressLimits) against
    the caller's address; 429 with Retry-After when its bucket is empty (unless ``answer`` is False)."""
    app = scope["app"]
    limits: AddressLimits | None = getattr(app.state, "address_limits", None)
    if limits is None:
        return
    peer = (scope.get("client") or ("", 0))[0]
    client = client_address(peer, scope["headers"], parse_proxies(app.state.settings.trusted_proxies))
    buckets: Buckets = getattr(limits, what)
    wait = buckets.take(client) if take else buckets.wait(client)
    if wait and answer:
        raise TooManyRequests(
            "Too many requests from this address without a valid credential or survey link; try again later.",
            retry_after=wait,
        )


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


SCHEMA_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"


async def response_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: ``nosniff`` on every response; ``no-store`` on every API answer (ratings, links
    and tokens must not sit in a shared or a browser cache); a CSP forbidding everything on the schema; one
    charset in a Content-Type (the framework appends one to text types even when the handler gave it)."""
    if message["type"] != "http.response.start":
        return
    headers: list[Any] = message.setdefault("headers", [])
    names = set()
    for n, (name, value) in enumerate(headers):
        names.add(name)  # Litestar and uvicorn give header names in lower case
        if name == b"content-type" and value.count(b"charset=") > 1:
            media, _, rest = bytes(value).partition(b";")
            params = list(dict.fromkeys(p.strip() for p in rest.split(b";") if p.strip()))
            headers[n] = (name, b"; ".join([media, *params]))
    if b"x-content-type-options" not in names:
        headers.append((b"x-content-type-options", b"nosniff"))
    path: str = scope.get("path", "")
    if path.startswith("/api/") and b"cache-control" not in names:
        headers.append((b"cache-control", b"no-store"))
    if path.startswith("/schema") and b"content-security-policy" not in names:
        headers.append((b"content-security-policy", SCHEMA_CSP))


# For the app factory: ``middleware=MIDDLEWARE, before_send=BEFORE_SEND``.
MIDDLEWARE: list[Any] = [Boundary]
BEFORE_SEND: list[Any] = [response_headers]
