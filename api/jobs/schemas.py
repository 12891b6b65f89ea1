"""Runner protocol payloads: the claimed job, heartbeats and the result document runners post."""

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

FinalStatus = Literal[
    "passed", "failed", "error", "timeout", "memory_limit", "output_limit", "internal_error"
]
# Submission status -> the Exercism document status it must carry.
DOCUMENT_STATUS = {"passed": "pass", "failed": "fail"}

_RESULT_EXAMPLE: dict[str, Any] = {
    "version": 3,
    "status": "fail",
    "message": None,
    "tests": [
        {
            "name": "test_hidden.py::test_forward_shape",
            "status": "pass",
            "message": None,
            "output": None,
            "duration_ms": 3.1,
            "score": 1.0,
            "max_score": 1.0,
        },
        {
            "name": "test_hidden.py::test_accuracy",
            "status": "fail",
            "message": "AssertionError: accuracy 0.41 < 0.9",
            "output": "epoch 1 loss 2.1\n",
            "duration_ms": 120.4,
            "score": 0.0,
            "max_score": 2.0,
        },
    ],
    "score": 1.0,
    "max_score": 3.0,
    "truncated": False,
    "timings": {"setup_ms": 12.0, "run_ms": 140.0},
    "limits": {"timeout_s": 10, "memory_mb": 1024},
}


class ClaimRequest(BaseModel):
    """Optional claim body: who is asking (shown in logs and on the job row)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"runner_name": "host-a/4711"}]}
    )

    runner_name: str | None = Field(default=None, max_length=120)


class ClaimedExercise(BaseModel):
    """The exercise version a job is graded against."""

    slug: str
    content_hash: str


class ClaimedJob(BaseModel):
    """A leased job: everything a runner needs to grade it, and the lease to report under."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": 7,
                    "lease_id": "5f0c8a3e-2b1d-4c1e-9d8f-1a2b3c4d5e6f",
                    "lease_expires_at": "2026-01-05T10:00:60Z",
                    "attempt": 1,
                    "submission_id": 42,
                    "exercise": {"slug": "activation-functions", "content_hash": "sha256:ab12..."},
                    "files": {"solution.py": "def relu(x): ..."},
                    "tests": {"test_visible.py": "...", "test_hidden.py": "..."},
                    "visible_tests": ["test_visible.py"],
                    "limits": {"timeout_s": 10, "memory_mb": 1024},
                }
            ]
        }
    )

    job_id: int
    lease_id: str
    lease_expires_at: datetime
    attempt: int
    submission_id: int
    exercise: ClaimedExercise
    files: dict[str, str]
    tests: dict[str, str]
    visible_tests: list[str]
    limits: dict[str, Any]


class HeartbeatRequest(BaseModel):
    """Proof that the caller still holds the lease."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"lease_id": "5f0c8a3e-..."}]})

    lease_id: str = Field(min_length=1, max_length=36)


class LeaseRead(BaseModel):
    """The lease after a heartbeat."""

    job_id: int
    lease_id: str
    lease_expires_at: datetime


class ResultTest(BaseModel):
    """One test in a result document (Exercism v3 plus duration and score)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=500)
    status: Literal["pass", "fail", "error", "skip"]
    message: str | None = None
    output: str | None = None
    test_code: str | None = None
    task_id: int | None = None
    duration_ms: float = Field(default=0, ge=0)
    score: float | None = Field(default=None, ge=0)
    max_score: float | None = Field(default=None, ge=0)


class ResultDocument(BaseModel):
    """The result document of API.md: Exercism `results.json` v3, extended with scores and timings."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_RESULT_EXAMPLE]})

    version: Literal[3]
    status: Literal["pass", "fail", "error"]
    message: str | None = None
    tests: list[ResultTest] = Field(default_factory=list, max_length=5000)
    score: float = Field(default=0, ge=0)
    max_score: float = Field(default=0, ge=0)
    truncated: bool = False
    timings: dict[str, float | None] = Field(default_factory=dict)
    limits: dict[str, Any] = Field(default_factory=dict)


class ResultPost(BaseModel):
    """A runner's verdict on a leased job."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"lease_id": "5f0c8a3e-...", "status": "failed", "result": _RESULT_EXAMPLE}]
        },
    )

    lease_id: str = Field(min_length=1, max_length=36)
    status: FinalStatus
    result: ResultDocument

    @model_validator(mode="after")
    def _statuses_agree(self) -> Self:
        """`passed` must carry a `pass` document, `failed` a `fail` one, every other status `error`."""
        expected = DOCUMENT_STATUS.get(self.status, "error")
        if self.result.status != expected:
            raise ValueError(
                f"status {self.status!r} needs result.status {expected!r}, got {self.result.status!r}"
            )
        return self


class ResultAccepted(BaseModel):
    """What happened to a posted result."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"job_id": 7, "submission_id": 42, "status": "failed", "requeued": False}]
        }
    )

    job_id: int
    submission_id: int
    status: str
    requeued: bool = False
