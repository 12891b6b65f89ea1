"""Golden cases: each submission runs through both executors and must match expected.json and each other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runners.sandbox import ColdExecutor, Job, Outcome, ZygoteExecutor

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").exists())

pytestmark = pytest.mark.sandbox


def load_case(name: str) -> tuple[Job, dict[str, Any]]:
    directory = CASES / name
    files = {
        p.name: p.read_text()
        for p in directory.iterdir()
        if p.suffix == ".py" and not p.name.startswith("test_")
    }
    tests = {p.name: p.read_text() for p in directory.iterdir() if p.name.startswith("test_")}
    expected = json.loads((directory / "expected.json").read_text())
    job = Job(files=files, tests=tests, visible_tests=frozenset(expected.get("visible", [])))
    return job, expected


def summary(outcome: Outcome) -> dict[str, Any]:
    doc = outcome.result
    return {
        "status": outcome.status,
        "doc_status": doc["status"],
        "tests": [[t["name"], t["status"]] for t in doc["tests"]],
        "score": doc["score"],
        "max_score": doc["max_score"],
    }


def check(outcome: Outcome, expected: dict[str, Any]) -> None:
    got = summary(outcome)
    assert got["status"] == expected["status"], outcome.result
    assert got["doc_status"] == expected["doc_status"]
    assert got["tests"] == expected["tests"]
    for key in ("score", "max_score"):
        if key in expected:
            assert got[key] == expected[key]
    message = outcome.result["message"] or ""
    if "message" in expected:
        assert message == expected["message"]
    for fragment in expected.get("message_contains", []):
        assert fragment in message
    by_name = {t["name"]: t for t in outcome.result["tests"]}
    for name, fragment in expected.get("test_messages", {}).items():
        assert fragment in (by_name[name]["message"] or "")
    for name, fragments in expected.get("test_outputs", {}).items():
        for fragment in fragments:
            assert fragment in (by_name[name]["output"] or "")
    text = json.dumps(outcome.result)
    assert "/work/main" not in text and ".venv" not in text, "host paths leaked into the result"


@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden_case_same_in_both_executors(case: str, zygote: ZygoteExecutor, cold: ColdExecutor) -> None:
    job, expected = load_case(case)
    warm_outcome = zygote.run(job)
    check(warm_outcome, expected)
    cold_outcome = cold.run(job)
    check(cold_outcome, expected)
    assert summary(warm_outcome) == summary(cold_outcome)
    for warm_test, cold_test in zip(warm_outcome.result["tests"], cold_outcome.result["tests"], strict=True):
        assert warm_test["message"] == cold_test["message"]
        assert warm_test["output"] == cold_test["output"]


def test_result_document_shape(zygote: ZygoteExecutor) -> None:
    job, _ = load_case("all_pass")
    job = Job(files=job.files, tests=job.tests, visible_tests=frozenset({"test_hidden.py"}))
    doc = zygote.run(job).result
    assert doc["version"] == 3
    assert set(doc) >= {"status", "message", "tests", "score", "max_score", "truncated", "timings", "limits"}
    first = doc["tests"][0]
    assert first["task_id"] == 1
    assert first["score"] == 2.0 and first["max_score"] == 2.0
    assert "def test_add" in first["test_code"]
    assert first["duration_ms"] >= 0
    assert set(doc["timings"]) == {"setup_ms", "run_ms"}
    assert doc["limits"]["cpu_s"] == 11


def test_hidden_tests_have_no_test_code(zygote: ZygoteExecutor) -> None:
    job, _ = load_case("all_pass")
    doc = zygote.run(job).result
    assert all("test_code" not in t for t in doc["tests"])
