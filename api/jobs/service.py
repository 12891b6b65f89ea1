"""The job queue: lease expiry sweeps, claims, heartbeats and result acceptance.

Lease rules: a claim sets `lease_id` and `lease_expires_at` and counts an attempt; heartbeats extend the
lease while the job is leased under that id. A lease is *lost* when the job was swept back to the queue
(or finished) under another lease: only then are heartbeats and results refused (409). An expired lease
that nobody has swept yet still belongs to its runner, since nobody else can be running the job.
"""

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlmodel import Session, col, select

from api.errors import Conflict, NotFound
from api.jobs.schemas import ClaimedExercise, ClaimedJob, LeaseRead, ResultAccepted, ResultPost
from api.jobs.transactions import lock_for_write
from api.jobs.waker import JOBS_CHANNEL, Waker, notify_after_commit, run_after_commit
from api.metrics import JOB_PHASE
from api.submissions.service import finalize_submission
from db.models import Exercise, Job, Submission
from db.types import utcnow

log = structlog.get_logger("api.jobs")


class JobNotFound(NotFound):
    """No such job."""

    code = "job-not-found"


class LeaseLost(Conflict):
    """The job is no longer leased under this lease id."""

    code = "lease-lost"


class ResultConflict(Conflict):
    """A different result was already accepted for this job."""

    code = "result-conflict"


