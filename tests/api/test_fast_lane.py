"""Fast lanes answer the common case of GET /graph, POST events, PUT topic progress and POST submissions
exactly as their FastAPI routes do, and hand everything else to those routes unchanged."""

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from api.fast_lane import FastLane
from api.settings import Settings
from db.session import make_session_factory, session_scope
from tests.api.test_progress_support import API, seed_graph
from tests.conftest import Actors
from tests.e2e.seed import TINY_SOLUTION, seed_exercises, tiny_spec

SUBMIT = f"{API}/exercises/tiny-add/submissions"
FILES = {"files": {"solution.py": TINY_SOLUTION}}


@pytest.fixture(autouse=True)
def _catalogue(engine: Engine) -> None:
    """Topics to set a status on and an exercise to submit to."""
    with session_scope(make_session_factory(engine)) as session:
        seed_graph(session)
        seed_exercises(session, [tiny_spec()])


def _lanes(app: FastAPI) -> list[FastLane]:
    return [r.endpoint for r in app.router.routes if isinstance(getattr(r, "endpoint", None), FastLane)]  # type: ignore[attr-defined]


@pytest.fixture
def handed_over(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths each lane handed to its FastAPI route."""
    seen: list[str] = []
    for lane in _lanes(app):
        real = lane.route.handle

        async def handle(scope: Any, receive: Any, send: Any, real: Any = real) -> None:
            seen.append(
                scope["path"] + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
            )
            await real(scope, receive, send)

        monkeypatch.setattr(lane.route, "handle", handle)
    return seen


def _event(**changes: Any) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), "verb": "experienced", "object": {"type": "resource", "id": "7"}}
    return body | changes


def test_the_common_case_is_served_by_the_lanes(
    client: TestClient, actors: Actors, handed_over: list[str]
) -> None:
    h = actors.learner.headers
    graph = client.get(f"{API}/graph", headers=h)
    assert graph.status_code == 200 and graph.json()["nodes"] is not None
    assert client.get(f"{API}/graph", headers=h | {"If-None-Match": graph.headers["etag"]}).status_code == 304
    event = client.post(f"{API}/learners/me/events", json=_event(result={"duration": "PT5M"}), headers=h)
    assert event.status_code == 201 and event.json()["minutes"] == 5
    progress = client.put(f"{API}/learners/me/topics/a/progress", json={"status": "in_progress"}, headers=h)
    assert progress.status_code == 200 and progress.json()["changed"] is True
    submitted = client.post(SUBMIT, json=FILES, headers=h | {"Idempotency-Key": "k1"})
    assert submitted.status_code == 202
    assert submitted.headers["Location"] == f"{API}/submissions/{submitted.json()['id']}"
    assert handed_over == []


def test_everything_else_goes_to_the_fastapi_routes(
    client: TestClient, actors: Actors, handed_over: list[str]
) -> None:
    h = actors.learner.headers
    assert client.get(f"{API}/graph?format=dot", headers=h).status_code == 200
    bad = client.get(f"{API}/graph?format=png", headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "format"]
    batch = client.post(f"{API}/learners/me/events", json=[_event(), _event()], headers=h)
    assert batch.status_code == 201 and batch.json()["created"] == 2
    broken = client.post(
        f"{API}/learners/me/events", content=b'{"id": ', headers=h | {"content-type": "application/json"}
    )
    assert broken.status_code == 422 and broken.json()["errors"][0]["type"] == "json_invalid"
    reserved = client.post(f"{API}/learners/me/events", json=_event(verb="completed"), headers=h)
    assert reserved.status_code == 422 and reserved.json()["code"] == "invalid-event"  # served by the lane
    odd = client.put(f"{API}/learners/me/topics/a/progress", json={"status": "odd"}, headers=h)
    assert odd.status_code == 422 and odd.json()["errors"][0]["loc"] == ["body", "status"]
    long_key = client.post(SUBMIT, json=FILES, headers=h | {"Idempotency-Key": "k" * 201})
    assert long_key.status_code == 422 and long_key.json()["errors"][0]["loc"] == [
        "header",
        "Idempotency-Key",
    ]
    no_files = client.post(SUBMIT, json={}, headers=h)
    assert no_files.status_code == 422 and no_files.json()["errors"][0]["loc"] == ["body", "files"]
    form = client.post(SUBMIT, data={"files": "x"}, headers=h)
    assert form.status_code == 422
    assert handed_over == [
        f"{API}/graph?format=dot",
        f"{API}/graph?format=png",
        f"{API}/learners/me/events",
        f"{API}/learners/me/events",
        f"{API}/learners/me/topics/a/progress",
        SUBMIT,
        SUBMIT,
        SUBMIT,
    ]


def _answers(client: TestClient, actors: Actors) -> list[tuple[int, Any]]:
    """Status and body (without per-request fields) of a fixed set of requests."""
    fixed = "0b6d3f1e-0000-4000-8000-00000000aaaa"
    me, admin = actors.learner.headers, actors.admin.headers
    idem = str(uuid.uuid4())  # a new key per call: both calls create, then repeat
    key = me | {"Idempotency-Key": idem}
    topic_a = f"{API}/learners/me/topics/a/progress"
    requests: list[tuple[str, str, dict[str, str], Any]] = [
        ("GET", f"{API}/graph", actors.learner.headers, None),
        ("GET", f"{API}/graph", {}, None),
        ("GET", f"{API}/graph", {"Authorization": "Bearer sy_nope"}, None),
        ("POST", f"{API}/learners/me/events", actors.learner.headers, _event(id=fixed)),
        ("POST", f"{API}/learners/me/events", actors.learner.headers, _event(id=fixed)),  # a repeat: 200
        ("POST", f"{API}/learners/me/events", actors.learner.headers, _event(id=fixed, verb="other")),  # 409
        ("POST", f"{API}/learners/me/events", {}, _event()),
        ("POST", f"{API}/learners/{actors.other.learner_id}/events", actors.learner.headers, _event()),
        ("POST", f"{API}/learners/me/events", actors.admin.headers, _event()),
        ("POST", f"{API}/learners/me/events", actors.learner.headers, _event(result={"duration": "soon"})),
        # Each call ends where it began (not_started), so both calls see the same changes.
        ("PUT", topic_a, me, {"status": "in_progress"}),
        ("PUT", topic_a, me, {"status": "in_progress"}),  # unchanged
        ("PUT", topic_a, me, {"status": "not_started"}),
        ("PUT", f"{API}/learners/me/topics/zz/progress", me, {"status": "completed"}),  # 404
        ("PUT", f"{API}/learners/{actors.other.learner_id}/topics/a/progress", me, {"status": "completed"}),
        ("PUT", topic_a, {}, {"status": "completed"}),  # 401
        ("PUT", f"{API}/learners/99999/topics/a/progress", admin, {"status": "completed"}),  # 404
        ("POST", SUBMIT, key, FILES),
        ("POST", SUBMIT, key, FILES),  # a repeat: 200
        ("POST", SUBMIT, key, {"files": {"solution.py": "x = 1\n"}}),  # 409
        ("POST", SUBMIT, me, {"files": {"other.py": "x = 1\n"}}),  # 422
        ("POST", f"{API}/exercises/nope/submissions", me, FILES),  # 404
        ("POST", SUBMIT, actors.runner.headers, FILES),  # 403
        ("POST", SUBMIT, {}, FILES),  # 401
    ]
    out = []
    for method, url, headers, body in requests:
        resp = client.request(method, url, headers=headers, json=body)
        data = resp.json()
        for field in ("request_id", "stored", "timestamp", "id", "existing_id", "updated_at"):
            data.pop(field, None) if isinstance(data, dict) else None
        if isinstance(data, dict) and "detail" in data:
            data["detail"] = data["detail"].replace(idem, "<key>")
        out.append((resp.status_code, data))
    return out


def test_lanes_answer_as_the_routes_do(settings: Settings, actors: Actors) -> None:
    with TestClient(create_app(settings)) as laned:
        with_lanes = _answers(laned, actors)
    plain_app = create_app(settings)
    plain_app.router.routes[:] = [
        r for r in plain_app.router.routes if not isinstance(getattr(r, "endpoint", None), FastLane)
    ]
    with TestClient(plain_app) as plain:
        # The same requests against the same database: the fixed event id now exists, so the first
        # POST is a repeat too; compare everything but that one answer.
        without_lanes = _answers(plain, actors)
    assert with_lanes[:3] == without_lanes[:3]
    assert with_lanes[4:] == without_lanes[4:]
    assert with_lanes[3][0] == 201 and without_lanes[3][0] == 200
