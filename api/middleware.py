"""Pure-ASGI middleware: a request id on every request, access logs and HTTP metrics."""

import re
import time
import uuid

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logging import access_log
from api.metrics import LATENCY, REQUESTS

API_PREFIX = "/api/v1"

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def route_template(scope: Scope) -> str:
    """The matched route's path template (bounded label cardinality), with its router's prefix."""
    path: str | None = getattr(scope.get("route"), "path", None)
    if path is None:
        return "<unmatched>"
    # FastAPI keeps an included router's routes relative to their prefix; every prefixed router is /api/v1.
    if scope["path"].startswith(API_PREFIX) and not path.startswith(API_PREFIX):
        path = API_PREFIX + path
    return path


class RequestContextMiddleware:
    """Tags each request with an id (client-supplied if sane), logs it and records its metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap one HTTP request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            template = route_template(scope)
            REQUESTS.labels(scope["method"], template, str(status)).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            access_log(
                method=scope["method"],
                route=template,
                path=scope["path"],
                status=status,
                ms=round(elapsed * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("request_id")


class BodySizeLimitMiddleware:
    """Refuse request bodies over a cap (413 problem document) without buffering them whole.

    `Content-Length` is checked up front; chunked bodies are counted as they stream, and the error is
    raised from `receive` inside the handler, so the app's error handlers render it like any other.
    """

    def __init__(self, app: ASGIApp, *, default: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.overrides = sorted((overrides or {}).items(), key=lambda kv: -len(kv[0]))

    def _limit(self, path: str) -> int:
        for prefix, limit in self.overrides:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the bytes of one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            # Refuse before reading; the handler renders the error once routing has run.
            receive = _refusing_receive(limit)
        else:
            receive = _counting_receive(receive, limit)
        await self.app(scope, receive, send)


def _too_large(limit: int) -> HTTPException:
    # An HTTPException, not our AppError: FastAPI re-raises only those from body parsing (others become 400).
    return HTTPException(413, detail=f"request body is larger than the {limit}-byte limit")


def _refusing_receive(limit: int) -> Receive:
    async def receive() -> Message:
        raise _too_large(limit)

    return receive


def _counting_receive(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit)
        return message

    return counted
