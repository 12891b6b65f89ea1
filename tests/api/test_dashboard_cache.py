"""The dashboard cache (api.progress.dashboard_cache) and the activity versions that validate it
(api.activity): a hit costs one query, and no write path leaves a stale dashboard behind."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.activity import bump, read_version, read_version_async
from api.async_db import AsyncDatabase
from api.progress import dashboard
from api.progress.weeks import week_containing
from db.models import Exercise, Learner, TopicProgress
from tests.api.test_coherence import eventually
from tests.api.test_dashboard import count_queries
from tests.api.test_progress_support import API, add_resource, add_submission, seed_graph
from tests.conftest import Actors

DASHBOARD = f"{API}/learners/me/dashboard"


def _listening(client: TestClient) -> None:
    eventually(lambda: bool(client.app.state.catalogue_cache.enabled), within=10)  # type: ignore[attr-defined]


@pytest.mark.postgres_only
def test_an_unchanged_dashboard_costs_one_query(
    app: FastAPI, client: TestClient, actors: Actors, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_graph(db)
    _listening(client)
    checks: list[int] = []

    async def counted(async_db: AsyncDatabase, learner_id: int) -> int | None:
        checks.append(learner_id)
        return await read_version_async(async_db, learner_id)

    monkeypatch.setattr(dashboard, "read_version_async", counted)
    first = client.get(DASHBOARD, headers=actors.learner.headers)
    with count_queries(app) as statements:
        second = client.get(DASHBOARD, headers=actors.learner.headers)
    assert second.json() == first.json()
    assert second.headers["etag"] == first.headers["etag"]
    assert statements == []  # nothing through the sessions ...
    assert checks == [actors.learner.learner_id] * 2  # ... only the version check, on the event loop


def test_if_none_match_answers_304(client: TestClient, actors: Actors, db: Session) -> None:
    seed_graph(db)
    etag = client.get(DASHBOARD, headers=actors.learner.headers).headers["etag"]
    again = client.get(DASHBOARD, headers={**actors.learner.headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    client.put(
        f"{API}/learners/me/topics/a/progress", json={"status": "completed"}, headers=actors.learner.headers
    )
    changed = client.get(DASHBOARD, headers={**actors.learner.headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def _writes(client: TestClient, actors: Actors, db: Session) -> list[tuple[str, Callable[[], None]]]:
    """Every way a learner's dashboard can change, each with a check of its own."""
    h = actors.learner.headers
    me = actors.learner.learner_id or 0
    graph = seed_graph(db)
    resource = add_resource(db)
    exercise = db.get(Exercise, graph.exercises["ex-f"])
    assert exercise is not None
    exercise.files = ["solution.py"]
    db.add(exercise)
    db.commit()
    week = week_containing(datetime.now(UTC), timezone="UTC", week_start="monday").id

    def event() -> None:
        body = {"id": "0b6d3f1e-0000-4000-8000-000000000001", "verb": "experienced"}
        body |= {"object": {"type": "resource", "id": str(resource)}, "result": {"duration": "PT7M"}}
        assert client.post(f"{API}/learners/me/events", json=body, headers=h).status_code == 201

    def topic() -> None:
        assert client.put(
            f"{API}/learners/me/topics/b/progress", json={"status": "in_progress"}, headers=h
        ).is_success

    def resource_progress() -> None:
        url = f"{API}/learners/me/resources/{resource}/progress"
        assert client.put(url, json={"completed": True, "minutes_spent": 30}, headers=h).is_success

    def goal() -> None:
        assert client.put(f"{API}/learners/me/goals/{week}", json={"minutes": 45}, headers=h).is_success

    def week_start() -> None:
        assert client.patch(f"{API}/learners/{me}", json={"week_start": "sunday"}, headers=h).is_success

    def submit() -> None:
        url = f"{API}/exercises/ex-f/submissions"
        assert client.post(url, json={"files": {"solution.py": "x = 1\n"}}, headers=h).status_code == 202

    def submission_elsewhere() -> None:  # another process (a replica, the runner's finalize) writing rows
        add_submission(
            db, learner_id=me, exercise_id=graph.exercises["ex-b1"], status="passed", score=4, max_score=4
        )

    def progress_elsewhere() -> None:
        row = db.get(TopicProgress, (me, graph.topics["a"]))
        assert row is not None
        row.status = "not_started"  # b needs a: b leaves the next topics
        db.add(row)
        db.commit()

    return [
        ("event", event),
        ("topic progress", topic),
        ("resource progress", resource_progress),
        ("goal", goal),
        ("learner settings", week_start),
        ("submission", submit),
        ("submission written by another session", submission_elsewhere),
        ("progress changed by another session", progress_elsewhere),
    ]


def test_every_write_shows_on_the_next_read(client: TestClient, actors: Actors, db: Session) -> None:
    h = actors.learner.headers
    writes = _writes(client, actors, db)
    assert client.put(
        f"{API}/learners/me/topics/a/progress", json={"status": "completed"}, headers=h
    ).is_success
    if not client.app.state.settings.is_sqlite:  # type: ignore[attr-defined]
        _listening(client)
    for name, write in writes:
        before = client.get(DASHBOARD, headers=h)
        assert client.get(DASHBOARD, headers=h).json() == before.json()  # cached where it can be
        write()
        after = client.get(DASHBOARD, headers=h)
        assert after.json() != before.json(), f"{name}: the dashboard did not change"
        assert after.headers["etag"] != before.headers["etag"], name


def test_versions_move_once_per_transaction_and_only_for_existing_learners(
    db: Session, actors: Actors
) -> None:
    me = actors.learner.learner_id or 0
    start = read_version(db, me)
    assert start is not None
    assert bump(db, [me, 999_999]) == {me}
    assert bump(db, [me]) == {me}  # already moved in this transaction
    db.commit()
    assert read_version(db, me) == start + 1
    assert read_version(db, 999_999) is None
    learner = db.get(Learner, me)
    assert learner is not None
    learner.timezone = "Europe/Berlin"
    db.add(learner)
    db.flush()
    assert read_version(db, me) == start + 2  # the flush moved it ...
    db.rollback()  # ... and the rollback took that back with the change
    assert read_version(db, me) == start + 1
