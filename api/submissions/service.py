"""Submission logic: accepting files (caps, names, idempotency, rate limit), finalizing results, history."""

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlmodel import Session, col, func, select

from api.accounts.service import Principal
from api.activity import bump
from api.errors import Conflict, NotFound, PayloadTooLarge, TooManyRequests, UnprocessableContent
from api.exercises.service import get_active_exercise
from api.jobs.transactions import lock_for_write
from api.jobs.waker import JOBS_CHANNEL, SUBMISSIONS_CHANNEL, Waker, notify_after_commit, run_after_commit
from api.metrics import SUBMISSIONS
from api.pagination import decode_cursor, encode_cursor
from api.settings import Settings
from api.submissions.schemas import SubmissionCreate, SubmissionRead, SubmissionSummary
from db.models import Exercise, Job, Submission, TestResult
from db.models.submissions import FINAL_STATUSES
from db.types import utcnow

log = structlog.get_logger("api.submissions")
RATE_WINDOW = timedelta(seconds=60)


class SubmissionNotFound(NotFound):
    """No such submission, or not the caller's."""

    code = "submission-not-found"


class IdempotencyKeyReused(Conflict):
    """The `Idempotency-Key` was already used for a different submission."""

    code = "idempotency-key-reused"


class SubmissionTooLarge(PayloadTooLarge):
    """Over the byte or file-count cap."""

    code = "submission-too-large"


class InvalidFileName(UnprocessableContent):
    """A file name the exercise does not ask for."""

    code = "invalid-file-name"


class SubmissionRateLimited(TooManyRequests):
    """The learner submitted too often in the last minute."""

    code = "submission-rate-limited"


def request_hash(*, exercise_slug: str, files: dict[str, str]) -> str:
    """Digest of what was submitted, to tell an idempotent repeat from a reused key."""
    canonical = json.dumps({"exercise": exercise_slug, "files": files}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_files(allowed: Sequence[str], files: dict[str, str], settings: Settings) -> None:
    """Caps first (413), then names (422): only the names an exercise lists in its `files`."""
    if len(files) > settings.max_submission_files:
        raise SubmissionTooLarge(
            f"{len(files)} files is over the cap of {settings.max_submission_files}",
            max_files=settings.max_submission_files,
        )
    size = sum(len(name.encode()) + len(text.encode()) for name, text in files.items())
    if size > settings.max_submission_bytes:
        raise SubmissionTooLarge(
            f"{size} bytes is over the cap of {settings.max_submission_bytes} bytes",
            max_bytes=settings.max_submission_bytes,
        )
    allowed = list(allowed)
    for name, text in files.items():
        if name not in allowed:
            raise InvalidFileName(
                f"file {name!r} is not part of this exercise; submit only {', '.join(allowed)}",
                field=f"files.{name}",
                allowed=allowed,
            )
        if "\x00" in text:
            raise InvalidFileName(
                f"file {name!r} contains a NUL byte", field=f"files.{name}", allowed=allowed
            )


def rate_window_start() -> datetime:
    """Submissions created after this instant count toward the per-minute limit."""
    return utcnow() - RATE_WINDOW


def check_rate(count: int, oldest: datetime | None, *, settings: Settings) -> None:
    """429 when `count` submissions in the window (the oldest at `oldest`) reach the per-minute limit."""
    limit = settings.submissions_per_minute
    if count < limit:
        return
    retry_after = math.ceil((oldest + RATE_WINDOW - utcnow()).total_seconds()) if oldest else 60
    raise SubmissionRateLimited(
        f"at most {limit} submissions per minute; retry in {max(1, retry_after)} s",
        retry_after=retry_after,
        limit=limit,
    )


def _recent(session: Session, *, learner_id: int) -> tuple[int, datetime | None]:
    """The learner's runner submissions in the rate window: (count, oldest created_at), from the database
    (shared by every API replica)."""
    recent = select(func.count(), func.min(Submission.created_at)).where(
        Submission.learner_id == learner_id,
        Submission.source == "runner",
        Submission.created_at > rate_window_start(),
    )
    count, oldest = session.exec(recent).one()
    return count, oldest


def _find_by_key(session: Session, *, learner_id: int, key: str) -> Submission | None:
    query = select(Submission).where(Submission.learner_id == learner_id, Submission.idempotency_key == key)
    return session.exec(query).first()


def check_repeat(stored_hash: str | None, digest: str, *, key: str, existing_id: int | None) -> None:
    """A reused `Idempotency-Key` must carry the same request (409 otherwise)."""
    if stored_hash != digest:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was already used for a different submission", existing_id=existing_id
        )


