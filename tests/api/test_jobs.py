"""Runner protocol: claim (long poll, wake-ups), heartbeats, leases and their expiry, results."""

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.jobs import service
from api.settings import Settings
from db.models import Job, Submission, TestResult
from db.session import make_session_factory, session_scope
from db.types import utcnow
from tests.conftest import Actors
from tests.e2e.seed import TINY_SOLUTION, seed_exercises, tiny_spec

SUBMIT = "/api/v1/exercises/tiny-add/submissions"
CLAIM = "/api/v1/runner/jobs/claim"


@pytest.fixture(autouse=True)
def _tiny(engine: Engine) -> None:
    with session_scope(make_session_factory(engine)) as session:
        seed_exercises(session, [tiny_spec()])


def submit(client: TestClient, actors: Actors) -> int:
    r = client.post(SUBMIT, json={"files": {"solution.py": TINY_SOLUTION}}, headers=actors.learner.headers)
    assert r.status_code == 202, r.text
    sid: int = r.json()["id"]
    return sid


def claim(client: TestClient, actors: Actors, wait: int = 0) -> dict[str, Any] | None:
    r = client.post(CLAIM, params={"wait": wait}, json={"runner_name": "test"}, headers=actors.runner.headers)
    assert r.status_code in (200, 204), r.text
    return r.json() if r.status_code == 200 else None


def document(passed: bool = True) -> dict[str, Any]:
    """A result document for the tiny exercise."""
    second = "pass" if passed else "fail"
    return {
        "version": 3,
        "status": "pass" if passed else "fail",
        "message": None,
        "tests": [
            {
                "name": "test_visible.py::test_add_small",
                "status": "pass",
                "duration_ms": 1.5,
                "score": 1.0,
                "max_score": 1.0,
                "test_code": "assert add(1, 2) == 3",
                "output": None,
                "message": None,
            },
            {
                "name": "test_hidden.py::test_add_hidden_secret_case",
                "status": second,
                "duration_ms": 2.0,
                "score": 1.0 if passed else 0.0,
                "max_score": 1.0,
                "output": "hi\n",
                "message": None if passed else "assert -1 == 42",
            },
        ],
        "score": 2.0 if passed else 1.0,
        "max_score": 2.0,
        "truncated": False,
        "timings": {"setup_ms": 5.0, "run_ms": 30.0},
        "limits": {"timeout_s": 10},
    }


def post_result(client: TestClient, actors: Actors, job: dict[str, Any], passed: bool = True) -> Any:
    body = {
        "lease_id": job["lease_id"],
        "status": "passed" if passed else "failed",
        "result": document(passed),
    }
    return client.post(
        f"/api/v1/runner/jobs/{job['job_id']}/result", json=body, headers=actors.runner.headers
    )


def expire(engine: Engine, job_id: int) -> None:
    """Pretend the lease ran out."""
    with session_scope(make_session_factory(engine)) as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.lease_expires_at = utcnow() - timedelta(seconds=1)
        session.add(job)


def test_claim_empty_queue_is_204(client: TestClient, actors: Actors) -> None:
    assert claim(client, actors) is None
    started = time.monotonic()
    assert claim(client, actors, wait=1) is None
    assert time.monotonic() - started >= 0.9


def test_claim_payload(client: TestClient, actors: Actors, db: Session) -> None:
    sid = submit(client, actors)
    job = claim(client, actors)
    assert job is not None
    spec = tiny_spec()
    assert job["submission_id"] == sid and job["attempt"] == 1
    assert job["exercise"] == {"slug": "tiny-add", "content_hash": spec.content_hash}
    assert job["files"] == {"solution.py": TINY_SOLUTION}
    assert job["tests"] == {**spec.visible_tests, **spec.hidden_tests}
    assert job["visible_tests"] == ["test_visible.py"]
    assert job["limits"] == spec.limits
    submission = db.get(Submission, sid)
    assert submission is not None and submission.status == "running" and submission.started_at is not None
    assert claim(client, actors) is None  # leased jobs are not handed out twice


