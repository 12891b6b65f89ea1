"""The shared half of every parser: caps, parse errors, and building a scored result document.

Caps (each one named in the error or in the document's `notes` when hit):
- the payload is at most `MAX_PAYLOAD_BYTES` of UTF-8 (413 above it);
- at most `MAX_TESTS` tests (413 above it: a partial report would score wrongly);
- per test, `message` and `output` are cut to `MAX_MESSAGE_CHARS` / `MAX_OUTPUT_CHARS` and names to
  `MAX_NAME_CHARS`; all messages and outputs together to `MAX_TEXT_CHARS` (later ones are dropped).
  Cutting sets `truncated: true` and adds a note saying which cap was hit.

Scoring: a test is worth its own `max_score` when the payload gives one, else 1 point (0 when skipped);
a passed test earns its worth unless the payload gives its `score`. A report without tests (Exercism v1)
is worth 1 point, earned when its status is `pass`.
"""

import json
from dataclasses import dataclass, field
from typing import Any, Literal

TestStatus = Literal["pass", "fail", "error", "skip"]
DocumentStatus = Literal["pass", "fail", "error"]

MAX_PAYLOAD_BYTES = 5 * 1024 * 1024
MAX_TESTS = 2_000
MAX_NAME_CHARS = 500
MAX_MESSAGE_CHARS = 4_000
MAX_OUTPUT_CHARS = 8_000
MAX_TEXT_CHARS = 1_000_000
TRUNCATION_MARK = "\n… [truncated]"


class PayloadError(ValueError):
    """The payload cannot be used; `where` is a path like `payload.tests[2].status`."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class PayloadRefused(PayloadError):
    """The payload uses a feature we refuse on purpose (XML DTDs and entities)."""


class PayloadTooLarge(PayloadError):
    """The payload is over a cap; `cap` names it."""

    def __init__(self, where: str, problem: str, *, cap: str, limit: int) -> None:
        super().__init__(where, problem)
        self.cap = cap
        self.limit = limit


@dataclass
class ParsedTest:
    """One test as read from a payload, before caps and scoring."""

    name: str
    status: TestStatus
    message: str | None = None
    output: str | None = None
    duration_ms: float = 0.0
    test_code: str | None = None
    task_id: int | None = None
    score: float | None = None
    max_score: float | None = None


@dataclass
class ParsedPayload:
    """A result document built from a payload, plus the payload's canonical form for idempotency."""

    document: dict[str, Any]
    canonical: str
    notes: list[str] = field(default_factory=list)