def _repeat_of(existing: Submission, digest: str, key: str) -> Submission:
    check_repeat(existing.request_hash, digest, key=key, existing_id=existing.id)
    return existing


def create_submission(
    session: Session,
    *,
    exercise_slug: str,
    learner_id: int,
    data: SubmissionCreate,
    idempotency_key: str | None,
    settings: Settings,
    waker: Waker | None,
) -> tuple[Submission, bool]:
    """Insert a submission and its job in the caller's transaction; returns (submission, created).

    api.submissions.accept_pg does the same on PostgreSQL's event-loop path; keep the two in step.
    """
    exercise = get_active_exercise(session, slug=exercise_slug)
    # The key lookup, the rate count and the insert must see one state: one learner's submits take turns,
    # on the learner's row lock (api.activity's bump, also the check that the learner exists).
    lock_for_write(session)
    if not bump(session, [learner_id]):
        raise NotFound(f"learner {learner_id} not found")
    digest = request_hash(exercise_slug=exercise.slug, files=data.files)
    if idempotency_key is not None:
        existing = _find_by_key(session, learner_id=learner_id, key=idempotency_key)
        if existing is not None:
            return _repeat_of(existing, digest, idempotency_key), False
    check_files(exercise.files, data.files, settings)
    count, oldest = _recent(session, learner_id=learner_id)
    check_rate(count, oldest, settings=settings)
    assert exercise.id is not None
    submission = Submission(
        learner_id=learner_id,
        exercise_id=exercise.id,
        files=data.files,
        content_hash=exercise.content_hash,
        idempotency_key=idempotency_key,
        request_hash=digest,
    )
    session.add(submission)
    session.flush()
    assert submission.id is not None
    session.add(Job(submission_id=submission.id, max_attempts=settings.job_max_attempts))
    session.flush()
    notify_after_commit(session, waker, channel=JOBS_CHANNEL)
    log.info("submissions.queued", submission_id=submission.id, exercise=exercise.slug, learner_id=learner_id)
    return submission, True


def _test_max(test: dict[str, Any]) -> float:
    """A test's worth: its own `max_score`, else one point."""
    return float(test["max_score"]) if test.get("max_score") is not None else 1.0


def _total(declared: Any, parts: Iterable[float]) -> float:
    """The document's declared total, or the sum of its tests' when it declares none."""
    return float(declared) if declared is not None else sum(parts)


def finalize_submission(
    session: Session,
    *,
    submission: Submission,
    status: str,
    result: dict[str, Any],
    waker: Waker | None,
) -> None:
    """Store a final status, the result document and its per-test rows; record the progress event."""
    assert status in FINAL_STATUSES and submission.id is not None
    now = utcnow()
    tests = result.get("tests") or []
    # The document's own totals win when present (0 is a real total: e.g. every test skipped).
    score = _total(result.get("score"), (float(t.get("score") or 0) for t in tests))
    max_score = _total(result.get("max_score"), (_test_max(t) for t in tests))
    submission.status = status
    submission.result = result
    submission.score = score
    submission.max_score = max_score
    submission.finished_at = now
    session.add(submission)
    session.exec(sa.delete(TestResult).where(col(TestResult.submission_id) == submission.id))
    for position, test in enumerate(tests):
        duration = test.get("duration_ms")
        session.add(
            TestResult(
                submission_id=submission.id,
                position=position,
                name=str(test["name"])[:500],
                status=test["status"],
                message=test.get("message"),
                output=test.get("output"),
                task_id=test.get("task_id"),
                duration_ms=round(duration) if duration is not None else None,
                score=float(test.get("score") or 0),
                max_score=_test_max(test),
            )
        )
    _record_progress(session, submission=submission, status=status, score=score, max_score=max_score, at=now)
    session.flush()
    notify_after_commit(session, waker, channel=SUBMISSIONS_CHANNEL, payload=str(submission.id))
    source = submission.source
    run_after_commit(session, lambda: SUBMISSIONS.labels(status=status, source=source).inc())
    log.info(
        "submissions.finished", submission_id=submission.id, status=status, score=score, max_score=max_score
    )