@pytest.fixture
def no_poll_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the poll fallback 30 s, so an answer within seconds can only come from a wake-up."""
    monkeypatch.setattr("api.jobs.router.POLL_INTERVAL_S", 30.0)
    monkeypatch.setattr("api.submissions.router.POLL_INTERVAL_S", 30.0)


WOKEN_WITHIN_S = 5.0


@pytest.mark.usefixtures("no_poll_fallback")
def test_long_poll_wakes_on_submit(client: TestClient, actors: Actors) -> None:
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(claim, client, actors, 25)
        time.sleep(0.5)
        submitted_at = time.monotonic()
        sid = submit(client, actors)
        job = waiting.result(timeout=10)
        woke_after = time.monotonic() - submitted_at
    assert job is not None and job["submission_id"] == sid
    assert woke_after < WOKEN_WITHIN_S, f"claim answered {woke_after:.2f} s after the submit"


@pytest.mark.postgres_only
@pytest.mark.usefixtures("no_poll_fallback")
def test_long_poll_wakes_across_api_processes(settings: Settings, actors: Actors) -> None:
    """A claimer on one API replica wakes when a submission arrives through another (LISTEN/NOTIFY)."""
    with TestClient(create_app(settings)) as replica_a, TestClient(create_app(settings)) as replica_b:
        time.sleep(0.3)  # let replica A's listener connect
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(claim, replica_a, actors, 25)
            time.sleep(0.5)
            submitted_at = time.monotonic()
            sid = submit(replica_b, actors)
            job = waiting.result(timeout=10)
            woke_after = time.monotonic() - submitted_at
    assert job is not None and job["submission_id"] == sid
    assert woke_after < WOKEN_WITHIN_S, f"replica A answered {woke_after:.2f} s after the submit on replica B"


@pytest.mark.usefixtures("no_poll_fallback")
def test_result_is_stored_and_wakes_the_learner(client: TestClient, actors: Actors, db: Session) -> None:
    sid = submit(client, actors)
    job = claim(client, actors)
    assert job is not None
    with ThreadPoolExecutor(1) as pool:
        url = f"/api/v1/submissions/{sid}"
        waiting = pool.submit(client.get, url, params={"wait": 25}, headers=actors.learner.headers)
        time.sleep(0.5)
        posted_at = time.monotonic()
        r = post_result(client, actors, job, passed=False)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "job_id": job["job_id"],
            "submission_id": sid,
            "status": "failed",
            "requeued": False,
        }
        read = waiting.result(timeout=10)
        assert time.monotonic() - posted_at < WOKEN_WITHIN_S
    doc = read.json()
    assert doc["status"] == "failed" and doc["score"] == 1.0 and doc["max_score"] == 2.0
    assert [t["status"] for t in doc["result"]["tests"]] == ["pass", "fail"]
    assert doc["result"]["timings"]["queued_ms"] >= 0
    rows = db.exec(
        select(TestResult).where(TestResult.submission_id == sid).order_by(TestResult.position)
    ).all()
    assert [(t.name, t.status, t.score) for t in rows] == [
        ("test_visible.py::test_add_small", "pass", 1.0),
        ("test_hidden.py::test_add_hidden_secret_case", "fail", 0.0),
    ]
    stored = db.exec(select(Job).where(Job.id == job["job_id"])).one()
    assert stored.state == "done" and stored.result_hash and stored.finished_at is not None


def test_repeated_result_is_a_no_op(client: TestClient, actors: Actors, db: Session) -> None:
    sid = submit(client, actors)
    job = claim(client, actors)
    assert job is not None
    assert post_result(client, actors, job).status_code == 200
    before = client.get(f"/api/v1/submissions/{sid}", headers=actors.learner.headers).json()
    again = post_result(client, actors, job)
    assert again.status_code == 200
    assert client.get(f"/api/v1/submissions/{sid}", headers=actors.learner.headers).json() == before
    assert len(db.exec(select(TestResult).where(TestResult.submission_id == sid)).all()) == 2
    different = post_result(client, actors, job, passed=False)
    assert different.status_code == 409
    assert different.json()["code"] == "result-conflict"


def test_heartbeat_extends_the_lease(client: TestClient, actors: Actors, engine: Engine) -> None:
    submit(client, actors)
    job = claim(client, actors)
    assert job is not None
    expire(engine, job["job_id"])  # expired but not yet swept: still this runner's
    r = client.post(
        f"/api/v1/runner/jobs/{job['job_id']}/heartbeat",
        json={"lease_id": job["lease_id"]},
        headers=actors.runner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["lease_expires_at"] > job["lease_expires_at"]
    assert claim(client, actors) is None  # the sweep finds nothing expired any more
    wrong = client.post(
        f"/api/v1/runner/jobs/{job['job_id']}/heartbeat",
        json={"lease_id": "not-the-lease"},
        headers=actors.runner.headers,
    )
    assert wrong.status_code == 409 and wrong.json()["code"] == "lease-lost"
    missing = client.post(
        "/api/v1/runner/jobs/999999/heartbeat", json={"lease_id": "x"}, headers=actors.runner.headers
    )
    assert missing.status_code == 404


def test_expired_lease_is_requeued_and_the_late_runner_refused(
    client: TestClient, actors: Actors, engine: Engine, db: Session
) -> None:
    sid = submit(client, actors)
    first = claim(client, actors)
    assert first is not None
    expire(engine, first["job_id"])
    second = claim(client, actors)  # the claim sweeps the expired lease first, then re-leases the job
    assert second is not None
    assert second["job_id"] == first["job_id"] and second["attempt"] == 2
    assert second["lease_id"] != first["lease_id"]
    hb = client.post(
        f"/api/v1/runner/jobs/{first['job_id']}/heartbeat",
        json={"lease_id": first["lease_id"]},
        headers=actors.runner.headers,
    )
    assert hb.status_code == 409
    late = post_result(client, actors, first)
    assert late.status_code == 409 and late.json()["code"] == "lease-lost"
    assert post_result(client, actors, second).status_code == 200
    assert post_result(client, actors, first).status_code == 409  # still refused after the job finished
    submission = db.get(Submission, sid)
    assert submission is not None
    db.refresh(submission)
    assert submission.status == "passed"


def test_attempts_are_bounded_then_internal_error(client: TestClient, actors: Actors, engine: Engine) -> None:
    sid = submit(client, actors)
    for attempt in (1, 2, 3):
        job = claim(client, actors)
        assert job is not None and job["attempt"] == attempt
        expire(engine, job["job_id"])
    assert claim(client, actors) is None  # the third expiry used the last attempt
    doc = client.get(f"/api/v1/submissions/{sid}", headers=actors.learner.headers).json()
    assert doc["status"] == "internal_error"
    assert doc["attempts"] == 3
    assert "not your code" in doc["result"]["message"]


def test_runner_internal_error_is_retried(client: TestClient, actors: Actors) -> None:
    sid = submit(client, actors)
    job = claim(client, actors)
    assert job is not None
    body = {
        "lease_id": job["lease_id"],
        "status": "internal_error",
        "result": {"version": 3, "status": "error", "message": "zygote died", "tests": []},
    }
    r = client.post(f"/api/v1/runner/jobs/{job['job_id']}/result", json=body, headers=actors.runner.headers)
    assert r.status_code == 200 and r.json()["requeued"] is True
    again = claim(client, actors)
    assert again is not None and again["submission_id"] == sid and again["attempt"] == 2


@pytest.mark.parametrize(
    ("status", "patch"),
    [
        ("passed", {"status": "fail"}),  # statuses disagree
        ("passed", {"version": 2}),
        ("failed", {"tests": [{"name": "t", "status": "exploded"}]}),
        ("running", {}),  # not a final status
    ],
)
def test_result_document_is_validated(
    client: TestClient, actors: Actors, status: str, patch: dict[str, Any]
) -> None:
    submit(client, actors)
    job = claim(client, actors)
    assert job is not None
    body = {
        "lease_id": job["lease_id"],
        "status": status,
        "result": {**document(status == "passed"), **patch},
    }
    r = client.post(f"/api/v1/runner/jobs/{job['job_id']}/result", json=body, headers=actors.runner.headers)
    assert r.status_code == 422, r.text


def test_runner_routes_authorization(client: TestClient, actors: Actors) -> None:
    submit(client, actors)
    assert client.post(CLAIM).status_code == 401
    for actor in (actors.learner, actors.ci):
        assert client.post(CLAIM, headers=actor.headers).status_code == 403
        assert (
            client.post(
                "/api/v1/runner/jobs/1/heartbeat", json={"lease_id": "x"}, headers=actor.headers
            ).status_code
            == 403
        )
        r = client.post("/api/v1/runner/jobs/1/result", json={}, headers=actor.headers)
        assert r.status_code in (403, 422)
    assert client.post(CLAIM, headers=actors.admin.headers).status_code == 200  # admin may do everything


def test_concurrent_claimers_never_share_a_job(engine: Engine, actors: Actors, client: TestClient) -> None:
    """Threads with their own connections race for the same jobs; each job goes to exactly one of them."""
    ids = [submit(client, actors) for _ in range(12)]
    factory = make_session_factory(engine)
    barrier = threading.Barrier(6)

    def racer(n: int) -> list[int]:
        got: list[int] = []
        barrier.wait()
        while True:
            with session_scope(factory) as session:
                service.sweep_expired_leases(session, waker=None)
                job = service.claim_next_job(session, runner_name=f"r{n}", lease_seconds=60)
            if job is None:
                return got
            got.append(job.submission_id)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(racer, range(6)))
    claimed = [sid for got in results for sid in got]
    assert sorted(claimed) == sorted(ids)


def test_concurrent_http_claimers(client: TestClient, actors: Actors) -> None:
    ids = [submit(client, actors) for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        jobs = list(pool.map(lambda _: claim(client, actors), range(12)))
    got = [j["submission_id"] for j in jobs if j is not None]
    assert sorted(got) == sorted(ids)


@pytest.fixture
def short_lease_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"job_lease_seconds": 1}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_real_lease_expiry(short_lease_client: TestClient, actors: Actors) -> None:
    submit(short_lease_client, actors)
    first = claim(short_lease_client, actors)
    assert first is not None
    assert claim(short_lease_client, actors) is None
    second = claim(short_lease_client, actors, wait=3)  # the poll fallback sweeps once the lease runs out
    assert second is not None and second["job_id"] == first["job_id"] and second["attempt"] == 2
