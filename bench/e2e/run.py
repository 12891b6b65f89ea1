"""End-to-end throughput through the API: live API + one `syllabus runner` (zygote), submit -> result.

Timings come from the server's own instants (`created_at` -> `finished_at` of each submission), so client
polling does not blur them; the single-submission latency is also measured by the client (submit, then
long-poll the result), which is what a learner sees.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.table import Table

from api.accounts.schemas import LearnerCreate, TokenCreate
from api.accounts.service import create_learner, mint_token
from content.exercises import ExerciseSpec
from db.engine import make_engine
from db.migrate import upgrade
from db.session import make_session_factory, session_scope
from tests.e2e.live import LiveApi, LiveRunner
from tests.e2e.seed import seed_exercises

EXERCISE_DIR = Path(__file__).resolve().parent.parent / "runner" / "exercise"
SLUG = "bench-mlp"
SECRET = "bench-secret-not-for-production"
PG_ADMIN_DSN = os.environ.get("SYLLABUS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def bench_spec() -> ExerciseSpec:
    """The runner benchmark's small torch MLP exercise, as an exercise row."""
    solution = (EXERCISE_DIR / "solution.py").read_text()
    return ExerciseSpec(
        id=99_001,
        slug=SLUG,
        title="Benchmark: a small torch MLP",
        topic="bench",
        difficulty="easy",
        files=("solution.py",),
        limits={"timeout_s": 30, "memory_mb": 1024},
        points=5,
        instructions="Benchmark exercise.",
        starter_files={"solution.py": solution},
        visible_tests={},
        hidden_tests={"test_mlp.py": (EXERCISE_DIR / "test_mlp.py").read_text()},
        reference_files={"solution.py": solution},
        content_hash="sha256:" + "b" * 64,
    )


