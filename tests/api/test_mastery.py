"""Mastery rules from best exercise results (submissions inserted directly) and progress status."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.progress.mastery import mastery_by_topic
from db.models import Exercise
from tests.api.test_progress_support import API, add_submission, seed_graph
from tests.conftest import Actors


def _mastery(db: Session, learner_id: int, topic_id: int) -> tuple[str, str]:
    db.expire_all()
    return mastery_by_topic(db, learner_id=learner_id)[topic_id]


def test_rules_fire_in_order(client: TestClient, actors: Actors, db: Session) -> None:
    graph = seed_graph(db)
    me = actors.learner.learner_id or 0
    b, ex1, ex2 = graph.topics["b"], graph.exercises["ex-b1"], graph.exercises["ex-b2"]
    assert _mastery(db, me, b) == ("not_started", "no exercise attempted yet (0/2)")
    client.put(
        f"{API}/learners/me/topics/b/progress", json={"status": "in_progress"}, headers=actors.learner.headers
    )
    assert _mastery(db, me, b)[0] == "attempted"

    # Our failures (internal_error) and unfinished submissions never count.
    add_submission(db, learner_id=me, exercise_id=ex1, status="internal_error", score=10, max_score=10)
    add_submission(db, learner_id=me, exercise_id=ex1, status="running", score=None, max_score=None)
    assert "no exercise attempted" in _mastery(db, me, b)[1]

    add_submission(db, learner_id=me, exercise_id=ex1, status="failed", score=6, max_score=10)
    assert _mastery(db, me, b) == (
        "attempted",
        "best score 60% with 1/2 exercises attempted (attempted: below 70%)",
    )
    add_submission(db, learner_id=me, exercise_id=ex1, status="failed", score=8, max_score=10)
    level, reason = _mastery(db, me, b)
    assert (level, reason.startswith("best score 80% with 1/2 exercises attempted")) == ("familiar", True)
    add_submission(db, learner_id=me, exercise_id=ex1, status="passed", score=10, max_score=10)
    assert _mastery(db, me, b)[0] == "familiar"  # the other exercise is not at 100 % yet
    add_submission(db, learner_id=me, exercise_id=ex2, status="timeout", score=None, max_score=5)
    assert _mastery(db, me, b)[0] == "familiar"
    add_submission(db, learner_id=me, exercise_id=ex2, status="passed", score=None, max_score=None)
    assert _mastery(db, me, b) == (
        "proficient",
        "all 2 exercises at 100% (proficient; mastered once the topic is completed)",
    )
    client.put(
        f"{API}/learners/me/topics/b/progress", json={"status": "completed"}, headers=actors.learner.headers
    )
    assert _mastery(db, me, b) == ("mastered", "all 2 exercises at 100% and topic completed (mastered)")
    # Another learner's results are not mine.
    assert _mastery(db, actors.other.learner_id or 0, b)[0] == "not_started"


def test_archived_exercises_do_not_count(actors: Actors, db: Session) -> None:
    graph = seed_graph(db)
    me = actors.learner.learner_id or 0
    add_submission(
        db, learner_id=me, exercise_id=graph.exercises["ex-b1"], status="passed", score=1, max_score=1
    )
    archived = db.get(Exercise, graph.exercises["ex-b2"])
    assert archived is not None
    archived.status = "archived"
    db.add(archived)
    db.commit()
    assert _mastery(db, me, graph.topics["b"])[0] == "proficient"


def test_topics_without_exercises_follow_their_status(
    client: TestClient, actors: Actors, db: Session
) -> None:
    graph = seed_graph(db)
    h = actors.learner.headers
    me = actors.learner.learner_id or 0
    for status, level in [
        ("not_started", "not_started"),
        ("in_progress", "attempted"),
        ("skipped", "not_started"),
        ("completed", "mastered"),
    ]:
        client.put(f"{API}/learners/me/topics/a/progress", json={"status": status}, headers=h)
        assert _mastery(db, me, graph.topics["a"])[0] == level, status


def test_progress_and_dashboard_report_mastery(client: TestClient, actors: Actors, db: Session) -> None:
    graph = seed_graph(db)
    me = actors.learner.learner_id or 0
    add_submission(
        db, learner_id=me, exercise_id=graph.exercises["ex-f"], status="passed", score=3, max_score=3
    )
    h = actors.learner.headers
    topics = {t["slug"]: t for t in client.get(f"{API}/learners/me/progress", headers=h).json()["topics"]}
    assert topics["f"]["mastery"] == "proficient"
    assert "100%" in topics["f"]["mastery_reason"]
    sections = {
        s["section"]: s
        for s in client.get(f"{API}/learners/me/dashboard", headers=h).json()["mastery_by_section"]
    }
    assert sections["nn"]["counts"]["proficient"] == 1
    assert sections["nn"]["percent_proficient"] == round(100 / 3, 1)
    assert sections["maths"]["topics"] == 3  # the archived topic is not counted
