"""Topic and resource progress: idempotent upserts, events per change, the overview, and who may call what."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from db.models import ActivityEvent, Learner
from tests.api.test_progress_support import API, add_resource, seed_graph
from tests.conftest import Actors


def _events(db: Session, learner_id: int) -> list[ActivityEvent]:
    db.expire_all()
    return list(db.exec(select(ActivityEvent).where(ActivityEvent.learner_id == learner_id)).all())


def test_topic_progress_is_an_idempotent_upsert_that_logs_each_change(
    client: TestClient, actors: Actors, db: Session
) -> None:
    seed_graph(db)
    me = actors.learner
    url = f"{API}/learners/me/topics/a/progress"
    first = client.put(url, json={"status": "in_progress"}, headers=me.headers)
    assert first.status_code == 200, first.text
    assert first.json()["changed"] is True
    assert first.json()["status"] == "in_progress"
    again = client.put(url, json={"status": "in_progress"}, headers=me.headers)
    assert again.json()["changed"] is False
    assert again.json()["updated_at"] == first.json()["updated_at"]
    done = client.put(url, json={"status": "completed"}, headers=me.headers)
    assert done.json()["mastery"] == "mastered"  # no exercises: follows the status
    events = sorted(_events(db, me.learner_id or 0), key=lambda e: e.stored_at)
    assert [(e.verb, e.object_id, e.result) for e in events] == [
        ("progressed", "a", {"status": "in_progress", "previous": "not_started"}),
        ("progressed", "a", {"status": "completed", "previous": "in_progress"}),
    ]
    # Setting `not_started` on a topic never touched is no change at all.
    untouched = client.put(
        f"{API}/learners/me/topics/c/progress", json={"status": "not_started"}, headers=me.headers
    )
    assert untouched.json()["changed"] is False
    assert len(_events(db, me.learner_id or 0)) == 2


def test_unknown_topic_and_bad_status(client: TestClient, actors: Actors, db: Session) -> None:
    seed_graph(db)
    missing = client.put(
        f"{API}/learners/me/topics/nope/progress",
        json={"status": "completed"},
        headers=actors.learner.headers,
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "topic-not-found"
    bad = client.put(
        f"{API}/learners/me/topics/a/progress", json={"status": "done"}, headers=actors.learner.headers
    )
    assert bad.status_code == 422


def test_progress_overview_lists_active_topics_and_section_percentages(
    client: TestClient, actors: Actors, db: Session
) -> None:
    seed_graph(db)
    h = actors.learner.headers
    client.put(f"{API}/learners/me/topics/a/progress", json={"status": "completed"}, headers=h)
    client.put(f"{API}/learners/me/topics/c/progress", json={"status": "skipped"}, headers=h)
    body = client.get(f"{API}/learners/me/progress", headers=h).json()
    slugs = [t["slug"] for t in body["topics"]]
    assert slugs == ["a", "b", "c", "d", "e", "f"]  # the archived topic is left out
    a = body["topics"][0]
    assert (a["status"], a["mastery"], a["section"], a["title"]) == ("completed", "mastered", "maths", "A")
    assert a["updated_at"] is not None
    assert body["topics"][1]["updated_at"] is None
    sections = {s["section"]: s for s in body["sections"]}
    assert sections["maths"]["percent_complete"] == pytest.approx(33.3)  # skipped is not complete
    assert sections["nn"]["percent_complete"] == 0.0


def test_resource_progress_counts_minute_increases_once(
    client: TestClient, actors: Actors, db: Session
) -> None:
    rid = add_resource(db)
    me = actors.learner
    url = f"{API}/learners/me/resources/{rid}/progress"
    r = client.put(url, json={"completed": False, "minutes_spent": 20}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["changed"], r.json()["minutes_spent"], r.json()["completed"]) == (True, 20, False)
    done = client.put(url, json={"completed": True, "minutes_spent": 45}, headers=me.headers)
    assert done.json()["completed_at"] is not None
    assert client.put(url, json={"completed": True}, headers=me.headers).json()["changed"] is False
    lowered = client.put(url, json={"completed": True, "minutes_spent": 30}, headers=me.headers)
    assert lowered.json()["completed_at"] == done.json()["completed_at"]
    events = sorted(_events(db, me.learner_id or 0), key=lambda e: e.stored_at)
    assert [(e.verb, e.minutes) for e in events] == [("progressed", 20), ("completed", 25), ("progressed", 0)]
    assert (
        client.put(
            f"{API}/learners/me/resources/999999/progress", json={"completed": True}, headers=me.headers
        ).status_code
        == 404
    )


ROUTES = [
    ("GET", "/progress", None),
    ("PUT", "/topics/a/progress", {"status": "in_progress"}),
    ("PUT", "/resources/{rid}/progress", {"completed": True}),
    ("POST", "/events", {"verb": "experienced", "object": {"type": "resource", "id": "1"}}),
    ("GET", "/events", None),
    ("GET", "/next", None),
    ("GET", "/path?target=d", None),
    ("PUT", "/goals/current", {"minutes": 60}),
    ("GET", "/goals", None),
    ("GET", "/goals/current", None),
    ("GET", "/dashboard", None),
]


@pytest.mark.parametrize(("method", "suffix", "body"), ROUTES)
def test_authorization(
    client: TestClient, actors: Actors, db: Session, method: str, suffix: str, body: dict[str, object] | None
) -> None:
    seed_graph(db)
    suffix = suffix.replace("{rid}", str(add_resource(db)))
    learner_id = actors.learner.learner_id

    def call(headers: dict[str, str] | None, who: str | int = learner_id or 0) -> int:
        payload = dict(body, id=str(uuid.uuid4())) if body and suffix == "/events" else body
        return client.request(
            method, f"{API}/learners/{who}{suffix}", json=payload, headers=headers
        ).status_code

    assert call(None) == 401
    assert call(actors.runner.headers) == 403
    assert call(actors.ci.headers) == 403
    assert call(actors.other.headers) == 404
    if suffix == "/goals/current" and method == "GET":  # a goal to read
        client.put(
            f"{API}/learners/{learner_id}/goals/current", json={"minutes": 5}, headers=actors.admin.headers
        )
    assert call(actors.learner.headers, who="me") in (200, 201)
    assert call(actors.admin.headers) in (200, 201)
    assert call(actors.admin.headers, who=999_999) == 404
    assert db.get(Learner, learner_id) is not None