def _record_progress(
    session: Session, *, submission: Submission, status: str, score: float, max_score: float, at: datetime
) -> None:
    """Feed mastery and weekly goals, in the same transaction as the result."""
    try:
        from api.progress.events import record_submission_event
    except ModuleNotFoundError as exc:  # the progress domain is not installed in this build
        if exc.name not in ("api.progress.events",):
            raise
        log.warning("submissions.progress_unavailable", submission_id=submission.id)
        return
    exercise = session.get(Exercise, submission.exercise_id)
    assert exercise is not None and submission.id is not None
    record_submission_event(
        session,
        learner_id=submission.learner_id,
        exercise_slug=exercise.slug,
        topic_id=exercise.topic_id,
        submission_id=submission.id,
        status=status,
        score=score,
        max_score=max_score,
        at=at,
    )


def _summary_fields(submission: Submission, exercise: Exercise, attempts: int) -> dict[str, Any]:
    return {
        "id": submission.id,
        "learner_id": submission.learner_id,
        "exercise": exercise.slug,
        "exercise_title": exercise.title,
        "source": submission.source,
        "status": submission.status,
        "score": submission.score,
        "max_score": submission.max_score,
        "content_hash": submission.content_hash,
        "attempts": attempts,
        "created_at": submission.created_at,
        "started_at": submission.started_at,
        "finished_at": submission.finished_at,
    }


def read_submission(session: Session, *, submission_id: int, principal: Principal) -> SubmissionRead:
    """The submission for its owner or an admin; anyone else gets 404."""
    row = session.exec(
        select(Submission, Exercise, Job.attempts)
        .join(Exercise, col(Exercise.id) == Submission.exercise_id)
        .outerjoin(Job, col(Job.submission_id) == Submission.id)
        .where(Submission.id == submission_id)
    ).first()
    if row is None or (not principal.is_admin and row[0].learner_id != principal.learner_id):
        raise SubmissionNotFound(f"submission {submission_id} not found")
    submission, exercise, attempts = row
    return SubmissionRead(
        **_summary_fields(submission, exercise, attempts or 0),
        files=submission.files,
        result=submission.result,
    )


def is_final(status: str) -> bool:
    """Whether a submission status will not change any more."""
    return status in FINAL_STATUSES


def list_submissions(
    session: Session,
    *,
    learner_id: int,
    exercise_slug: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[SubmissionSummary], str | None, int]:
    """A learner's submissions, newest first, filtered; returns (items, next cursor, total)."""
    where = [Submission.learner_id == learner_id]
    if exercise_slug is not None:
        where.append(Exercise.slug == exercise_slug)
    if status is not None:
        where.append(Submission.status == status)
    base = select(Submission, Exercise, Job.attempts).join(
        Exercise, col(Exercise.id) == Submission.exercise_id
    )
    base = base.outerjoin(Job, col(Job.submission_id) == Submission.id).where(*where)
    total = session.exec(
        select(func.count())
        .select_from(Submission)
        .join(Exercise, col(Exercise.id) == Submission.exercise_id)
        .where(*where)
    ).one()
    key = decode_cursor(cursor, arity=1)
    if key is not None:
        base = base.where(col(Submission.id) < int(key[0]))
    rows = session.exec(base.order_by(col(Submission.id).desc()).limit(limit + 1)).all()
    items = [
        SubmissionSummary(**_summary_fields(submission, exercise, attempts or 0))
        for submission, exercise, attempts in rows[:limit]
    ]
    next_cursor = encode_cursor([items[-1].id]) if len(rows) > limit and items else None
    return items, next_cursor, total
