"""Shared arrangements for the progress tests: a small topic graph, exercises, submissions and events."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from db.models import ActivityEvent, Exercise, Prerequisite, Resource, Section, Submission, Topic, WeeklyGoal
from db.types import utcnow

API = "/api/v1"


@dataclass(frozen=True)
class Graph:
    """Ids of the arranged topics and exercises, by slug."""

    topics: dict[str, int]
    exercises: dict[str, int]


def seed_graph(db: Session) -> Graph:
    """Two sections; a -> b (hard), a -> c (soft), b,c -> d (hard), archived x -> e (hard); b has 2 exercises.

    Layout (prerequisite -> topic):
      maths:  a (no exercises), b (ex-b1, ex-b2; needs a), c (prefers a)
      nn:     d (needs b and c), e (needs archived x), f (no prerequisites, one exercise ex-f)
    """
    db.add(Section(slug="maths", title="Maths", position=0))
    db.add(Section(slug="nn", title="Neural networks", position=1))
    db.flush()
    specs = [
        ("a", "maths", 0, 2.0, "active"),
        ("b", "maths", 1, 3.0, "active"),
        ("c", "maths", 2, 1.5, "active"),
        ("x", "maths", 3, 1.0, "archived"),
        ("d", "nn", 0, 4.0, "active"),
        ("e", "nn", 1, 1.0, "active"),
        ("f", "nn", 2, 2.5, "active"),
    ]
    topics: dict[str, int] = {}
    for slug, section, position, hours, status in specs:
        topic = Topic(
            slug=slug, title=slug.upper(), section=section, position=position, est_hours=hours, status=status
        )
        db.add(topic)
        db.flush()
        assert topic.id is not None
        topics[slug] = topic.id
    for topic, prereq, kind in [
        ("b", "a", "hard"),
        ("c", "a", "soft"),
        ("d", "b", "hard"),
        ("d", "c", "hard"),
    ]:
        db.add(Prerequisite(topic_id=topics[topic], prerequisite_id=topics[prereq], kind=kind))
    db.add(Prerequisite(topic_id=topics["e"], prerequisite_id=topics["x"], kind="hard"))
    exercises: dict[str, int] = {}
    for slug, topic in [("ex-b1", "b"), ("ex-b2", "b"), ("ex-f", "f")]:
        exercise = Exercise(
            slug=slug, topic_id=topics[topic], title=f"Exercise {slug}", content_hash="0" * 64
        )
        db.add(exercise)
        db.flush()
        assert exercise.id is not None
        exercises[slug] = exercise.id
    db.commit()
    return Graph(topics=topics, exercises=exercises)


def add_submission(
    db: Session,
    *,
    learner_id: int,
    exercise_id: int,
    status: str,
    score: float | None,
    max_score: float | None,
) -> int:
    """Insert a finished submission directly."""
    now = utcnow()
    sub = Submission(
        learner_id=learner_id,
        exercise_id=exercise_id,
        status=status,
        score=score,
        max_score=max_score,
        content_hash="0" * 64,
        created_at=now,
        finished_at=now,
    )
    db.add(sub)
    db.commit()
    assert sub.id is not None
    return sub.id


def add_resource(db: Session) -> int:
    """An approved resource."""
    resource = Resource(
        url=f"https://example.org/{uuid.uuid4()}", title="A video", kind="video", status="approved"
    )
    db.add(resource)
    db.commit()
    assert resource.id is not None
    return resource.id


def event_row(
    learner_id: int,
    at: datetime,
    *,
    verb: str = "experienced",
    object_type: str = "resource",
    object_id: str = "1",
    minutes: float = 0.0,
    result: dict[str, Any] | None = None,
    stored_at: datetime | None = None,
) -> ActivityEvent:
    """An event row to insert directly (body hash is a placeholder)."""
    return ActivityEvent(
        id=str(uuid.uuid4()),
        learner_id=learner_id,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        result=result,
        minutes=minutes,
        timestamp=at,
        stored_at=stored_at or utcnow(),
        body_hash=hashlib.sha256(b"x").hexdigest(),
    )


def add_goal(
    db: Session, *, learner_id: int, week: str, timezone: str, week_start: str = "monday", **targets: Any
) -> None:
    """Insert a goal directly (the API refuses weeks that have ended)."""
    db.add(WeeklyGoal(learner_id=learner_id, week=week, timezone=timezone, week_start=week_start, **targets))
    db.commit()
