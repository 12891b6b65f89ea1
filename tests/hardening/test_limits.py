"""Every write route has a body-size cap (413 problem) and a per-token rate limit (429 + Retry-After).

Routes are enumerated from the app, so a new write route is covered (or fails here) without editing this
file. Runner routes are exempt from the write rate limit by design: a runner's traffic is bounded by the
jobs that exist (one claim long-poll per slot, one heartbeat per lease period, one result per lease), and
a refused heartbeat or result would cost a learner a lost lease and a regraded job. Runner tokens are
minted by admins only; a misbehaving runner is revoked, not throttled.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
RUNNER_PREFIX = "/api/v1/runner/"
PARAM_VALUES = {"learner_id": "me", "week": "current"}


def write_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """(method, concrete path, route) for every write route of the app."""
    out = []
    for full_path, route in _api_routes(app.routes, ""):
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PARAM_VALUES.get(m.group(1), "1"), full_path)
        out.extend((method, path, route) for method in sorted(route.methods & WRITE_METHODS))
    return out


def _api_routes(routes: list[Any], prefix: str) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route), through included routers (FastAPI keeps their routes relative)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                if isinstance(context.original_route, APIRoute):
                    yield context.path, context.original_route


def _ids(routes: list[tuple[str, str, APIRoute]]) -> list[str]:
    return [f"{method} {path}" for method, path, _ in routes]


ROUTES = write_routes(create_app(Settings(environment="development", database_url="sqlite://")))


@pytest.fixture
def limited_app(settings: Settings) -> FastAPI:
    """The app with small caps: 1 kB bodies, 2 writes per token then one a minute."""
    return create_app(
        settings.model_copy(
            update={
                "max_request_bytes": 1000,
                "max_ci_payload_bytes": 2000,
                "write_rate_per_minute": 1,
                "write_burst": 2,
            }
        )
    )


@pytest.fixture
def limited(limited_app: FastAPI) -> Iterator[TestClient]:
    """A client of `limited_app`."""
    with TestClient(limited_app, raise_server_exceptions=False) as client:
        yield client


def test_the_app_has_write_routes_of_every_domain() -> None:
    prefixes = {path.split("/")[3] for _, path, _ in ROUTES if path.startswith("/api/v1/")}
    assert {"learners", "topics", "resources", "exercises", "runner", "ci", "tokens"} <= prefixes


def _is_problem(resp: object, status: int) -> None:
    assert resp.status_code == status, resp.text  # type: ignore[attr-defined]
    assert resp.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = resp.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert {"type", "title", "detail", "code"} <= set(body)


@pytest.mark.parametrize(("method", "path", "route"), ROUTES, ids=_ids(ROUTES))
def test_oversized_bodies_are_refused_with_413(
    limited: TestClient, actors: object, method: str, path: str, route: APIRoute
) -> None:
    if route.body_field is None:
        pytest.skip("takes no body: nothing is read, so there is nothing to cap")
    cap = 2000 if path.startswith("/api/v1/ci/") else 1000
    body = b'{"x": "' + b"a" * (cap + 10) + b'"}'
    headers = {**actors.admin.headers, "Content-Type": "application/json"}  # type: ignore[attr-defined]
    resp = limited.request(method, path, content=body, headers=headers)
    _is_problem(resp, 413)
    # Streamed (chunked, no Content-Length) bodies are counted as they arrive.
    chunks = iter([body[:500], body[500:]])
    resp = limited.request(method, path, content=chunks, headers=headers)
    _is_problem(resp, 413)


@pytest.mark.parametrize(("method", "path", "route"), ROUTES, ids=_ids(ROUTES))
def test_writes_are_rate_limited_per_token_except_runner_routes(
    limited: TestClient, method: str, path: str, route: APIRoute
) -> None:
    # The limiter runs before authentication, so a token of its own (valid or not) gets a fresh bucket.
    headers = {"Authorization": f"Bearer sy_limit_{method}_{path}"}
    statuses = [limited.request(method, path, headers=headers).status_code for _ in range(4)]
    if path.startswith(RUNNER_PREFIX):
        assert 429 not in statuses
        return
    assert statuses[:2].count(429) == 0 and statuses[2:] == [429, 429], statuses
    resp = limited.request(method, path, headers=headers)
    _is_problem(resp, 429)
    assert int(resp.headers["Retry-After"]) >= 1
    other = limited.request(method, path, headers={"Authorization": "Bearer sy_someone_else"})
    assert other.status_code != 429  # one token's bucket is not another's


def test_anonymous_writes_are_rate_limited_per_client(limited: TestClient) -> None:
    # Open sign-up is the one write that needs no token: it is limited per client address instead.
    statuses = [limited.post("/api/v1/signup", json={"handle": f"anon{n}"}).status_code for n in range(4)]
    assert statuses[:2] == [201, 201] and statuses[2:] == [429, 429], statuses
