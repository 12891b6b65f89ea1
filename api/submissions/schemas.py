"""Request and response models for submissions."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from db.models.submissions import SubmissionStatus


class SubmissionCreate(BaseModel):
    """A learner's files for one exercise; names must be among the exercise's `files`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"files": {"solution.py": "def relu(x):\n    return x.clamp(min=0)\n"}}]
        },
    )

    files: dict[str, str] = Field(min_length=1)


class SubmissionAccepted(BaseModel):
    """The queued submission (202), or the first one again for a repeated `Idempotency-Key` (200)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 42, "status": "queued"}]})

    id: int
    status: SubmissionStatus


class SubmissionSummary(BaseModel):
    """One submission in a learner's history."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "learner_id": 3,
                    "exercise": "activation-functions",
                    "exercise_title": "Activation functions",
                    "source": "runner",
                    "status": "failed",
                    "score": 3.0,
                    "max_score": 5.0,
                    "content_hash": "sha256:ab12...",
                    "attempts": 1,
                    "created_at": "2026-01-05T10:00:00Z",
                    "started_at": "2026-01-05T10:00:00.2Z",
                    "finished_at": "2026-01-05T10:00:00.6Z",
                }
            ]
        }
    )

    id: int
    learner_id: int
    exercise: str
    exercise_title: str
    source: str
    status: SubmissionStatus
    score: float | None
    max_score: float | None
    content_hash: str
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SubmissionRead(SubmissionSummary):
    """A submission with its files and, once graded, the result document of API.md."""

    files: dict[str, str]
    result: dict[str, Any] | None = None
