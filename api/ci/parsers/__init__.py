"""Turn a CI payload (JUnit XML, Exercism results.json, our own document) into our result document."""

from typing import Any, Literal

from api.ci.parsers.document import ParsedPayload, PayloadError, PayloadRefused, PayloadTooLarge
from api.ci.parsers.exercism import parse_exercism
from api.ci.parsers.junit import parse_junit
from api.ci.parsers.syllabus import parse_syllabus

PayloadFormat = Literal["exercism", "junit", "syllabus"]

__all__ = [
    "ParsedPayload",
    "PayloadError",
    "PayloadFormat",
    "PayloadRefused",
    "PayloadTooLarge",
    "parse_payload",
]


def parse_payload(fmt: PayloadFormat, payload: str | dict[str, Any]) -> ParsedPayload:
    """Parse `payload` in `fmt`; raises `PayloadError` (or a subclass) saying what is wrong and where."""
    if fmt == "junit":
        if not isinstance(payload, str):
            raise PayloadError("payload", "must be the JUnit XML report as a string")
        return parse_junit(payload)
    if fmt == "exercism":
        return parse_exercism(payload)
    return parse_syllabus(payload)
