"""Runner-only benchmark on a small torch MLP exercise: cold bare pytest vs cold sandboxed vs warm zygote."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from runners.sandbox import ColdExecutor, Executor, Job, ZygoteExecutor

EXERCISE = Path(__file__).parent / "exercise"


def mlp_job() -> Job:
    """The benchmark exercise as a Job; the end-to-end (API) benchmark can submit the same files."""
    return Job(
        files={"solution.py": (EXERCISE / "solution.py").read_text()},
        tests={"test_mlp.py": (EXERCISE / "test_mlp.py").read_text()},
    )


def run_bare(python: str) -> float:
    """`python -m pytest` with no sandbox and no plugin, in a fresh copy of the exercise."""
    directory = tempfile.mkdtemp(prefix="syllabus-bench-")
    try:
        for name in ("solution.py", "test_mlp.py"):
            shutil.copy(EXERCISE / name, directory)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        started = time.perf_counter()
        result = subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "."],
            cwd=directory,
            env=env,
            capture_output=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(result.stdout.decode()[-2000:])
        return elapsed
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run_sandboxed(executor: Executor, job: Job) -> float:
    started = time.perf_counter()
    outcome = executor.run(job)
    elapsed = time.perf_counter() - started
    if outcome.status != "passed":
        raise RuntimeError(f"benchmark job did not pass: {outcome.status} {outcome.result.get('message')}")
    return elapsed


def throughput(run_one: Callable[[], float], *, workers: int, seconds: float) -> float:
    """Jobs per minute with `workers` threads submitting back to back for `seconds`."""
    done = [0] * workers
    stop_at = time.perf_counter() + seconds

    def loop(index: int) -> None:
        while time.perf_counter() < stop_at:
            run_one()
            done[index] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started) * 60


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved latency rounds (after 1 warm-up)")
    parser.add_argument("--throughput-seconds", type=float, default=30.0, help="per throughput row; 0 skips")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    python = os.path.join(sys.prefix, "bin", "python")
    job = mlp_job()
    cold = ColdExecutor()
    warm = ZygoteExecutor(concurrency=args.workers)
    if not warm.wait_ready(120):
        raise SystemExit("the zygote did not start")
    variants: dict[str, Callable[[], float]] = {
        "cold bare `python -m pytest`": lambda: run_bare(python),
        "cold sandboxed (ColdExecutor)": lambda: run_sandboxed(cold, job),
        "warm zygote (ZygoteExecutor)": lambda: run_sandboxed(warm, job),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for round_index in range(args.rounds + 1):
        for name, run_one in variants.items():
            elapsed = run_one()
            if round_index > 0:  # round 0 warms the page cache
                samples[name].append(elapsed)
    bare_p50 = statistics.median(samples["cold bare `python -m pytest`"])
    print(f"\nMLP exercise (5 tests), {args.rounds} interleaved rounds, {os.cpu_count()} cores\n")
    print(f"| {'variant':32} | {'p50 s':>7} | {'p95 s':>7} | {'p50 / cold bare':>15} |")
    print(f"|{'-' * 34}|{'-' * 9}|{'-' * 9}|{'-' * 17}|")
    for name, values in samples.items():
        p50 = statistics.median(values)
        print(f"| {name:32} | {p50:7.3f} | {percentile(values, 0.95):7.3f} | {p50 / bare_p50:15.3f} |")
    if args.throughput_seconds > 0:
        print(f"\nThroughput, {args.workers} concurrent jobs, {args.throughput_seconds:g} s each\n")
        print(f"| {'variant':32} | {'jobs/min':>9} |")
        print(f"|{'-' * 34}|{'-' * 11}|")
        for name in ("cold sandboxed (ColdExecutor)", "warm zygote (ZygoteExecutor)"):
            rate = throughput(variants[name], workers=args.workers, seconds=args.throughput_seconds)
            print(f"| {name:32} | {rate:9.1f} |")
    warm.close()
    cold.close()
