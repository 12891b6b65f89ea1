"""Orchestrate one benchmark run: database, server (uvicorn, 2 workers), wrk per route, the table."""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path

import httpx

from api.settings import PROJECT_ROOT, Settings
from bench.api.fixture import BenchData, create_database, drop_database, populate
from bench.api.load import Measurement, Route, find_wrk, run_wrk, write_script
from bench.api.split import connections_per_worker

P99_TARGET_MS = 50.0
BASELINE = "hello"


def routes(data: BenchData) -> list[Route]:
    """The routes issue 8 asks about, the hello-world baseline first."""
    return [
        Route("hello", "GET /bench/hello (baseline)", "get", "/bench/hello"),
        Route("graph", "GET /graph", "get", "/api/v1/graph", 0.7),
        Route("graph_304", "GET /graph If-None-Match (304)", "get_etag", "/api/v1/graph", 0.7),
        Route("topics", "GET /topics", "get", "/api/v1/topics"),
        Route("events", "POST /learners/me/events", "events", "/api/v1/learners/me/events", 0.3),
        Route("progress", "PUT /learners/me/topics/{slug}/progress", "progress", ""),
        Route("dashboard", "GET /learners/me/dashboard", "get", "/api/v1/learners/me/dashboard", 0.2),
        Route(
            "submit",
            "POST /exercises/{slug}/submissions",
            "submit",
            f"/api/v1/exercises/{data.exercise_slug}/submissions",
        ),
    ]


def _work_root() -> str | None:
    """Where the run's scripts and the API's log go: RAM (/dev/shm) when there is one.

    A run logs ~130 MB of access lines. Written to the disk PostgreSQL's WAL is on, their writeback made
    the database's WAL writes stall now and then, and a few requests of whatever route was running took
    0.3-5 s (the dashboard's p99 in about half the runs; none in runs with the log in RAM). The lines are
    still rendered and written as in production; only their destination is not the database's disk.
    """
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def autogroup_warning() -> str | None:
    """A warning when the kernel groups CPU time by session (sched_autogroup), which skews this benchmark.

    PostgreSQL runs in its own session, the API and wrk in ours: under saturation each group gets about half
    the cores, and now and then a few requests waited 0.2-5 s for a database backend to be scheduled
    (dashboard p99 misses in ~40 % of full runs; with autogroup off, max latency 17-22 ms in 3 of 3).
    """
    flag = Path("/proc/sys/kernel/sched_autogroup_enabled")
    if flag.exists() and flag.read_text().strip() == "1":
        return (
            "note: kernel.sched_autogroup_enabled=1 gives PostgreSQL's session and this one equal CPU shares;"
            " for stable tails run `sysctl kernel.sched_autogroup_enabled=0` first (README, Benchmarks)"
        )
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(settings: Settings, args: argparse.Namespace) -> dict[str, str]:
    """The API's environment: this run's database, bench routes on, write limits raised (see README)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYLLABUS_")}
    env.update(
        SYLLABUS_ENVIRONMENT="test",
        SYLLABUS_DATABASE_URL=settings.database_url,
        SYLLABUS_SECRET_KEY=settings.secret_key.get_secret_value(),
        SYLLABUS_BENCH_ROUTES="true",
        SYLLABUS_LOG_LEVEL=args.log_level,
        # 32 connections spread over 64 learners would hit the per-token write bucket (600/min) within a
        # second on events and progress: the benchmark measures the routes, not that limit. Submissions keep
        # the production per-learner limit (30/min): they go round `--submitters` learners in turn, each
        # submitting a few times in the run, as many learners do (64 learners submitting ~1,000 times a
        # minute each made every rate check count a thousand rows no real learner could have; 1,000
        # learners drawn at random let the unluckiest cross 30 at ~1,650 req/s).
        SYLLABUS_WRITE_RATE_PER_MINUTE="100000000",
        SYLLABUS_WRITE_BURST="1000000",
    )
    if args.pool_size:
        env["SYLLABUS_DB_POOL_SIZE"] = str(args.pool_size)
    return env


def start_server(env: dict[str, str], *, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """uvicorn with `workers` processes on loopback, as `syllabus serve --workers N --no-runner` runs it."""
    argv = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--no-access-log"]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}); see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not become ready; see {log}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after a grace period."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_pids(proc: subprocess.Popen[bytes]) -> list[int]:
    """uvicorn's worker processes (the supervisor's children but multiprocessing's resource tracker)."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _sample_split(proc: subprocess.Popen[bytes], port: int, into: list[tuple[int, ...]]) -> None:
    into.append(connections_per_worker(worker_pids(proc), port))


