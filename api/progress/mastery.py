"""Khan-style mastery per learner x topic, from best exercise results and progress status.

Rules, first match wins (the reason string names the rule that fired):
- Only a topic's active exercises count, and only submissions with a final status other than
  `internal_error` (our fault, never the learner's). An exercise's result is its best score ratio
  (score / max_score; with no max_score, `passed` is 100 % and anything else 0 %).
- A topic without exercises follows its progress status: completed -> mastered (nothing left to
  demonstrate), in_progress -> attempted, not_started / skipped -> not_started.
- A topic with exercises but no attempt yet: in_progress or completed -> attempted, else not_started
  (marking a topic completed is not evidence of skill).
- Best ratio over the attempted exercises below 70 % -> attempted.
- Every one of the topic's exercises at 100 % -> proficient, and mastered when the topic is also completed.
- Otherwise (some exercise at 70 % or more, not all at 100 %) -> familiar.
"""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from api.coherence import cached_catalogue_value
from db.models import Exercise, Submission, Topic, TopicProgress
from db.models.submissions import FINAL_STATUSES

COUNTED_STATUSES = sorted(FINAL_STATUSES - {"internal_error"})
FAMILIAR = 0.70
FULL = 1.0 - 1e-9
MASTERY_LEVELS = ("not_started", "attempted", "familiar", "proficient", "mastered")
# A submission's score ratio; also as PostgreSQL text for the raw SQL of api.progress.topic_status_pg.
_RATIO = sa.case(
    (col(Submission.max_score) > 0, sa.func.coalesce(Submission.score, 0.0) / col(Submission.max_score)),
    (col(Submission.status) == "passed", 1.0),
    else_=0.0,
)
_PG = postgresql.dialect()  # type: ignore[no-untyped-call]
BEST_RATIO_SQL = str(_RATIO.compile(dialect=_PG, compile_kwargs={"literal_binds": True}))


@dataclass(frozen=True)
class MasteryInputs:
    """Everything mastery needs for one learner, loaded in three queries."""

    exercises_by_topic: dict[int, list[int]]  # every topic id, with its active exercise ids (maybe none)
    best: dict[int, float]  # exercise id -> best score ratio
    statuses: dict[int, str]  # topic id -> progress status (absent = not_started)


def load_exercises_by_topic(session: Session) -> dict[int, list[int]]:
    """Every topic with its active exercises (one query; memoised per catalogue change, see api.coherence).

    The result is shared between requests: callers must not mutate it.
    """
    return cached_catalogue_value(session, "progress.exercises_by_topic", lambda: _read_exercises(session))


def _read_exercises(session: Session) -> dict[int, list[int]]:
    rows = session.exec(
        select(Topic.id, Exercise.id)
        .select_from(Topic)
        .join(
            Exercise,
            sa.and_(col(Exercise.topic_id) == Topic.id, col(Exercise.status) == "active"),
            isouter=True,
        )
    ).all()
    out: dict[int, list[int]] = defaultdict(list)
    for topic_id, exercise_id in rows:
        assert topic_id is not None
        bucket = out[topic_id]
        if exercise_id is not None:
            bucket.append(exercise_id)
    return dict(out)


def load_best_scores(
    session: Session, *, learner_id: int, exercise_ids: list[int] | None = None
) -> dict[int, float]:
    """Best score ratio per exercise the learner attempted, of `exercise_ids` or all (one query)."""
    query = select(Submission.exercise_id, sa.func.max(_RATIO)).where(
        Submission.learner_id == learner_id, col(Submission.status).in_(COUNTED_STATUSES)
    )
    if exercise_ids is not None:
        query = query.where(col(Submission.exercise_id).in_(exercise_ids))
    rows = session.exec(query.group_by(col(Submission.exercise_id))).all()
    return {exercise_id: clamp_ratio(best) for exercise_id, best in rows}


def clamp_ratio(best: object) -> float:
    """A best score ratio as mastery uses it: a float in [0, 1] (NULL is 0)."""
    return min(1.0, max(0.0, float(best or 0.0)))  # type: ignore[arg-type]


def load_statuses(session: Session, *, learner_id: int) -> dict[int, TopicProgress]:
    """The learner's topic progress rows by topic id (one query)."""
    rows = session.exec(select(TopicProgress).where(TopicProgress.learner_id == learner_id)).all()
    return {row.topic_id: row for row in rows}


def rate_topic(exercise_ids: list[int], best: dict[int, float], status: str) -> tuple[str, str]:
    """(mastery, mastery_reason) for one topic."""
    if not exercise_ids:
        if status == "completed":
            return "mastered", "no exercises; topic completed (mastered)"
        if status == "in_progress":
            return "attempted", "no exercises; topic in progress (attempted)"
        return "not_started", f"no exercises; topic {status.replace('_', ' ')} (not started)"
    attempted = [best[e] for e in exercise_ids if e in best]
    total = len(exercise_ids)
    if not attempted:
        if status in ("in_progress", "completed"):
            return "attempted", f"no exercise attempted yet (0/{total}); topic {status.replace('_', ' ')}"
        return "not_started", f"no exercise attempted yet (0/{total})"
    top = max(attempted)
    on = f"{len(attempted)}/{total} exercises attempted"
    if top < FAMILIAR:
        return "attempted", f"best score {top:.0%} with {on} (attempted: below 70%)"
    if len(attempted) == total and min(attempted) >= FULL:
        if status == "completed":
            return "mastered", f"all {total} exercises at 100% and topic completed (mastered)"
        return (
            "proficient",
            f"all {total} exercises at 100% (proficient; mastered once the topic is completed)",
        )
    full = sum(1 for ratio in attempted if ratio >= FULL)
    return "familiar", (
        f"best score {top:.0%} with {on}, {full}/{total} at 100% (familiar: 70% or more, not all at 100%)"
    )


def topic_mastery(session: Session, *, learner_id: int, topic_id: int, status: str) -> tuple[str, str]:
    """(mastery, mastery_reason) of one topic given its status: one query, none for a topic without
    exercises."""
    exercise_ids = load_exercises_by_topic(session).get(topic_id, [])
    best = load_best_scores(session, learner_id=learner_id, exercise_ids=exercise_ids) if exercise_ids else {}
    return rate_topic(exercise_ids, best, status)


def compute_mastery(inputs: MasteryInputs) -> dict[int, tuple[str, str]]:
    """Mastery of every topic from loaded inputs (no queries)."""
    return {
        topic_id: rate_topic(exercise_ids, inputs.best, inputs.statuses.get(topic_id, "not_started"))
        for topic_id, exercise_ids in inputs.exercises_by_topic.items()
    }


def load_inputs(
    session: Session, *, learner_id: int, progress: dict[int, TopicProgress] | None = None
) -> MasteryInputs:
    """Load mastery inputs; pass already loaded progress rows to save a query."""
    rows = progress if progress is not None else load_statuses(session, learner_id=learner_id)
    return MasteryInputs(
        exercises_by_topic=load_exercises_by_topic(session),
        best=load_best_scores(session, learner_id=learner_id),
        statuses={topic_id: row.status for topic_id, row in rows.items()},
    )


def mastery_by_topic(session: Session, *, learner_id: int) -> dict[int, tuple[str, str]]:
    """topic_id -> (mastery, mastery_reason) for every topic, in three queries."""
    return compute_mastery(load_inputs(session, learner_id=learner_id))
