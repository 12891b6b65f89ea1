"""Request and response models for CI results."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_JUNIT_EXAMPLE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<testsuites><testsuite name="pytest" tests="2" failures="1" errors="0" skipped="0" time="0.41">'
    '<testcase classname="tests.test_solution" name="test_shape" time="0.002"/>'
    '<testcase classname="tests.test_solution" name="test_accuracy" time="0.390">'
    '<failure message="AssertionError: accuracy 0.41 &lt; 0.9">assert 0.41 &gt;= 0.9</failure></testcase>'
    "</testsuite></testsuites>"
)
_EXERCISM_EXAMPLE: dict[str, Any] = {
    "version": 3,
    "status": "fail",
    "tests": [
        {"name": "test_shape", "status": "pass", "test_code": "assert f(x).shape == (3,)", "task_id": 1},
        {
            "name": "test_accuracy",
            "status": "fail",
            "message": "accuracy 0.41 < 0.9",
            "output": "",
            "task_id": 2,
        },
    ],
}
_SYLLABUS_EXAMPLE: dict[str, Any] = {
    "version": 3,
    "status": "pass",
    "message": None,
    "tests": [{"name": "test_forward", "status": "pass", "duration_ms": 3.2, "score": 2, "max_score": 2}],
    "score": 2,
    "max_score": 2,
    "truncated": False,
}


class CiResultCreate(BaseModel):
    """One CI run's results for one exercise; the learner is the token's."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "exercise": "linear-regression",
                    "run_id": "9876543210-1",
                    "commit": "3f2c9e1",
                    "run_url": "https://github.com/ada/ml-practice/actions/runs/9876543210",
                    "format": "junit",
                    "payload": _JUNIT_EXAMPLE,
                },
                {
                    "exercise": "linear-regression",
                    "run_id": "build-412",
                    "format": "exercism",
                    "payload": _EXERCISM_EXAMPLE,
                },
                {
                    "exercise": "linear-regression",
                    "run_id": "local-7",
                    "format": "syllabus",
                    "payload": _SYLLABUS_EXAMPLE,
                },
            ]
        },
    )

    exercise: str = Field(min_length=1, max_length=80, description="The exercise slug.")
    run_id: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Your CI's run id; unique per learner (GitHub: `<run_id>-<run_attempt>`).",
    )
    commit: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    run_url: str | None = Field(default=None, max_length=2048, description="An http(s) link to the CI run.")
    format: Literal["exercism", "junit", "syllabus"]
    payload: str | dict[str, Any] = Field(
        description="JUnit: the XML text. exercism/syllabus: the JSON object (or its text)."
    )

    @field_validator("run_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """Only http(s) links: front ends render this as a link."""
        if value is not None and not value.lower().startswith(("https://", "http://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


class TestCounts(BaseModel):
    """How many tests ended each way."""

    __test__ = False  # not a pytest test class

    total: int
    passed: int
    failed: int
    errored: int
    skipped: int


class CiResultRead(BaseModel):
    """The submission a CI run was stored as (201 the first time, 200 for an identical repeat)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "submission_id": 42,
                    "learner_id": 3,
                    "exercise": "linear-regression",
                    "run_id": "9876543210-1",
                    "commit": "3f2c9e1",
                    "run_url": "https://github.com/ada/ml-practice/actions/runs/9876543210",
                    "format": "junit",
                    "source": "ci",
                    "status": "failed",
                    "score": 1.0,
                    "max_score": 2.0,
                    "tests": {"total": 2, "passed": 1, "failed": 1, "errored": 0, "skipped": 0},
                    "truncated": False,
                    "notes": [],
                    "created_at": "2026-01-05T10:00:00Z",
                }
            ]
        }
    )

    submission_id: int
    learner_id: int
    exercise: str
    run_id: str
    commit: str | None
    run_url: str | None
    format: str
    source: Literal["ci"] = "ci"
    status: str
    score: float | None
    max_score: float | None
    tests: TestCounts
    truncated: bool
    notes: list[str]
    created_at: datetime
