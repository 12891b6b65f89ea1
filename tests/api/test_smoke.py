"""The app starts, answers health checks and renders problem documents."""

from fastapi.testclient import TestClient

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
