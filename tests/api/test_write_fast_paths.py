"""PUT topic progress on the event loop (PostgreSQL) answers and stores exactly what the ORM path (SQLite's,
and PostgreSQL's until the catalogue is cached) does. (POST submissions takes its event-loop path on every
PostgreSQL request, so tests/api/test_submissions.py covers it on that backend.)"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.app import create_app
from api.progress import topic_status_pg, tracking
from api.settings import Settings
from db.models import ActivityEvent, Learner
from tests.api.test_coherence import wait_listening
from tests.api.test_progress_support import API, add_submission, seed_graph
from tests.conftest import Actors

pytestmark = pytest.mark.postgres_only

SEQUENCE = [
    ("a", "in_progress"),
    ("a", "in_progress"),  # no change
    ("a", "completed"),
    ("b", "in_progress"),  # has exercises: mastery from the best scores
    ("b", "completed"),
    ("c", "not_started"),  # never touched: no change, no row
    ("f", "skipped"),
]


def _comparable(read: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in read.items() if k != "updated_at"} | {"has_time": read["updated_at"] is not None}


def _events(db: Session, learner_id: int) -> list[tuple[str, str, Any]]:
    db.expire_all()
    rows = db.exec(
        select(ActivityEvent)
        .where(ActivityEvent.learner_id == learner_id)
        .order_by(col(ActivityEvent.stored_at))
    ).all()
    return [(e.verb, e.object_id, e.result) for e in rows]


def test_topic_progress_on_the_event_loop_matches_the_orm_path(
    settings: Settings, actors: Actors, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = seed_graph(db)
    me, other = actors.learner.learner_id or 0, actors.other.learner_id or 0
    for learner_id in (me, other):  # one exercise of b at 100 %, the other at 80 %: familiar
        add_submission(
            db,
            learner_id=learner_id,
            exercise_id=graph.exercises["ex-b1"],
            status="passed",
            score=1,
            max_score=1,
        )
        add_submission(
            db,
            learner_id=learner_id,
            exercise_id=graph.exercises["ex-b2"],
            status="failed",
            score=0.8,
            max_score=1,
        )
    taken: list[str] = []
    real = topic_status_pg.set_topic_status

    async def spy(*args: Any, **kwargs: Any) -> Any:
        taken.append(kwargs["slug"])
        return await real(*args, **kwargs)

    monkeypatch.setattr(topic_status_pg, "set_topic_status", spy)
    with TestClient(create_app(settings)) as client:
        wait_listening(client)
        warm = client.put(
            f"{API}/learners/me/topics/d/progress",
            json={"status": "not_started"},
            headers=actors.learner.headers,
        )
        assert warm.status_code == 200  # this one fills the catalogue cache on the ORM path
        taken.clear()
        fast = []
        for slug, status in SEQUENCE:
            resp = client.put(
                f"{API}/learners/me/topics/{slug}/progress",
                json={"status": status},
                headers=actors.learner.headers,
            )
            assert resp.status_code == 200, resp.text
            fast.append(resp.json())
    assert taken == [slug for slug, _ in SEQUENCE]  # every one took the event-loop path

    orm = []
    for slug, status in SEQUENCE:
        orm.append(
            tracking.set_topic_status(db, learner_id=other, slug=slug, status=status).model_dump(mode="json")
        )
        db.commit()
    assert [_comparable(r) for r in fast] == [_comparable(r) for r in orm]
    assert fast[1]["updated_at"] == fast[0]["updated_at"]  # unchanged: the stored time
    assert _events(db, me) == _events(db, other)
    assert [e[1] for e in _events(db, me)] == ["a", "a", "b", "b", "f"]


def test_topic_progress_on_the_event_loop_refuses_what_the_orm_path_refuses(
    settings: Settings, actors: Actors, db: Session
) -> None:
    seed_graph(db)
    with TestClient(create_app(settings)) as client:
        wait_listening(client)
        ok = client.put(
            f"{API}/learners/me/topics/a/progress",
            json={"status": "in_progress"},
            headers=actors.learner.headers,
        )
        assert ok.status_code == 200
        unknown_topic = client.put(
            f"{API}/learners/me/topics/zz/progress",
            json={"status": "completed"},
            headers=actors.learner.headers,
        )
        assert unknown_topic.status_code == 404 and unknown_topic.json()["code"] == "topic-not-found"
        gone = client.put(
            f"{API}/learners/99999/topics/a/progress",
            json={"status": "completed"},
            headers=actors.admin.headers,
        )
        assert gone.status_code == 404 and gone.json()["status"] == 404
    db.expire_all()
    assert db.get(Learner, 99999) is None
    assert len(_events(db, actors.learner.learner_id or 0)) == 1
