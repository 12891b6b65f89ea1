"""The app starts, answers health checks and renders problem documents."""

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import HOT_ROUTES, create_app
from api.middleware import API_PREFIX
from api.settings import Settings
from tests.conftest import Actors


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["revision"] == ready.json()["head"]


def test_me(client: TestClient, actors: Actors) -> None:
    r = client.get("/api/v1/me", headers=actors.learner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "learner"
    assert r.json()["learner"]["id"] == actors.learner.learner_id


def test_hot_routes_are_matched_first_and_must_exist(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings)
    api_routes = [
        (method, route.path)
        for route in app.router.routes
        if isinstance(route, APIRoute) and route.path.startswith(API_PREFIX)
        for method in sorted(route.methods or ())
    ]
    assert api_routes[: len(HOT_ROUTES)] == list(HOT_ROUTES)
    assert len(api_routes) == len(set(api_routes))  # every route once
    monkeypatch.setattr("api.app.HOT_ROUTES", (*HOT_ROUTES, ("GET", f"{API_PREFIX}/renamed")))
    with pytest.raises(RuntimeError, match="renamed"):
        create_app(settings)