def _result_digest(post: ResultPost) -> str:
    canonical = json.dumps(post.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _expired_attempts_message(job: Job) -> str:
    return (
        f"the runner stopped responding {job.attempts} times while grading this submission; "
        "this is our fault, not your code's: please submit again"
    )


def sweep_expired_leases(session: Session, *, waker: Waker | None) -> int:
    """Requeue jobs whose lease expired (or fail them once attempts are used up); returns how many."""
    lock_for_write(session)
    now = utcnow()
    expired = select(Job).where(Job.state == "leased", col(Job.lease_expires_at) < now)
    jobs = session.exec(expired.order_by(col(Job.id)).with_for_update(skip_locked=True)).all()
    for job in jobs:
        submission = session.get(Submission, job.submission_id)
        assert submission is not None
        log.warning("jobs.lease_expired", job_id=job.id, runner=job.runner_name, attempts=job.attempts)
        if job.attempts < job.max_attempts:
            job.state, job.lease_id, job.lease_expires_at = "queued", None, None
            submission.status = "queued"
            session.add(submission)
        else:
            job.state, job.finished_at = "done", now
            message = _expired_attempts_message(job)
            document = {"version": 3, "status": "error", "message": message, "tests": [], "truncated": False}
            finalize_submission(
                session, submission=submission, status="internal_error", result=document, waker=waker
            )
        session.add(job)
    if jobs:
        session.flush()
        if any(job.state == "queued" for job in jobs):
            notify_after_commit(session, waker, channel=JOBS_CHANNEL)
    return len(jobs)


def claim_next_job(session: Session, *, runner_name: str | None, lease_seconds: int) -> ClaimedJob | None:
    """Lease the oldest queued job, or None.

    One statement: `UPDATE job ... WHERE id = (SELECT id ... FOR UPDATE SKIP LOCKED LIMIT 1) AND state =
    'queued' RETURNING id`. PostgreSQL skips rows other claimers hold; SQLite has one writer at a time, so
    the sub-select and the update are atomic and the `state` re-check makes a lost race return no row.
    """
    now = utcnow()
    lease_id = str(uuid.uuid4())
    expires = now + timedelta(seconds=lease_seconds)
    oldest = (
        select(Job.id)
        .where(Job.state == "queued")
        .order_by(col(Job.created_at), col(Job.id))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claim = (
        sa.update(Job)
        .where(col(Job.id) == oldest, col(Job.state) == "queued")
        .values(
            state="leased",
            lease_id=lease_id,
            lease_expires_at=expires,
            runner_name=runner_name,
            attempts=col(Job.attempts) + 1,
            claimed_at=now,
        )
        .returning(col(Job.id))
    )
    job_id = session.exec(claim).scalar_one_or_none()
    if job_id is None:
        return None
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    submission = session.get(Submission, job.submission_id)
    assert submission is not None
    exercise = session.get(Exercise, submission.exercise_id)
    assert exercise is not None
    if submission.content_hash != exercise.content_hash:
        # Content changed while the job waited; the record names the version actually graded.
        log.info("jobs.exercise_changed", submission_id=submission.id, was=submission.content_hash)
        submission.content_hash = exercise.content_hash
    submission.status = "running"
    submission.started_at = now
    session.add(submission)
    session.flush()
    queued_s = (now - submission.created_at).total_seconds()
    run_after_commit(session, lambda: JOB_PHASE.labels(phase="queued").observe(queued_s))
    log.info(
        "jobs.claimed", job_id=job.id, submission_id=submission.id, runner=runner_name, attempt=job.attempts
    )
    assert job.id is not None and submission.id is not None
    return ClaimedJob(
        job_id=job.id,
        lease_id=lease_id,
        lease_expires_at=expires,
        attempt=job.attempts,
        submission_id=submission.id,
        exercise=ClaimedExercise(slug=exercise.slug, content_hash=exercise.content_hash),
        # Files the learner did not send are graded as their starter version.
        files={**exercise.starter_files, **submission.files},
        tests={**exercise.visible_tests, **exercise.hidden_tests},
        visible_tests=sorted(exercise.visible_tests),
        limits=exercise.limits,
    )


def _locked_job(session: Session, job_id: int) -> Job:
    lock_for_write(session)
    job = session.exec(select(Job).where(Job.id == job_id).with_for_update()).first()
    if job is None:
        raise JobNotFound(f"job {job_id} not found")
    return job


def extend_lease(session: Session, *, job_id: int, lease_id: str, lease_seconds: int) -> LeaseRead:
    """Push the lease's expiry out by `lease_seconds`; 409 when the lease was lost."""
    job = _locked_job(session, job_id)
    if job.state != "leased" or job.lease_id != lease_id:
        raise LeaseLost(f"job {job_id} is no longer leased under {lease_id}", job_state=job.state)
    job.lease_expires_at = utcnow() + timedelta(seconds=lease_seconds)
    session.add(job)
    session.flush()
    return LeaseRead(job_id=job_id, lease_id=lease_id, lease_expires_at=job.lease_expires_at)


def _with_server_timings(post: ResultPost, submission: Submission, job: Job) -> dict[str, Any]:
    document = post.result.model_dump(mode="json", exclude_none=False)
    timings: dict[str, Any] = dict(document.get("timings") or {})
    if job.claimed_at is not None:
        # Only the API knows how long the job waited for a runner.
        timings.setdefault(
            "queued_ms", round((job.claimed_at - submission.created_at).total_seconds() * 1000, 1)
        )
    document["timings"] = timings
    return document


def accept_result(session: Session, *, job_id: int, post: ResultPost, waker: Waker | None) -> ResultAccepted:
    """Store a runner's verdict; an identical repeat is a no-op, a lost lease or a different result 409."""
    job = _locked_job(session, job_id)
    digest = _result_digest(post)
    if job.state == "done":
        if job.lease_id == post.lease_id and job.result_hash == digest:
            return ResultAccepted(job_id=job_id, submission_id=job.submission_id, status=post.status)
        if job.lease_id == post.lease_id:
            raise ResultConflict(f"a different result was already accepted for job {job_id}")
        raise LeaseLost(f"job {job_id} was finished under another lease", job_state=job.state)
    if job.state != "leased" or job.lease_id != post.lease_id:
        raise LeaseLost(f"job {job_id} is no longer leased under {post.lease_id}", job_state=job.state)
    submission = session.get(Submission, job.submission_id)
    assert submission is not None
    now = utcnow()
    if post.status == "internal_error" and job.attempts < job.max_attempts:
        # Our fault, never the learner's: give the job another runner while attempts remain.
        log.warning(
            "jobs.internal_error_requeued", job_id=job_id, attempts=job.attempts, message=post.result.message
        )
        job.state, job.lease_id, job.lease_expires_at = "queued", None, None
        submission.status = "queued"
        session.add_all([job, submission])
        session.flush()
        notify_after_commit(session, waker, channel=JOBS_CHANNEL)
        return ResultAccepted(job_id=job_id, submission_id=job.submission_id, status="queued", requeued=True)
    job.state, job.finished_at, job.result_hash = "done", now, digest
    session.add(job)
    finalize_submission(
        session,
        submission=submission,
        status=post.status,
        result=_with_server_timings(post, submission, job),
        waker=waker,
    )
    timings = post.result.timings
    observations = [("run", (now - job.claimed_at).total_seconds())] if job.claimed_at else []
    if timings.get("setup_ms") is not None:
        observations.append(("setup", float(timings["setup_ms"] or 0) / 1000))

    def _observe() -> None:
        for phase, seconds in observations:
            JOB_PHASE.labels(phase=phase).observe(seconds)

    run_after_commit(session, _observe)
    log.info(
        "jobs.finished",
        job_id=job_id,
        submission_id=submission.id,
        status=post.status,
        runner=job.runner_name,
    )
    return ResultAccepted(job_id=job_id, submission_id=job.submission_id, status=post.status)
