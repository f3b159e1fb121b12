"""The OpenAPI document tells the truth about what the service does (checked by schemathesis in the tests):

* request bodies decoded with ``forbid_unknown_fields`` say ``additionalProperties: false``;
* every error an operation can answer is listed, as ``application/problem+json`` (``api.errors.Problem``);
* the API's Bearer credential is a security scheme, required wherever ``api.security`` requires it.

Litestar builds the document from the handlers; :class:`TruthfulJson` finishes it when it is served.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin

from api.errors import PROBLEM_MEDIA_TYPE
from api.security import needs_credentials

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
# What any request may meet before its handler (api.security, the framework, the store).
EVERY_ROUTE = {
    "400": "Malformed request (bad JSON, nested too deeply)",
    "413": "Body too large",
    "414": "Path and query too long",
    "422": "Invalid input",
    "431": "Headers too large",
    "500": "Internal error",
    "503": "Database unavailable",
}
API_ROUTE = {
    "401": "No valid credential",
    "403": "Credential of the wrong kind",
    "404": "Not found",
    "409": "Conflict",
    "429": "Too many attempts",
}

# POSTs that answer 200 with the stored object when the same thing arrives again.
IDEMPOTENT = frozenset({"/api/v1/dossiers", "/api/v1/ratings"})


def _walk(info: msgspec.inspect.Type, found: set[str]) -> None:
    if isinstance(info, msgspec.inspect.StructType):
        if info.cls.__name__ in found:
            return
        if info.forbid_unknown_fields:
            found.add(info.cls.__name__)
        for field in info.fields:
            _walk(field.type, found)
    elif isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            _walk(member, found)
    elif isinstance(info, msgspec.inspect.ListType):
        _walk(info.item_type, found)


def strict_bodies(app: Any) -> frozenset[str]:
    """Names of the request-body structs that refuse unknown fields."""
    found: set[str] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                _walk(msgspec.inspect.type_info(data.annotation), found)
    return frozenset(found)


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def tighten(doc: dict[str, Any], strict: frozenset[str]) -> dict[str, Any]:
    """Finish the document in place (idempotent) and return it."""
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in strict:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (hl_…) or a kiosk device token (hd_…)",
        }
    }
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            errors = dict(EVERY_ROUTE)
            if needs_credentials(path, method.upper()):
                errors |= API_ROUTE
                op["security"] = [{"bearer": []}]
            elif path.startswith("/api/"):
                errors |= {k: v for k, v in API_ROUTE.items() if k in ("404", "409", "429")}
            for status, description in errors.items():
                op["responses"][status] = _problem(description)
            if method == "post" and path in IDEMPOTENT and "201" in op["responses"]:
                op["responses"]["200"] = op["responses"]["201"] | {"description": "Already stored: the stored one"}
    return doc


class TruthfulJson(JsonRenderPlugin):
    """The JSON document at ``/schema`` and ``/schema/openapi.json``, finished by :func:`tighten`."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, tighten(openapi_schema, _strict(request.app)))


@cache
def _strict(app: Any) -> frozenset[str]:
    return strict_bodies(app)


# The OpenAPI document is served as JSON only: no viewer, so no third-party script on our origin (where the
# kiosk keeps its device token). Paste /schema/openapi.json into a viewer of your choice elsewhere.
OPENAPI_RENDERERS: list[Any] = [TruthfulJson(path=["/", "/openapi.json"])]
