"""Exercise queries; every learner-facing read goes through the safe models in `schemas`."""

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from api.errors import NotFound
from api.exercises.schemas import ExerciseRead, ExerciseSummary
from api.pagination import decode_cursor, encode_cursor
from db.models import Exercise, Topic


class ExerciseNotFound(NotFound):
    """No active exercise has this slug."""

    code = "exercise-not-found"


def get_active_exercise(session: Session, *, slug: str) -> Exercise:
    """The active exercise `slug`, or 404."""
    exercise = session.exec(
        select(Exercise).where(Exercise.slug == slug, Exercise.status == "active")
    ).first()
    if exercise is None:
        raise ExerciseNotFound(f"exercise {slug!r} not found")
    return exercise


def _summary(exercise: Exercise, topic: Topic) -> ExerciseSummary:
    return ExerciseSummary(
        slug=exercise.slug,
        topic=topic.slug,
        title=exercise.title,
        difficulty=exercise.difficulty,
        points=exercise.points,
        limits=exercise.limits,
    )


def list_exercises(
    session: Session, *, topic: str | None, limit: int, cursor: str | None
) -> tuple[list[ExerciseSummary], str | None, int]:
    """Active exercises in curriculum order (topic position, exercise position, id), optionally by topic."""
    where = [Exercise.status == "active"]
    if topic is not None:
        where.append(Topic.slug == topic)
    base = select(Exercise, Topic).join(Topic, col(Topic.id) == Exercise.topic_id).where(*where)
    total = session.exec(
        select(func.count())
        .select_from(Exercise)
        .join(Topic, col(Topic.id) == Exercise.topic_id)
        .where(*where)
    ).one()
    key = decode_cursor(cursor, arity=3)
    if key is not None:
        base = base.where(
            sa.tuple_(Topic.position, Exercise.position, Exercise.id)
            > sa.tuple_(sa.literal(int(key[0])), sa.literal(int(key[1])), sa.literal(int(key[2])))
        )
    ordered = base.order_by(col(Topic.position), col(Exercise.position), col(Exercise.id)).limit(limit + 1)
    rows = session.exec(ordered).all()
    items = [_summary(exercise, topic_row) for exercise, topic_row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last_exercise, last_topic = rows[limit - 1]
        next_cursor = encode_cursor([last_topic.position, last_exercise.position, last_exercise.id])
    return items, next_cursor, total


def read_exercise(session: Session, *, slug: str) -> ExerciseRead:
    """One exercise with its instructions, starter files and visible tests."""
    exercise = get_active_exercise(session, slug=slug)
    topic = session.get(Topic, exercise.topic_id)
    assert topic is not None
    return ExerciseRead(
        **_summary(exercise, topic).model_dump(),
        topic_title=topic.title,
        files=list(exercise.files),
        instructions=exercise.instructions,
        starter_files=exercise.starter_files,
        visible_tests=exercise.visible_tests,
        content_hash=exercise.content_hash,
    )
