"""Build the API.md result document (Exercism results.json v3 superset) from the harness's event stream.

Decisions: a fixture error makes that test `error` and the submission `failed` (other tests still count);
a test calling sys.exit fails like any exception; a timeout/memory/output kill names the running test,
keeps finished tests, marks the running one `error` and the rest `skip` ("not run"); the document status
is `pass`/`fail` for passed/failed and `error` for every other submission status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Submission status -> document status. A run that did not finish normally is an Exercism "error".
DOC_STATUS = {"passed": "pass", "failed": "fail"}

LIMIT_WORDS = {
    "timeout": "time limit",
    "memory_limit": "memory limit",
    "output_limit": "output limit",
}


@dataclass(frozen=True)
class RunFacts:
    """What the runner observed from outside the sandbox."""

    kill: str | None  # timeout | memory_limit | output_limit | None
    limits: dict[str, Any]  # Limits.to_dict() of the run
    exit_detail: str  # e.g. "exit code 3", "signal 11"
    truncated: bool  # output dropped outside the harness (pipes over their caps)


def _limit_detail(kind: str, limits: dict[str, Any]) -> str:
    if kind == "timeout":
        return f"{float(limits.get('timeout_s', 0)):g} s wall clock, {limits.get('cpu_s')} s CPU"
    if kind == "memory_limit":
        return f"{limits.get('memory_mb')} MB"
    return f"{limits.get('output_bytes')} bytes"


def _events(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e.get("ev") == kind]


def _test_entry(event: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": str(event.get("name")),
        "status": event.get("status", "error"),
        "message": event.get("message"),
        "output": event.get("output"),
    }
    if event.get("test_code") is not None:
        entry["test_code"] = event["test_code"]
    if event.get("task_id") is not None:
        entry["task_id"] = event["task_id"]
    entry["duration_ms"] = event.get("duration_ms", 0.0)
    entry["score"] = float(event.get("score", 0.0))
    entry["max_score"] = float(event.get("max_score", 1.0))
    return entry


def _placeholder(name: str, max_score: float, status: str, message: str) -> dict[str, Any]:
    return {
        "name": name,
        "status": status,
        "message": message,
        "output": None,
        "duration_ms": 0.0,
        "score": 0.0,
        "max_score": max_score,
    }


def build_document(events: list[dict[str, Any]], facts: RunFacts) -> tuple[str, dict[str, Any]]:
    """Return (submission status, result document without limits/timings)."""
    collected = [
        (str(t["name"]), float(t.get("max_score", 1.0)))
        for e in _events(events, "collected")[:1]
        for t in e.get("tests", [])
    ]
    finished = {str(e.get("name")): _test_entry(e) for e in _events(events, "test")}
    started = [str(e.get("name")) for e in _events(events, "start")]
    running = next((name for name in reversed(started) if name not in finished), None)
    truncated = facts.truncated or any(bool(e.get("truncated")) for e in _events(events, "test"))

    status, message = _classify(events, facts, collected, finished, running)

    tests: list[dict[str, Any]] = []
    stop_note = message or "the run stopped early"
    for name, max_score in collected:
        if name in finished:
            tests.append(finished[name])
        elif name == running:
            tests.append(_placeholder(name, max_score, "error", stop_note))
        elif status not in ("error",):
            tests.append(_placeholder(name, max_score, "skip", f"not run: {stop_note}"))
    if status == "error":
        tests = []
    score = sum(t["score"] for t in tests)
    max_score = sum(m for _, m in collected)
    document = {
        "version": 3,
        "status": DOC_STATUS.get(status, "error"),
        "message": message,
        "tests": tests,
        "score": score,
        "max_score": max_score,
        "truncated": truncated,
    }
    return status, document


def _classify(
    events: list[dict[str, Any]],
    facts: RunFacts,
    collected: list[tuple[str, float]],
    finished: dict[str, dict[str, Any]],
    running: str | None,
) -> tuple[str, str | None]:
    if not _events(events, "ready"):
        return "internal_error", "the test harness did not start"
    precheck = _events(events, "precheck_error")
    if precheck:
        return "error", str(precheck[0].get("message"))
    collect_errors = _events(events, "collect_error")
    if collect_errors and not finished:
        first = collect_errors[0]
        return (
            "error",
            f"your code could not be loaded by the tests ({first.get('name')}): {first.get('message')}",
        )
    output_limited = _events(events, "output_limit")
    if facts.kill == "output_limit" and output_limited:
        running = str(output_limited[0].get("name"))
    if facts.kill is not None:
        where = f"in test {running}" if running else "while loading your code, before any test ran"
        return (
            facts.kill,
            f"{LIMIT_WORDS[facts.kill]} ({_limit_detail(facts.kill, facts.limits)}) exceeded {where}",
        )
    if output_limited:
        name = output_limited[0].get("name")
        return (
            "output_limit",
            f"output limit ({_limit_detail('output_limit', facts.limits)}) exceeded in test {name}; "
            "output was truncated",
        )
    if not _events(events, "done"):
        if running is None and not finished:
            return (
                "error",
                f"your code ended the test process while it was being loaded ({facts.exit_detail})",
            )
        where = f"during test {running}" if running else "between tests"
        return "failed", f"the test process ended unexpectedly {where} ({facts.exit_detail})"
    if not collected:
        return "error", "no tests were collected: check that your files have the names the exercise asks for"
    if any(t["status"] in ("fail", "error") for t in finished.values()):
        return "failed", None
    return "passed", None
