"""Shared job lifecycle for both executors: scratch, cgroup, pipes, deadline, verdict, result document."""

from __future__ import annotations

import logging
import os
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..harness.document import RunFacts, build_document
from .cgroups import CgroupManager, JobCgroup
from .job import Job, Limits, Outcome
from .pipes import BoundedPipe, parse_events, pump
from .scratch import JobDir, UnsafeFileError

log = logging.getLogger("syllabus.runner.sandbox")

# Room for the harness's own JSON around the capped test output.
_RESULTS_OVERHEAD_BYTES = 2_000_000
_DRAIN_AFTER_EXIT_S = 2.0


@dataclass
class ExitInfo:
    """How the job's top process ended, as seen by its parent outside the cgroup."""

    wait_status: int | None
    cpu_s: float
    error: str | None = None


class Launched(Protocol):
    """A started job: something to poll for exit and a fd that becomes readable when it may have exited."""

    wakeup_fd: int | None
    # Extra wall-clock allowance before the job's own limit starts (a cold interpreter importing torch).
    startup_grace_s: float

    def poll(self) -> ExitInfo | None: ...

    def abandon(self) -> None: ...


@dataclass(frozen=True)
class LaunchRequest:
    """What a launcher needs from the supervisor."""

    job: Job
    job_dir: JobDir
    cgroup: JobCgroup
    results_w: int
    output_w: int


Launcher = Callable[[LaunchRequest], Launched]


def make_job_base() -> str:
    """A 0711 parent dir for job dirs: traversable by the sandbox uid, not listable by other users."""
    base = tempfile.mkdtemp(prefix="syllabus-runner-")
    os.chmod(base, 0o711)
    return base


def host_path_replacements(venv: str) -> list[tuple[str, str]]:
    """Host paths that must never reach a learner, longest first."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    pairs = [(venv, "<python>"), (repo, "<runner>"), (tempfile.gettempdir() + "/syllabus-", "<scratch>/")]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def scrub(value: Any, replacements: list[tuple[str, str]]) -> Any:
    """Replace host paths in every string of a result document."""
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [scrub(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: scrub(item, replacements) for key, item in value.items()}
    return value


def error_outcome(status: str, message: str, limits: Limits, setup_ms: float = 0.0) -> Outcome:
    document = {
        "version": 3,
        "status": "error",
        "message": message,
        "tests": [],
        "score": 0.0,
        "max_score": 0.0,
        "truncated": False,
        "timings": {"setup_ms": round(setup_ms, 3), "run_ms": 0.0},
        "limits": limits.to_dict(),
    }
    return Outcome(status=status, result=document)


def _exit_detail(info: ExitInfo | None) -> str:
    if info is None or info.wait_status is None:
        return "no exit status"
    status = info.wait_status
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by {name}"
    code = os.WEXITSTATUS(status)
    # bwrap reports a child killed by a signal as 128 + signal.
    if code > 128 and code - 128 < 65:
        try:
            return f"killed by {signal.Signals(code - 128).name}"
        except ValueError:
            pass
    return f"exit code {code}"


def _cpu_limited(info: ExitInfo | None, limits: Limits) -> bool:
    if info is None or info.wait_status is None:
        return False
    detail = _exit_detail(info)
    if "SIGXCPU" in detail:
        return True
    return "SIGKILL" in detail and info.cpu_s >= limits.effective_cpu_s - 0.05


def supervise(job: Job, launcher: Launcher, cgroups: CgroupManager, base: str, venv: str) -> Outcome:
    """Run one job end to end. Learner problems become statuses; only our own failures raise."""
    started = time.monotonic()
    limits = job.limits
    try:
        job_dir = JobDir(job, base)
    except UnsafeFileError as error:
        return error_outcome("error", str(error), limits)
    cgroup: JobCgroup | None = None
    pipes: list[BoundedPipe] = []
    launched: Launched | None = None
    try:
        cgroup = cgroups.create(memory_bytes=limits.memory_mb * 1024 * 1024, max_pids=limits.max_pids)
        results_r, results_w = os.pipe()
        output_r, output_w = os.pipe()
        results = BoundedPipe(results_r, limits.output_bytes + _RESULTS_OVERHEAD_BYTES)
        output = BoundedPipe(output_r, limits.output_bytes)
        pipes = [results, output]
        try:
            launched = launcher(LaunchRequest(job, job_dir, cgroup, results_w, output_w))
        finally:
            os.close(results_w)
            os.close(output_w)
        launch_done = time.monotonic()
        deadline = launch_done + limits.timeout_s + launched.startup_grace_s
        kill: str | None = None
        info: ExitInfo | None = None
        ready_at: float | None = None
        while info is None:
            now = time.monotonic()
            extra = [launched.wakeup_fd] if launched.wakeup_fd is not None else []
            pump(pipes, extra, min(0.05, deadline - now) if kill is None else 0.05)
            if ready_at is None and b'"ready"' in results.data:
                ready_at = time.monotonic()
            info = launched.poll()
            if info is not None:
                break
            if kill is None and (results.overflowed or output.overflowed):
                kill = "output_limit"
                cgroup.kill_all()
            elif kill is None and time.monotonic() >= deadline:
                kill = "timeout"
                cgroup.kill_all()
            elif kill is not None and time.monotonic() > deadline + 30:
                raise RuntimeError("the job did not exit 30 s after it was killed")
        # Every writer is gone once the cgroup is empty; drain what they left in the pipes.
        cgroup.kill_all()
        drain_until = time.monotonic() + _DRAIN_AFTER_EXIT_S
        while any(not p.closed for p in pipes) and time.monotonic() < drain_until:
            pump(pipes, [], 0.05)
        finished = time.monotonic()
        if info.error:
            raise RuntimeError(f"sandbox setup failed: {info.error}")
        oom_kills = cgroup.oom_kills()
        if kill is None and oom_kills > 0:
            kill = "memory_limit"
        elif kill is None and _cpu_limited(info, limits):
            kill = "timeout"
        elif kill is None and (results.overflowed or output.overflowed):
            kill = "output_limit"
        elif kill == "timeout" and oom_kills > 0:
            kill = "memory_limit"
        facts = RunFacts(
            kill=kill,
            limits=limits.to_dict(),
            exit_detail=_exit_detail(info),
            truncated=results.overflowed or output.overflowed,
        )
        events = parse_events(results.data)
        status, document = build_document(events, facts)
        if status == "internal_error":
            tail = output.data[-2000:].decode("utf-8", "replace")
            log.error("sandbox.harness_failed exit=%s output=%r", facts.exit_detail, tail)
        setup_end = ready_at or finished
        document["timings"] = {
            "setup_ms": round((setup_end - started) * 1000, 3),
            "run_ms": round((finished - setup_end) * 1000, 3),
        }
        document["limits"] = limits.to_dict()
        return Outcome(status=status, result=scrub(document, host_path_replacements(venv)))
    finally:
        for pipe in pipes:
            pipe.close()
        if launched is not None:
            launched.abandon()
        if cgroup is not None:
            cgroup.remove()
        job_dir.remove()
