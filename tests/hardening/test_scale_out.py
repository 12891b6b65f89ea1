"""Scale-out: 2 API processes and 3 sandboxed runners on one PostgreSQL database, with kills mid-run.

Submissions go through both APIs (with `Idempotency-Key`, retried on the other API when one is down);
a runner is SIGKILLed and an API process SIGKILLed (then restarted, as an orchestrator would) while jobs
flow. Every submission must end exactly once with the right verdict (reference passes, starter fails),
with one set of per-test results, bounded attempts, and no lost or duplicated submissions. Long polls
on one API (claim `?wait=` and `GET /submissions/{id}?wait=`) must be woken by work created on the other.
`SYLLABUS_SCALE_JOBS` sets the job count (CI default 90; the full run uses 300).
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from api.settings import PROJECT_ROOT
from db.engine import make_engine
from db.models import Exercise, Job, Submission, TestResult
from tests.conftest import Actor, _pg_admin, _pg_url, make_actor
from tests.hardening.servers import ApiProcess, api_env, sync_shipped_content

JOBS = int(os.environ.get("SYLLABUS_SCALE_JOBS", "90"))
EXERCISE = "stable-activations"
LEASE_S = 8
FINAL = {"passed", "failed", "error", "timeout", "memory_limit", "output_limit", "internal_error"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.sandbox,
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("bwrap") is None, reason="the sandbox needs root and bubblewrap"
    ),
]


class Cluster:
    """Two API processes and three runners against one database."""

    def __init__(self, url: str, runner_token: str, log_dir: Path) -> None:
        self.env = api_env(
            url,
            SYLLABUS_JOB_LEASE_SECONDS=str(LEASE_S),
            SYLLABUS_WRITE_RATE_PER_MINUTE="1000000",
            SYLLABUS_WRITE_BURST="100000",
            SYLLABUS_SUBMISSIONS_PER_MINUTE="1000000",
        )
        self.log_dir = log_dir
        self.apis = [ApiProcess(self.env, log=log_dir / f"api{n}.log") for n in range(2)]
        self.runner_token = runner_token
        self.runners: list[subprocess.Popen[bytes]] = []

    def start_runners(self) -> None:
        """Runners 0 and 1 talk to API 0, runner 2 to API 1; concurrency 1 each (2 cores here)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SYLLABUS_")}
        env["SYLLABUS_RUNNER_TOKEN"] = self.runner_token
        for n, api in enumerate([self.apis[0], self.apis[0], self.apis[1]]):
            argv = [sys.executable, "-m", "cli.main", "runner", "--api", api.url, "--concurrency", "1"]
            argv += ["--claim-wait", "5", "--grace", "5", "--name", f"runner{n}"]
            with (self.log_dir / f"runner{n}.log").open("ab") as out:
                self.runners.append(
                    subprocess.Popen(argv, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
                )

    def restart_api(self, n: int) -> None:
        """Start API `n` again on its port (what an orchestrator does after a crash)."""
        old = self.apis[n]
        old.proc.wait(timeout=10)
        argv = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1"]
        argv += ["--port", str(old.port), "--no-access-log"]
        with (self.log_dir / f"api{n}.log").open("ab") as out:
            old.proc = subprocess.Popen(
                argv, env=self.env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        """Stop everything that is still running."""
        for proc in self.runners:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.runners:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for api in self.apis:
            api.stop()


@pytest.fixture
def scale_db(_pg_template: str) -> Iterator[str]:
    """A fresh migrated database with the shipped content."""
    name = f"syllabus_scale_{os.getpid()}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"')
    url = _pg_url(name)
    sync_shipped_content(url)
    yield url
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _submit(apis: list[ApiProcess], learner: Actor, files: dict[str, str], first: int) -> int:
    """Submit once through API `first`, falling over to the other one; the key makes retries safe."""
    headers = {**learner.headers, "Idempotency-Key": str(uuid.uuid4())}
    for attempt in range(40):
        api = apis[(first + attempt) % len(apis)]
        try:
            resp = httpx.post(
                f"{api.url}/api/v1/exercises/{EXERCISE}/submissions", json={"files": files}, headers=headers
            )
        except httpx.HTTPError:
            time.sleep(0.25)
            continue
        if resp.status_code in (200, 202):
            sub_id: int = resp.json()["id"]
            return sub_id
        assert resp.status_code == 503, resp.text
        time.sleep(0.25)
    raise AssertionError("no API accepted the submission")


def test_two_apis_three_runners_with_kills(scale_db: str, tmp_path: Path) -> None:
    engine = make_engine(scale_db, pool_size=2)
    learners = [make_actor(engine, "learner", handle=f"scale{n}") for n in range(8)]
    runner = make_actor(engine, "runner")
    with Session(engine) as session:
        exercise = session.exec(select(Exercise).where(Exercise.slug == EXERCISE)).one()
        reference, starter = exercise.reference_files, exercise.starter_files
    cluster = Cluster(scale_db, runner.token, tmp_path)
    started = time.monotonic()
    try:
        a, b = cluster.apis
        # 1. Long polls across processes, before any runner exists: a claim waiting on A is woken by a
        #    submission made on B (NOTIFY; the poll fallback alone would take up to a second).
        claim_result: dict[str, object] = {}

        def claim_on_a() -> None:
            t0 = time.monotonic()
            resp = httpx.post(f"{a.url}/api/v1/runner/jobs/claim?wait=20", headers=runner.headers, timeout=30)
            claim_result.update(status=resp.status_code, at=time.monotonic(), waited=time.monotonic() - t0)

        waiter = threading.Thread(target=claim_on_a)
        waiter.start()
        time.sleep(1.5)
        submitted_at = time.monotonic()
        probe = _submit([b], learners[0], reference, 0)
        waiter.join(timeout=30)
        assert claim_result["status"] == 200, claim_result
        claim_latency = float(claim_result["at"]) - submitted_at  # type: ignore[arg-type]
        assert claim_latency < 1.5, claim_latency
        # (the probe's lease now expires unreported: it must still end correctly, on a later attempt)

        # 2. Runners start; submissions flow through both APIs; a submission long-poll on B for a job
        #    created on A returns as soon as its result is recorded (through either API).
        cluster.start_runners()
        expected: dict[int, str] = {probe: "passed"}
        polled: dict[str, object] = {}
        first_on_a = _submit([a], learners[1], reference, 0)
        expected[first_on_a] = "passed"

        def poll_on_b() -> None:
            resp = httpx.get(
                f"{b.url}/api/v1/submissions/{first_on_a}?wait=60", headers=learners[1].headers, timeout=90
            )
            polled.update(status=resp.status_code, body=resp.json(), at=time.monotonic())

        poller = threading.Thread(target=poll_on_b)
        poller.start()

        killed_runner = killed_api = False

        def submit_one(n: int) -> None:
            use_reference = n % 3 != 2
            sub_id = _submit(
                cluster.apis, learners[n % len(learners)], reference if use_reference else starter, n
            )
            expected[sub_id] = "passed" if use_reference else "failed"

        def done_count() -> int:
            with Session(engine) as session:
                return int(
                    session.exec(
                        select(sa.func.count()).select_from(Submission).where(Submission.status.in_(FINAL))  # type: ignore[attr-defined]
                    ).one()
                )

        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(submit_one, n) for n in range(JOBS - 2)]
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                done = done_count()
                if not killed_runner and done >= JOBS // 4:
                    cluster.runners[0].kill()  # SIGKILL mid-job: its lease must expire and requeue
                    killed_runner = True
                if killed_runner and not killed_api and done >= JOBS // 2:
                    b.signal(signal.SIGKILL)  # runner2 and B's clients see connection errors
                    time.sleep(2)
                    cluster.restart_api(1)
                    killed_api = True
                if all(f.done() for f in futures) and done >= len(expected) and len(expected) == JOBS:
                    break
                time.sleep(0.5)
            for f in futures:
                f.result()
        poller.join(timeout=90)
        elapsed = time.monotonic() - started
        assert killed_runner and killed_api

        # 3. Every submission ended exactly once with the right verdict.
        assert len(expected) == JOBS
        with Session(engine) as session:
            submissions = {s.id: s for s in session.exec(select(Submission)).all()}
            jobs = {j.submission_id: j for j in session.exec(select(Job)).all()}
            tests = session.exec(select(TestResult.submission_id, TestResult.position)).all()
        assert set(submissions) == set(expected), "lost or duplicated submissions"
        wrong = {i: (s.status, expected[i]) for i, s in submissions.items() if s.status != expected[i]}
        assert not wrong, wrong
        assert len(tests) == len(set(tests)), "a test result was recorded twice"
        per_submission: dict[int, int] = {}
        for sub_id, _ in tests:
            per_submission[sub_id] = per_submission.get(sub_id, 0) + 1
        assert set(per_submission) == set(expected)
        assert len(set(per_submission.values())) == 1, "submissions recorded different numbers of tests"
        assert all(j.finished_at is not None and 1 <= j.attempts <= j.max_attempts for j in jobs.values())
        assert jobs[probe].attempts >= 2  # its first lease was abandoned on purpose
        retried = sum(1 for j in jobs.values() if j.attempts > 1)

        assert polled.get("status") == 200 and polled["body"]["status"] == "passed", polled  # type: ignore[index]
        print(
            f"{JOBS} submissions through 2 APIs, 3 runners (one SIGKILLed), API SIGKILLed and restarted: "
            f"all correct in {elapsed:.1f} s; {retried} job(s) took more than one attempt; "
            f"cross-process claim wake-up {claim_latency * 1000:.0f} ms"
        )
    finally:
        cluster.stop()
        engine.dispose()
