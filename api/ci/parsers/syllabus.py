"""Our own result document (API.md, version 3), posted as is by CI that already speaks it.

Validated with the runner protocol's `ResultDocument`, so both paths accept the same thing. Per-test
`score`/`max_score` are kept when given (a test's score may not exceed its max); a document without
tests keeps its own `score`/`max_score`.
"""

from typing import Any

from pydantic import ValidationError

from api.ci.parsers.document import (
    ParsedPayload,
    ParsedTest,
    PayloadError,
    build_document,
    canonical_json,
    check_status,
    check_test_count,
)
from api.ci.parsers.exercism import load_json_object, validation_problem
from api.jobs.schemas import ResultDocument


def parse_syllabus(payload: str | dict[str, Any]) -> ParsedPayload:
    """Parse a Syllabus result document."""
    data = load_json_object(payload, kind="a Syllabus result document")
    if isinstance(data.get("tests"), list):
        check_test_count(len(data["tests"]))
    try:
        document = ResultDocument.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc) from exc
    tests: list[ParsedTest] = []
    for index, t in enumerate(document.tests):
        if t.score is not None and t.max_score is not None and t.score > t.max_score:
            raise PayloadError(
                f"payload.tests[{index}].score", f"is {t.score}, above its max_score {t.max_score}"
            )
        tests.append(
            ParsedTest(
                name=t.name,
                status=t.status,
                message=t.message,
                output=t.output,
                duration_ms=t.duration_ms,
                test_code=t.test_code,
                task_id=t.task_id,
                score=t.score,
                max_score=t.max_score,
            )
        )
    check_status(document.status, tests)
    if document.score > document.max_score and not tests:
        raise PayloadError("payload.score", f"is {document.score}, above max_score {document.max_score}")
    no_test_score = (document.score, document.max_score) if document.max_score > 0 else None
    return build_document(
        tests,
        status=document.status,
        message=document.message,
        canonical=canonical_json(data),
        no_test_score=no_test_score,
    )
