"""A small domain-error hierarchy and the one problem-details shape (RFC 9457) of the API."""

from __future__ import annotations

import math
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from api.db.base import StoreError
from api.db.errors import unavailable_reason

PROBLEM_BASE = "https://hailong.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(msgspec.Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    instance: str = ""
    errors: list[dict[str, Any]] = []


class DomainError(Exception):
    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, errors: list[dict[str, Any]] | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors or []


class Invalid(DomainError):
    status, code, title = 422, "invalid", "Invalid input"


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Not authenticated"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(DomainError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class TooManyRequests(DomainError):
    status, code, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = max(1, math.ceil(retry_after))


def problem_response(
    request: Request[Any, Any, Any], problem: Problem, headers: dict[str, str] | None = None
) -> Response[bytes]:
    problem.instance = request.url.path
    headers = dict(headers or {})
    if problem.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Response(
        msgspec.json.encode(problem), status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    problem = Problem(type=PROBLEM_BASE + exc.code, title=exc.title, status=exc.status, detail=exc.detail)
    problem.errors = exc.errors
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    return problem_response(request, problem, headers)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    """Litestar's own errors (bad JSON, wrong types, unknown route) in the same shape."""
    status, detail = exc.status_code, str(exc.detail)
    errors: list[dict[str, Any]] = []
    if status == 400 and any(word in detail.lower() for word in ("malformed", "truncated", "trailing")):
        status, code, title = 400, "malformed-json", "Malformed JSON"
        detail = f"The body is not valid JSON: {detail}"
    elif isinstance(exc, ValidationException):
        status, code, title = 422, "invalid", "Invalid input"
        errors = [e for e in exc.extra if isinstance(e, dict)] if isinstance(exc.extra, list) else []
        detail = _validation_detail(exc, errors)
    elif isinstance(exc, NotAuthorizedException):
        code, title = "unauthorized", "Not authenticated"
    else:
        code = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(status, "http-error")
        title = _title(status)
    problem = Problem(type=PROBLEM_BASE + code, title=title, status=status, detail=detail, errors=errors)
    allow = (exc.headers or {}).get("allow") if status == 405 else None  # the methods the path takes
    return problem_response(request, problem, {"Allow": allow} if allow else None)


def out_of_range(exc: BaseException) -> bool:
    """A number too large for a 64-bit column, from either store (SQLite: OverflowError; asyncpg: DataError
    "invalid input for query argument" caused by one): it came in with the request, e.g. a forged cursor."""
    return isinstance(exc, OverflowError) or isinstance(exc.__cause__, OverflowError)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    if out_of_range(exc):
        problem = Problem(
            type=PROBLEM_BASE + "out-of-range",
            title="Invalid input",
            status=422,
            detail="A number in this request is too large (at most 9223372036854775807).",
        )
        return problem_response(request, problem)
    reason = unavailable_reason(exc)
    if reason is not None:
        return unavailable_response(request, reason)
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    problem = Problem(
        type=PROBLEM_BASE + "internal",
        title="Internal error",
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        detail=(
            "The server could not finish this request because of an error on its side, so it cannot say whether"
            " anything was stored. Check before sending a change again; a request with an idempotency key is"
            " safe to repeat."
        ),
    )
    return problem_response(request, problem)


def _validation_detail(exc: ValidationException, errors: list[dict[str, Any]]) -> str:
    if errors:
        first = errors[0]
        where = first.get("key") or first.get("source") or "body"
        return f"{first.get('message', 'invalid value')} (at {where})"
    return str(exc.detail)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def store_error_handler(request: Request[Any, Any, Any], exc: StoreError) -> Response[bytes]:
    return unavailable_response(request, str(exc))


RETRY_AFTER_SECONDS = 5


def unavailable_response(request: Request[Any, Any, Any], reason: str) -> Response[bytes]:
    """503 when the store cannot take work (locked, read-only, full, damaged, unreachable): one log line
    when that state begins or changes (api/db/errors.py, StoreHealth), never a traceback per request."""
    store = getattr(request.app.state, "store", None)
    if store is not None:
        store.health.failed(reason)
    problem = Problem(
        type=PROBLEM_BASE + "unavailable",
        title="Service unavailable",
        status=503,
        detail=(
            "The database cannot take this request now; please try again in a few seconds. A change sent"
            " with it may not have been stored: a request with an idempotency key is safe to repeat."
        ),
    )
    return problem_response(request, problem, {"Retry-After": str(RETRY_AFTER_SECONDS)})


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    StoreError: store_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
