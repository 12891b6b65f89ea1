"""The dashboard's content, and its query count staying flat however long the history is."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.activity import bump
from api.progress.weeks import week_containing
from db.models import ActivityEvent
from tests.api.test_progress_support import API, add_goal, add_submission, seed_graph
from tests.conftest import Actors


@contextmanager
def count_queries(app: FastAPI) -> Iterator[list[str]]:
    """Collect every statement the app's engine runs inside the block."""
    statements: list[str] = []

    def _record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(app.state.engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        sa.event.remove(app.state.engine, "before_cursor_execute", _record)


def _bulk_events(db: Session, learner_id: int, count: int, *, start: int) -> None:
    now = datetime.now(UTC)
    rows = []
    for i in range(start, start + count):
        at = now - timedelta(minutes=53 * i + 1)
        kind = i % 3
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "learner_id": learner_id,
                "verb": ("experienced", "attempted", "progressed")[kind],
                "object_type": ("resource", "exercise", "topic")[kind],
                "object_id": ("7", "ex-b1", "a")[kind],
                "result": ({"duration": "PT5M"}, {"success": i % 2 == 0}, {"status": "completed"})[kind],
                "minutes": 5.0 if kind == 0 else 0.0,
                "timestamp": at,
                "stored_at": at,
                "body_hash": "0" * 64,
            }
        )
    db.execute(sa.insert(ActivityEvent), rows)
    bump(db, [learner_id])  # a Core write announces itself (api.activity), as the app's own do
    db.commit()


def test_dashboard_content(client: TestClient, actors: Actors, db: Session) -> None:
    graph = seed_graph(db)
    h = actors.learner.headers
    me = actors.learner.learner_id or 0
    client.put(f"{API}/learners/me/goals/current", json={"minutes": 10, "topics": ["a"]}, headers=h)
    client.put(f"{API}/learners/me/topics/a/progress", json={"status": "completed"}, headers=h)
    add_submission(
        db, learner_id=me, exercise_id=graph.exercises["ex-b1"], status="failed", score=2, max_score=4
    )
    body = client.get(f"{API}/learners/me/dashboard", headers=h).json()
    assert body["current_week"] == week_containing(datetime.now(UTC), timezone="UTC", week_start="monday").id
    assert body["current_goal"]["progress"]["topics"]["met"] is True
    assert body["current_goal"]["met"] is False
    assert [t["slug"] for t in body["next_topics"]] == ["b", "c", "e", "f"]
    assert [e["verb"] for e in body["recent_activity"]] == ["progressed"]
    sub = body["recent_submissions"][0]
    assert (sub["exercise_slug"], sub["exercise_title"], sub["status"], sub["score"]) == (
        "ex-b1",
        "Exercise ex-b1",
        "failed",
        2,
    )


def test_dashboard_query_count_does_not_grow_with_history(
    app: FastAPI, client: TestClient, actors: Actors, db: Session
) -> None:
    seed_graph(db)
    me = actors.learner.learner_id or 0
    current = week_containing(datetime.now(UTC), timezone="UTC", week_start="monday")
    week = current
    for _ in range(30):  # a long goal history as well
        add_goal(
            db,
            learner_id=me,
            week=week.id,
            timezone="UTC",
            minutes=30,
            exercises=1,
            active_days=3,
            topics=["a"],
        )
        week = week.previous()
    url = f"{API}/learners/me/dashboard"
    client.get(url, headers=actors.learner.headers)  # warm up (token last-used write, caches)
    _bulk_events(db, me, 10, start=0)  # and a change, so both reads below build the dashboard
    with count_queries(app) as small:
        small_body = client.get(url, headers=actors.learner.headers).json()
    _bulk_events(db, me, 9_990, start=10)
    with count_queries(app) as big:
        big_body = client.get(url, headers=actors.learner.headers).json()
    assert len(big) == len(small), (small, big)
    assert len(small) <= 15
    assert len(big_body["recent_activity"]) == 10
    assert big_body["longest_streak_weeks"] >= small_body["longest_streak_weeks"]
