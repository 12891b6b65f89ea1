"""Errors as classes that carry their status, rendered as RFC 9457 problem documents."""

import json
from collections.abc import Sequence
from typing import Any

import psycopg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyPoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("api.errors")


class AppError(Exception):
    """Base class of every error the API reports on purpose."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}
        self.extra = extra


class BadRequest(AppError):
    """The request is malformed in a way validation cannot express."""


class Unauthorized(AppError):
    """No valid bearer token."""

    status, code, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="syllabus"'}, **extra)


class Forbidden(AppError):
    """The token is valid but may not do this."""

    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(AppError):
    """The thing does not exist, or the caller may not know it does."""

    status, code, title = 404, "not-found", "Not found"


class Conflict(AppError):
    """The request conflicts with the current state."""

    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    """`If-Match` named a version that is no longer current."""

    status, code, title = 412, "precondition-failed", "Precondition failed"


class PayloadTooLarge(AppError):
    """The body is over a size or count cap."""

    status, code, title = 413, "payload-too-large", "Payload too large"


class UnprocessableContent(AppError):
    """The payload is well-formed JSON but its content cannot be used."""

    status, code, title = 422, "unprocessable", "Unprocessable content"


class TooManyRequests(AppError):
    """A rate limit was hit; `Retry-After` says when to come back."""

    status, code, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))}, **extra)


class ServiceUnavailable(AppError):
    """A dependency (the database) is unreachable right now."""

    status, code, title = 503, "unavailable", "Service unavailable"


def problem_document(
    *, status: int, title: str, detail: str, code: str, instance: str, request_id: str | None
) -> dict[str, Any]:
    """The RFC 9457 fields plus our stable `code` and the request id."""
    return {
        "type": f"https://syllabus.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "request_id": request_id,
    }


def problem_body(**fields: Any) -> bytes:
    """A problem document as bytes, for middleware that answers before the app runs."""
    return json.dumps(problem_document(**fields)).encode()


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    code: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Render one problem document."""
    request_id = getattr(request.state, "request_id", None)
    body = problem_document(
        status=status, title=title, detail=detail, code=code, instance=request.url.path, request_id=request_id
    )
    body.update(extra)
    headers = dict(headers or {})
    if request_id:
        # The 500 handler runs outside our middleware, so the id header is set here for every problem.
        headers["X-Request-Id"] = request_id
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic errors trimmed to what a client needs: where, what, which kind."""
    out = []
    for err in errors:
        out.append({"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": err.get("type")})
    return out


_HTTP_CODES = {
    401: ("unauthorized", "Authentication required"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def install_error_handlers(app: FastAPI) -> None:
    """Every error path of the app ends in a problem document."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            request,
            status=exc.status,
            title=exc.title,
            detail=exc.detail,
            code=exc.code,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc.errors())
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return problem_response(
            request,
            status=422,
            title="Validation failed",
            detail=f"{where}: {first['msg']}" if where else str(first["msg"]),
            code="validation-failed",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _HTTP_CODES.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route matches {request.method} {request.url.path}"
        return problem_response(
            request,
            status=exc.status_code,
            title=title,
            detail=detail,
            code=code,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(psycopg.OperationalError)  # api.async_db (a pool timeout is one too)
    @app.exception_handler(SQLAlchemyPoolTimeout)  # every pooled connection busy for the pool's timeout
    async def _db_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("db.unavailable", error=str(getattr(exc, "orig", exc))[:200])
        return problem_response(
            request,
            status=503,
            title="Service unavailable",
            detail="the database is unreachable; retry shortly",
            code="database-unavailable",
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> JSONResponse:
        # Values valid as JSON that the database cannot hold: NUL characters, integers out of range.
        log.info("db.data_error", error=str(exc.orig)[:200])
        return problem_response(
            request,
            status=422,
            title="Validation failed",
            detail=f"a value cannot be stored: {str(exc.orig).splitlines()[0][:200]}",
            code="unstorable-value",
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request.unhandled_error", error_type=type(exc).__name__)
        return problem_response(
            request,
            status=500,
            title="Internal server error",
            detail="an unexpected error occurred; quote the request id when reporting it",
            code="internal-error",
        )
