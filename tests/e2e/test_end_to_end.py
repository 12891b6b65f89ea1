"""The whole path over HTTP: a live API, a real `syllabus runner` and the real sandbox."""

import time
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from db.models import Job, TestResult
from tests.conftest import Actors
from tests.e2e.conftest import StartApi, StartRunner
from tests.e2e.seed import shipped_exercises

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
FINAL = {"passed", "failed", "error", "timeout", "memory_limit", "output_limit", "internal_error"}
# Sleeps at import, then passes: long enough to kill or restart something while it runs.
SLOW_SOLUTION = "import time\ntime.sleep({seconds})\n\n\ndef add(a, b):\n    return a + b\n"


def submit(api_url: str, actor: Any, slug: str, files: dict[str, str]) -> int:
    r = httpx.post(
        f"{api_url}/api/v1/exercises/{slug}/submissions", json={"files": files}, headers=actor.headers
    )
    assert r.status_code == 202, r.text
    assert r.headers["Location"] == f"/api/v1/submissions/{r.json()['id']}"
    sid: int = r.json()["id"]
    return sid


def wait_final(api_url: str, actor: Any, sid: int, timeout_s: float = 120) -> dict[str, Any]:
    """Long-poll the submission until it is final; tolerate the API being briefly down."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            r = httpx.get(
                f"{api_url}/api/v1/submissions/{sid}", params={"wait": 30}, headers=actor.headers, timeout=40
            )
        except httpx.TransportError:
            time.sleep(0.5)
            continue
        assert r.status_code == 200, r.text
        doc: dict[str, Any] = r.json()
        if doc["status"] in FINAL:
            return doc
    raise AssertionError(f"submission {sid} not final after {timeout_s} s")


def wait_status(api_url: str, actor: Any, sid: int, status: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = httpx.get(f"{api_url}/api/v1/submissions/{sid}", headers=actor.headers)
        if r.json()["status"] == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"submission {sid} never became {status}")


def test_every_exercise_reference_passes_and_starter_fails(
    start_api: StartApi, start_runner: StartRunner, actors: Actors
) -> None:
    """Issue 6's must-show: every shipped exercise, graded over HTTP by a real runner in the real sandbox."""
    api = start_api()
    runner = start_runner(api)
    specs = shipped_exercises()
    assert specs, "no shipped exercises found"
    submitted = {
        (spec.slug, kind): submit(api.url, actors.learner, spec.slug, files)
        for spec in specs
        for kind, files in (("reference", spec.reference_files), ("starter", spec.starter_files))
    }
    problems = []
    for (slug, kind), sid in submitted.items():
        doc = wait_final(api.url, actors.learner, sid)
        tests = doc["result"]["tests"] if doc["result"] else []
        expected = "passed" if kind == "reference" else "failed"
        if doc["status"] != expected or not tests:
            problems.append(
                f"{slug} {kind}: {doc['status']} {doc['result'] and doc['result'].get('message')}"
            )
            continue
        assert all(t["name"] and t["status"] in ("pass", "fail", "error", "skip") for t in tests)
        if kind == "reference":
            assert all(t["status"] == "pass" for t in tests), slug
            assert doc["score"] == doc["max_score"] > 0
        else:
            assert any(t["status"] in ("fail", "error") for t in tests), slug
            assert doc["score"] < doc["max_score"]
    assert problems == [], f"{problems}\nrunner log:\n{runner.log_tail()}"


def test_runner_killed_mid_job_is_released_and_finishes_once(
    start_api: StartApi, start_runner: StartRunner, actors: Actors, db: Session
) -> None:
    api = start_api(job_lease_seconds=3)
    first = start_runner(api, concurrency=1)
    sid = submit(api.url, actors.learner, "tiny-add", {"solution.py": SLOW_SOLUTION.format(seconds=4)})
    wait_status(api.url, actors.learner, sid, "running")
    first.kill()
    second = start_runner(api, concurrency=1)
    doc = wait_final(api.url, actors.learner, sid)
    assert doc["status"] == "passed", second.log_tail()
    assert doc["attempts"] == 2
    job = db.exec(select(Job).where(Job.submission_id == sid)).one()
    assert job.state == "done" and job.attempts == 2
    rows = db.exec(select(TestResult).where(TestResult.submission_id == sid)).all()
    assert len(rows) == len(doc["result"]["tests"]) == 2  # one set of results: finished exactly once


def test_api_restart_during_a_job_loses_nothing(
    start_api: StartApi, start_runner: StartRunner, actors: Actors, db: Session
) -> None:
    api = start_api(job_lease_seconds=20)
    runner = start_runner(api, concurrency=1)
    sid = submit(api.url, actors.learner, "tiny-add", {"solution.py": SLOW_SOLUTION.format(seconds=3)})
    wait_status(api.url, actors.learner, sid, "running")
    api.stop()
    time.sleep(4)  # the job finishes while the API is down; the runner keeps retrying its result
    api.start()
    doc = wait_final(api.url, actors.learner, sid)
    assert doc["status"] == "passed", runner.log_tail()
    assert doc["attempts"] == 1
    assert "runner.api_unreachable" in runner.log_tail(20_000)
    # The runner is still healthy: it grades the next submission too.
    next_sid = submit(api.url, actors.learner, "tiny-add", {"solution.py": SLOW_SOLUTION.format(seconds=0)})
    assert wait_final(api.url, actors.learner, next_sid)["status"] == "passed"


def test_sigterm_drains_the_running_job(
    start_api: StartApi, start_runner: StartRunner, actors: Actors
) -> None:
    api = start_api()
    runner = start_runner(api, concurrency=1)
    sid = submit(api.url, actors.learner, "tiny-add", {"solution.py": SLOW_SOLUTION.format(seconds=2)})
    wait_status(api.url, actors.learner, sid, "running")
    assert runner.stop() == 0, runner.log_tail()
    doc = httpx.get(f"{api.url}/api/v1/submissions/{sid}", headers=actors.learner.headers).json()
    assert doc["status"] == "passed"
    assert "runner.stopped" in runner.log_tail()
