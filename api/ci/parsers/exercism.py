"""Exercism test-runner `results.json` v1, v2 and v3 → result document.

v1 has only `status` and `message` (a missing `version` means v1); v2 adds `tests` with `name`, `status`,
`message`, `output`; v3 adds `test_code` and `task_id`. The payload may be the JSON object or its text.
The top-level `status` is the runner's verdict and is kept, but `pass` may not contradict a failed test.
"""

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.ci.parsers.document import (
    ParsedPayload,
    ParsedTest,
    PayloadError,
    build_document,
    canonical_json,
    check_size,
    check_status,
    check_test_count,
    check_text,
    json_location,
)


class ExercismTest(BaseModel):
    """One test of a v2/v3 results.json."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1)
    status: Literal["pass", "fail", "error"]
    message: str | None = None
    output: str | None = None
    test_code: str | None = None
    task_id: int | None = Field(default=None, ge=0)


class ExercismResults(BaseModel):
    """A results.json of any version."""

    model_config = ConfigDict(extra="ignore")

    version: Literal[1, 2, 3] = 1
    status: Literal["pass", "fail", "error"]
    message: str | None = None
    tests: list[ExercismTest] = Field(default_factory=list)


def load_json_object(payload: str | dict[str, Any], *, kind: str) -> dict[str, Any]:
    """The payload as a JSON object: given as one, or as its text (errors name line and column)."""
    if isinstance(payload, dict):
        try:
            size = len(canonical_json(payload).encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise PayloadError(
                "payload", "holds a string that is not valid Unicode (an unpaired surrogate)"
            ) from exc
        check_size(size)
        return payload
    text = check_text(payload, kind=kind)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PayloadError("payload", f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise PayloadError("payload", f"must be a JSON object ({kind}), got {type(value).__name__}")
    return value


def validation_problem(exc: ValidationError) -> PayloadError:
    """The first pydantic error as `payload.tests[2].status: must be one of ...`."""
    first = exc.errors(include_url=False)[0]
    where = json_location("payload", tuple(first["loc"]))
    ctx = first.get("ctx") or {}
    if first["type"] == "literal_error" and "expected" in ctx:
        return PayloadError(where, f"must be {ctx['expected']}, got {first.get('input')!r}")
    if first["type"] == "missing":
        return PayloadError(where, "is required")
    return PayloadError(where, str(first["msg"]))


def parse_exercism(payload: str | dict[str, Any]) -> ParsedPayload:
    """Parse a results.json (see the module docstring)."""
    data = load_json_object(payload, kind="an Exercism results.json object")
    if isinstance(data.get("tests"), list):
        check_test_count(len(data["tests"]))
    try:
        results = ExercismResults.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc) from exc
    tests = [
        ParsedTest(
            name=t.name,
            status=t.status,
            message=t.message,
            output=t.output,
            test_code=t.test_code,
            task_id=t.task_id,
        )
        for t in results.tests
    ]
    check_status(results.status, tests)
    return build_document(
        tests, status=results.status, message=results.message, canonical=canonical_json(data)
    )
