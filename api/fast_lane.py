"""Fast lanes: the common case of the busiest requests served without FastAPI's per-request machinery.

For `GET /graph` (cached) and `POST .../events` (one new event) FastAPI's request handling (dependency
solving, body and parameter processing, endpoint context, telemetry) cost more than the work itself: in
process, 242 -> 166 us of CPU per event (bench/api is the figure that counts). `PUT` topic progress and
`POST` submissions have lanes too: a smaller share there, but those two set the p99 under load.

A lane is a plain Starlette route placed just before its FastAPI route. Its `serve` function answers the
well-formed, common request with the same functions the route uses and returns None for anything else (a
query string, a batch, a body that is not valid, another content type), which is then handed to the FastAPI
route as it came, body included. So validation errors, their order and the OpenAPI document stay FastAPI's;
the lane only ever answers what the route would have answered the same way.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

Serve = Callable[[Request, bytes], Awaitable[Response | None]]
M = TypeVar("M", bound=BaseModel)


class FastLane:
    """An ASGI app in front of `route`: `serve` answers, or the request goes on to `route` unchanged."""

    def __init__(self, route: APIRoute, serve: Serve) -> None:
        self.route = route
        self.serve = serve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, or hand it to the FastAPI route with its body replayed."""
        scope["route"] = self.route  # logs, metrics and errors name the documented route
        request = Request(scope, receive)
        body = await request.body() if scope["method"] in ("POST", "PUT", "PATCH") else b""
        response = await self.serve(request, body)
        if response is not None:
            await response(scope, receive, send)
            return
        _, child_scope = self.route.matches(scope)
        scope.update(child_scope)
        await self.route.handle(scope, _replay(body, receive), send)


def json_body(request: Request, body: bytes, model: type[M]) -> M | None:
    """`body` as `model` when it is declared as JSON and valid; None sends the request on to FastAPI."""
    content_type = request.headers.get("content-type", "")
    if not (content_type == "application/json" or content_type.startswith("application/json;")):
        return None
    try:
        return model.model_validate_json(body)
    except ValidationError:
        return None  # FastAPI validates again and answers with the errors


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the body already read once, then defers to the real one (disconnects)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def add_fast_lanes(app: FastAPI, lanes: dict[tuple[str, str], Serve]) -> None:
    """Put a lane just before each `(method, path)` route of `app` (the route must exist)."""
    routes = app.router.routes
    for (method, path), serve in lanes.items():
        index, route = next(
            (i, r)
            for i, r in enumerate(routes)
            if isinstance(r, APIRoute) and r.path == path and method in (r.methods or ())
        )
        lane = Route(path, FastLane(route, serve), methods=[method], include_in_schema=False)
        routes.insert(index, lane)