def check_text(payload: str, *, kind: str) -> str:
    """Size, encoding and emptiness checks shared by text payloads; returns the text without a BOM."""
    try:
        size = len(payload.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise PayloadError(
            "payload",
            f"is not valid Unicode text (unpaired surrogate at character {exc.start}); send UTF-8 text",
        ) from exc
    check_size(size)
    text = payload.removeprefix("\ufeff")
    if not text.strip():
        raise PayloadError("payload", f"is empty; expected {kind}")
    if "\x00" in text:
        raise PayloadError(
            "payload",
            f"contains NUL characters (at character {text.index(chr(0))}); is the file UTF-16? "
            "Payloads must be UTF-8 text",
        )
    return text


def check_size(size: int) -> None:
    """413 above `MAX_PAYLOAD_BYTES`."""
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(
            "payload",
            f"is {size:,} bytes; the cap is {MAX_PAYLOAD_BYTES:,} bytes (5 MiB)",
            cap="payload_bytes",
            limit=MAX_PAYLOAD_BYTES,
        )


def check_test_count(count: int) -> None:
    """413 above `MAX_TESTS`."""
    if count > MAX_TESTS:
        raise PayloadTooLarge(
            "payload", f"has {count:,} tests; the cap is {MAX_TESTS:,}", cap="tests", limit=MAX_TESTS
        )


def canonical_json(value: Any) -> str:
    """A stable text form of a JSON value (key order and spacing do not matter)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_location(prefix: str, loc: tuple[int | str, ...]) -> str:
    """`("tests", 2, "status")` → `payload.tests[2].status`."""
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class _Cutter:
    """Applies the per-test and total text caps, remembering which were hit."""

    def __init__(self) -> None:
        self.budget = MAX_TEXT_CHARS
        self.hits: dict[str, int] = {}

    def hit(self, note: str) -> None:
        self.hits[note] = self.hits.get(note, 0) + 1

    def cut(self, text: str | None, *, cap: int, what: str) -> str | None:
        if text is None:
            return None
        # PostgreSQL cannot store NUL in text or JSON.
        text = text.replace("\x00", "\ufffd")
        if len(text) > cap:
            text = text[:cap] + TRUNCATION_MARK
            self.hit(f"{what} cut to {cap:,} characters")
        if len(text) > self.budget:
            self.hit(
                f"{what} cut or dropped: messages and outputs together are capped at {MAX_TEXT_CHARS:,} chars"
            )
            text = text[: self.budget] + TRUNCATION_MARK if self.budget > 0 else None
        self.budget = max(0, self.budget - len(text or ""))
        return text

    def notes(self) -> list[str]:
        return [f"{what} ({count} test{'s' if count != 1 else ''})" for what, count in self.hits.items()]


def derive_status(tests: list[ParsedTest]) -> DocumentStatus:
    """`error` when every test errored (the code did not load), `fail` when any failed or none passed."""
    statuses = [t.status for t in tests]
    if statuses and all(s == "error" for s in statuses):
        return "error"
    if any(s in ("fail", "error") for s in statuses) or "pass" not in statuses:
        return "fail"
    return "pass"


def check_status(given: DocumentStatus, tests: list[ParsedTest]) -> None:
    """A `pass` verdict may not contradict its own tests."""
    if given != "pass":
        return
    for index, test in enumerate(tests):
        if test.status in ("fail", "error"):
            raise PayloadError("payload.status", f"is 'pass' but tests[{index}] has status {test.status!r}")


def build_document(
    tests: list[ParsedTest],
    *,
    status: DocumentStatus | None,
    message: str | None,
    canonical: str,
    no_test_score: tuple[float, float] | None = None,
) -> ParsedPayload:
    """Apply caps and scoring; `status` None derives it from the tests."""
    check_test_count(len(tests))
    cutter = _Cutter()
    rendered: list[dict[str, Any]] = []
    for test in tests:
        worth = test.max_score if test.max_score is not None else (0.0 if test.status == "skip" else 1.0)
        earned = test.score if test.score is not None else (worth if test.status == "pass" else 0.0)
        name = test.name.replace("\x00", "\ufffd")
        if len(name) > MAX_NAME_CHARS:
            name = name[: MAX_NAME_CHARS - 1] + "…"
            cutter.hit(f"name cut to {MAX_NAME_CHARS} characters")
        item: dict[str, Any] = {
            "name": name,
            "status": test.status,
            "message": cutter.cut(test.message, cap=MAX_MESSAGE_CHARS, what="message"),
            "output": cutter.cut(test.output, cap=MAX_OUTPUT_CHARS, what="output"),
            "duration_ms": round(max(0.0, test.duration_ms), 3),
            "score": earned,
            "max_score": worth,
        }
        if test.test_code is not None:
            item["test_code"] = cutter.cut(test.test_code, cap=MAX_OUTPUT_CHARS, what="test_code")
        if test.task_id is not None:
            item["task_id"] = test.task_id
        rendered.append(item)
    final_status = status or derive_status(tests)
    if rendered:
        score, max_score = sum(t["score"] for t in rendered), sum(t["max_score"] for t in rendered)
    elif no_test_score is not None:
        score, max_score = no_test_score
    else:
        score, max_score = (1.0 if final_status == "pass" else 0.0), 1.0
    notes = cutter.notes()
    document: dict[str, Any] = {
        "version": 3,
        "status": final_status,
        "message": cutter.cut(message, cap=MAX_MESSAGE_CHARS, what="top-level message"),
        "tests": rendered,
        "score": float(score),
        "max_score": float(max_score),
        "truncated": bool(notes),
    }
    if notes:
        document["notes"] = notes
    return ParsedPayload(document=document, canonical=canonical, notes=notes)
