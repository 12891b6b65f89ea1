"""Submissions, their per-test results, the job queue and CI runs."""

from datetime import datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models import base as _base  # noqa: F401  (naming convention first)
from db.types import JSONType, UTCDateTime, utcnow

SubmissionStatus = Literal[
    "queued",
    "running",
    "passed",
    "failed",
    "error",
    "timeout",
    "memory_limit",
    "output_limit",
    "internal_error",
]
SUBMISSION_STATUSES: tuple[str, ...] = get_args(SubmissionStatus)
FINAL_STATUSES = frozenset(SUBMISSION_STATUSES) - {"queued", "running"}
JOB_STATES = ("queued", "leased", "done")


class Submission(SQLModel, table=True):
    """One attempt at an exercise, graded by a runner or reported by CI."""

    __tablename__ = "submission"

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    exercise_id: int = Field(foreign_key="exercise.id", index=True)
    source: str = Field(default="runner", sa_type=sa.String(8))
    status: str = Field(default="queued", sa_type=sa.String(16))
    files: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    score: float | None = None
    max_score: float | None = None
    result: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    content_hash: str = Field(sa_type=sa.String(80))  # "sha256:" + 64 hex digits
    idempotency_key: str | None = Field(default=None, sa_type=sa.String(200))
    request_hash: str | None = Field(default=None, sa_type=sa.String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued','running','passed','failed','error','timeout','memory_limit',"
            "'output_limit','internal_error')",
            name="status",
        ),
        sa.CheckConstraint("source IN ('runner','ci')", name="source"),
        sa.UniqueConstraint("learner_id", "idempotency_key"),
        sa.Index("ix_submission_learner_created", "learner_id", "created_at"),
    )


class TestResult(SQLModel, table=True):
    """One test's outcome within a submission, kept as rows for mastery and reporting queries."""

    __tablename__ = "test_result"
    __test__ = False  # not a pytest test class

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE", index=True)
    position: int
    name: str = Field(sa_type=sa.String(500))
    status: str = Field(sa_type=sa.String(8))
    message: str | None = Field(default=None, sa_type=sa.Text)
    output: str | None = Field(default=None, sa_type=sa.Text)
    task_id: int | None = None
    duration_ms: int | None = None
    score: float = 0
    max_score: float = 1

    __table_args__ = (sa.CheckConstraint("status IN ('pass','fail','error','skip')", name="status"),)


class Job(SQLModel, table=True):
    """The queue row of a runner submission; a claim is a lease that heartbeats extend."""

    __tablename__ = "job"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE", unique=True)
    state: str = Field(default="queued", sa_type=sa.String(8))
    lease_id: str | None = Field(default=None, sa_type=sa.String(36))
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    runner_name: str | None = Field(default=None, sa_type=sa.String(120))
    attempts: int = 0
    max_attempts: int = 3
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Digest of the accepted result, so a repeated post is recognised and changes nothing.
    result_hash: str | None = Field(default=None, sa_type=sa.String(64))

    __table_args__ = (
        sa.CheckConstraint("state IN ('queued','leased','done')", name="state"),
        sa.Index("ix_job_state_created", "state", "created_at"),
        sa.Index("ix_job_state_lease_expires", "state", "lease_expires_at"),
    )


class CiRun(SQLModel, table=True):
    """A CI system's report for one run, idempotent on (learner, run_id)."""

    __tablename__ = "ci_run"

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    run_id: str = Field(sa_type=sa.String(200))
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE", unique=True)
    format: str = Field(sa_type=sa.String(16))
    payload_hash: str = Field(sa_type=sa.String(64))
    commit_sha: str | None = Field(default=None, sa_type=sa.String(64))
    run_url: str | None = Field(default=None, sa_type=sa.String(2048))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("learner_id", "run_id"),)
