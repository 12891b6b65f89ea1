"""Problem responses in the OpenAPI document: each operation lists the error statuses it can answer."""

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from api.errors import PROBLEM_JSON
from api.middleware import API_PREFIX

WRITE_METHODS = {"post", "put", "patch", "delete"}
DESCRIPTIONS = {
    400: "Malformed request (problem document)",
    401: "Missing, unknown or revoked bearer token",
    403: "This token's role may not do this",
    404: "Not found, or another learner's data",
    409: "Conflict with the current state",
    412: "`If-Match` names a version that is no longer current",
    413: "Body over the size or count cap",
    422: "Validation failed (`errors` lists each problem)",
    429: "Over a rate limit; see `Retry-After`",
    503: "The database is unreachable; retry after `Retry-After`",
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}


def problem_statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what kind of route it is."""
    if not path.startswith(API_PREFIX):
        return {503} if path == "/readyz" else set()
    statuses = {400, 422, 503}
    if path != f"{API_PREFIX}/signup":
        statuses |= {401, 403}
    if re.search(r"\{\w+\}", path) or any(p.get("in") == "query" for p in operation.get("parameters", [])):
        statuses.add(404)
    if method in WRITE_METHODS:
        statuses |= {404, 409, 413}
        if not path.startswith(f"{API_PREFIX}/runner/"):
            statuses.add(429)
    if method == "patch":
        statuses.add(412)
    return statuses


def _as_problem(response: dict[str, Any]) -> None:
    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def document_problem_responses(app: FastAPI) -> None:
    """Wrap `app.openapi` so every operation documents its problem responses (built once, cached)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in problem_statuses(path, method, operation):
                    responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        _as_problem(response)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