def _pg(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def prepare_database(backend: str, workdir: Path) -> tuple[str, str, str]:
    """A fresh migrated database with the bench exercise; returns (url, learner token, runner token)."""
    if backend == "postgresql":
        name = f"syllabus_bench_{os.getpid()}"
        _pg(f'DROP DATABASE IF EXISTS "{name}"')
        _pg(f'CREATE DATABASE "{name}"')
        url = f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            seed_exercises(session, [bench_spec()])
            learner = create_learner(session, data=LearnerCreate(handle="bench", timezone="UTC"))
            _, learner_token = mint_token(
                session, data=TokenCreate(role="learner", name="bench", learner_id=learner.id), secret=SECRET
            )
            _, runner_token = mint_token(
                session, data=TokenCreate(role="runner", name="bench"), secret=SECRET
            )
    finally:
        engine.dispose()
    return url, learner_token, runner_token


def drop_database(backend: str) -> None:
    """Remove the PostgreSQL bench database."""
    if backend == "postgresql":
        _pg(f'DROP DATABASE IF EXISTS "syllabus_bench_{os.getpid()}" WITH (FORCE)')


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Bench:
    """Submits and collects over HTTP."""

    def __init__(self, api_url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=f"{api_url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=90
        )
        self.files = {"solution.py": bench_spec().reference_files["solution.py"]}

    def submit(self) -> int:
        r = self.http.post(f"/exercises/{SLUG}/submissions", json={"files": self.files})
        r.raise_for_status()
        sid: int = r.json()["id"]
        return sid

    def result(self, sid: int) -> dict[str, Any]:
        while True:
            doc: dict[str, Any] = self.http.get(f"/submissions/{sid}", params={"wait": 60}).json()
            if doc["status"] not in ("queued", "running"):
                return doc

    def sequential(self, count: int) -> list[float]:
        """One submission in flight at a time: client-side submit -> final result seconds."""
        latencies = []
        for _ in range(count):
            started = time.perf_counter()
            doc = self.result(self.submit())
            latencies.append(time.perf_counter() - started)
            if doc["status"] != "passed":
                raise RuntimeError(f"bench submission ended {doc['status']}: {doc.get('result')}")
        return latencies

    def burst(self, count: int) -> tuple[list[dict[str, Any]], float]:
        """Submit `count` at once, wait for all; returns the documents and the client wall time."""
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(lambda _: self.submit(), range(count)))
        with ThreadPoolExecutor(16) as pool:
            docs = list(pool.map(self.result, ids))
        return docs, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m bench.e2e", description=__doc__)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("-m", "--submissions", type=int, default=200, help="submissions in the burst")
    parser.add_argument("--sequential", type=int, default=20, help="one-at-a-time submissions for latency")
    parser.add_argument("--concurrency", type=int, default=2, help="runner slots")
    parser.add_argument("--no-zygote", action="store_true", help="cold jobs (slow: use a small -m)")
    args = parser.parse_args(argv)
    console = Console()
    workdir = Path(tempfile.mkdtemp(prefix="syllabus-bench-e2e-"))
    url, learner_token, runner_token = prepare_database(args.db, workdir)
    api = LiveApi(
        database_url=url,
        secret=SECRET,
        log_path=workdir / "api.log",
        submissions_per_minute=1_000_000,
        write_rate_per_minute=1_000_000,
    )
    runner: LiveRunner | None = None
    try:
        api.start()
        runner = LiveRunner(
            api.url,
            runner_token,
            log_path=workdir / "runner.log",
            concurrency=args.concurrency,
            zygote=not args.no_zygote,
        )
        console.print(f"API {api.url} on {args.db}; warming the runner (logs in {workdir}) ...")
        runner.wait_started()
        bench = Bench(api.url, learner_token)
        bench.sequential(3)  # warm-up: first jobs pay for lazy imports in the zygote's children
        single = bench.sequential(args.sequential)
        docs, wall = bench.burst(args.submissions)
        failed = [d["status"] for d in docs if d["status"] != "passed"]
        server = [(_instant(d["finished_at"]) - _instant(d["created_at"])).total_seconds() for d in docs]
        first = min(_instant(d["created_at"]) for d in docs)
        last = max(_instant(d["finished_at"]) for d in docs)
        span = (last - first).total_seconds()
        run_ms = [float(d["result"]["timings"].get("run_ms") or 0) for d in docs if d["result"]]

        table = Table(title=f"end-to-end through the API ({args.db}, 1 runner x {args.concurrency} slots, "
                      f"{'cold' if args.no_zygote else 'zygote'}, {os.cpu_count()} cores)")  # fmt: skip
        for column in ("scenario", "n", "p50 s", "p95 s", "submissions/min", "not passed"):
            table.add_column(column, justify="right" if column != "scenario" else "left")
        table.add_row(
            "one at a time (client: submit -> result)",
            str(len(single)),
            f"{statistics.median(single):.3f}",
            f"{_percentile(single, 0.95):.3f}",
            f"{60 * len(single) / sum(single):.0f}",
            "0",
        )
        table.add_row(
            f"burst of {len(docs)} (server: created -> finished)",
            str(len(docs)),
            f"{statistics.median(server):.3f}",
            f"{_percentile(server, 0.95):.3f}",
            f"{60 * len(docs) / span:.0f}",
            str(len(failed)),
        )
        table.add_row(
            f"burst of {len(docs)} (client wall, incl. submit + polls)",
            str(len(docs)),
            "",
            "",
            f"{60 * len(docs) / wall:.0f}",
            "",
        )
        table.add_row(
            "  sandbox run phase per job (run_ms)",
            str(len(run_ms)),
            f"{statistics.median(run_ms) / 1000:.3f}",
            f"{_percentile(run_ms, 0.95) / 1000:.3f}",
            "",
            "",
        )
        console.print(table)
        target = 60 * len(docs) / span
        console.print(
            f"target >= 400 submissions/min: {'met' if target >= 400 else 'NOT met'} ({target:.0f}/min)"
        )
        return 0 if not failed else 1
    finally:
        if runner is not None:
            runner.stop(timeout_s=30)
        api.stop()
        drop_database(args.db)