def start_profilers(
    proc: subprocess.Popen[bytes], directory: Path, name: str, seconds: float
) -> list[subprocess.Popen[bytes]]:
    """py-spy on every worker for the measured window: collapsed stacks in `directory/<route>-<pid>.txt`."""
    directory.mkdir(parents=True, exist_ok=True)
    py_spy = Path(sys.executable).with_name("py-spy")
    out = []
    for pid in worker_pids(proc):
        argv = [str(py_spy), "record", "--pid", str(pid), "--duration", str(max(1, round(seconds)))]
        argv += ["--rate", "250", "--format", "raw", "--gil", "-o", str(directory / f"{name}-{pid}.txt")]
        out.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return out


def warm_tokens(base: str, tokens: list[str], rounds: int = 4) -> None:
    """Use every token a few times on fresh connections, so both workers have resolved most of them: the
    runs measure a steady state, not each token's first lookup (a learner's first request of the day)."""

    async def warm() -> None:
        limits = httpx.Limits(max_keepalive_connections=0)  # a new connection each: both workers get some
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            gate = asyncio.Semaphore(16)

            async def use(token: str) -> None:
                async with gate:
                    await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

            await asyncio.gather(*(use(t) for t in tokens * rounds))

    asyncio.run(warm())


def graph_etag(base: str, token: str) -> str:
    """The graph's current ETag, for the If-None-Match run."""
    resp = httpx.get(f"{base}/api/v1/graph", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    resp.raise_for_status()
    return resp.headers["etag"]


def _fmt_row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def render_table(results: list[tuple[Route, Measurement]]) -> str:
    """The results as an aligned text table with targets and verdicts."""
    base = next((m.rps for r, m in results if r.name == BASELINE), 0.0)
    header = ["route", "req/s", "ratio", "target", "p50 ms", "p99 ms", "max ms", "errors", "conns", "verdict"]
    rows = []
    for route, m in results:
        ratio = m.rps / base if base else 0.0
        target = f">={route.target_ratio:.1f}" if route.target_ratio else "-"
        ok = m.p99_ms < P99_TARGET_MS and (route.target_ratio is None or ratio >= route.target_ratio)
        ok = ok and m.bad_status == 0 and m.socket_errors == 0
        verdict = "baseline" if route.name == BASELINE else ("ok" if ok else "MISS")
        rows.append(
            [
                route.label,
                f"{m.rps:,.0f}",
                f"{ratio:.2f}",
                target,
                f"{m.p50_ms:.1f}",
                f"{m.p99_ms:.1f}",
                f"{m.max_ms:.0f}",
                f"{m.bad_status + m.socket_errors}",
                "/".join(map(str, m.per_worker)) or "-",
                verdict,
            ]
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [_fmt_row(header, widths), _fmt_row(["-" * w for w in widths], widths)]
    lines += [_fmt_row(r, widths) for r in rows]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__)
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per route (default 10)")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each route")
    p.add_argument("--connections", type=int, default=32, help="concurrent clients (default 32)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    p.add_argument("--learners", type=int, default=64, help="learners (one token each) to spread load over")
    p.add_argument(
        "--submitters", type=int, default=2000, help="learners that POST submissions, in turn (default 2000)"
    )
    p.add_argument("--pool-size", type=int, default=0, help="SYLLABUS_DB_POOL_SIZE (default: the app's)")
    p.add_argument("--log-level", default="INFO", help="the API's log level (default INFO, as in production)")
    p.add_argument("--only", default="", help="comma-separated route names (the baseline always runs)")
    p.add_argument(
        "--pg-dsn",
        default=os.environ.get("SYLLABUS_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="an admin DSN of the PostgreSQL server to create the benchmark database on",
    )
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--profile", type=Path, help="py-spy each worker per route into this directory")
    p.add_argument(
        "--keep-logs",
        action="store_true",
        help="keep the API's log and the wrk scripts (else removed at the end)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; exit 1 when a target is missed."""
    args = parse_args(argv)
    wrk = find_wrk()
    if warning := autogroup_warning():
        print(warning, flush=True)
    db_name = f"syllabus_bench_{os.getpid()}"
    database_url = create_database(args.pg_dsn, db_name)
    settings = Settings(
        environment="test",
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
    )
    proc = None
    work: Path | None = None
    results: list[tuple[Route, Measurement]] = []
    try:
        print(
            f"preparing {db_name}: migrate, sync content/, {args.learners} + {args.submitters} learners ...",
            flush=True,
        )
        data = populate(settings, learners=args.learners, submitters=args.submitters)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        work = Path(tempfile.mkdtemp(prefix="syllabus-bench-", dir=_work_root()))
        proc = start_server(server_env(settings, args), port=port, workers=args.workers, log=work / "api.log")
        etag = graph_etag(base, data.learner_tokens[0])
        warm_tokens(base, data.learner_tokens + data.submitter_tokens)
        wanted = {n for n in args.only.split(",") if n} | {BASELINE}
        selected = [r for r in routes(data) if not args.only or r.name in wanted]
        print(
            f"wrk -t{args.threads} -c{args.connections}, {args.seconds:g} s per route after "
            f"{args.warmup:g} s warm-up; uvicorn --workers {args.workers}; "
            + (f"logs in {work}" if args.keep_logs else "logs removed at the end (--keep-logs keeps them)"),
            flush=True,
        )
        for route in selected:
            common = {"url": base, "connections": args.connections, "threads": args.threads}
            scripting = {"etag": etag, "threads": args.threads}
            if args.warmup > 0:
                # Each run gets its own nonce: event ids must not repeat across runs (a repeat is a 409).
                warm = write_script(work, route, data, nonce=secrets.token_hex(4), **scripting)
                run_wrk(wrk, script=warm, seconds=args.warmup, **common)
            script = write_script(work, route, data, nonce=secrets.token_hex(4), **scripting)
            profilers = start_profilers(proc, args.profile, route.name, args.seconds) if args.profile else []
            split: list[tuple[int, ...]] = []
            sampler = threading.Timer(args.seconds / 2, _sample_split, (proc, port, split))
            sampler.start()
            measured = run_wrk(wrk, script=script, seconds=args.seconds, **common)
            sampler.join()
            for profiler in profilers:
                profiler.wait()
            measured = replace(measured, per_worker=split[0] if split else ())
            results.append((route, measured))
            print(
                f"  {route.name}: {measured.rps:,.0f} req/s, p99 {measured.p99_ms:.1f} ms, "
                f"connections per worker {'/'.join(map(str, measured.per_worker))}",
                flush=True,
            )
    finally:
        if proc is not None:
            stop_server(proc)
        drop_database(args.pg_dsn, db_name)
        if work is not None and not args.keep_logs:
            shutil.rmtree(work, ignore_errors=True)  # ~130 MB of log, in RAM when under /dev/shm
    table = render_table(results)
    print()
    print(table)
    if args.json:
        args.json.write_text(json.dumps([{"route": r.name, **asdict(m)} for r, m in results], indent=2))
    return 0 if "MISS" not in table else 1
