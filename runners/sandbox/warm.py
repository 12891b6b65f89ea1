"""The warm executor: forwards jobs to the zygote process and restarts it when it dies."""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import socket
import subprocess
import threading
from typing import Any

from . import policy
from .cgroups import CgroupManager
from .job import Job, Outcome
from .rlimits import rlimits_for
from .supervise import ExitInfo, LaunchRequest, error_outcome, make_job_base, supervise

log = logging.getLogger("syllabus.runner.zygote")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STARTUP_TIMEOUT_S = 120.0


class ZygoteGone(RuntimeError):
    """The zygote died or refused a job before it started."""


class _Zygote:
    """One zygote process and its control socket."""

    def __init__(self, python: str) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [python, "-s", "-m", "runners.sandbox.zygote", str(child.fileno())],
            cwd=REPO_ROOT,
            env=policy.zygote_env(),
            stdin=subprocess.PIPE,  # lifeline: the zygote exits when the runner closes (or loses) it
            stdout=subprocess.DEVNULL,
            pass_fds=[child.fileno()],
            start_new_session=True,
        )
        child.close()
        self.control = parent
        self.info: dict[str, Any] = {}
        self._ready = threading.Event()
        self._send_lock = threading.Lock()
        threading.Thread(target=self._await_ready, name="zygote-ready", daemon=True).start()

    def _await_ready(self) -> None:
        try:
            self.info = json.loads(self.control.recv(65536) or b"{}")
        except (OSError, ValueError) as error:
            self.info = {"ready": False, "error": str(error)}
        if not self.info.get("ready"):
            log.error("zygote.start_failed info=%s", self.info)
        elif self.info.get("threads") != 1:
            log.warning(
                "zygote.threads count=%s (forked jobs may hang in parallel torch ops)",
                self.info.get("threads"),
            )
        self._ready.set()

    def wait_ready(self, timeout: float | None) -> bool:
        return self._ready.wait(timeout) and bool(self.info.get("ready")) and self.alive()

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, payload: bytes, fds: list[int]) -> None:
        with self._send_lock:
            try:
                socket.send_fds(self.control, [payload], fds)
            except OSError as error:
                raise ZygoteGone(f"zygote unreachable: {error}") from error

    def stop(self) -> None:
        for closable in (self.process.stdin, self.control):
            try:
                if closable is not None:
                    closable.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _WarmJob:
    """A job running under a keeper; the keeper's reply socket says when and how it ended."""

    startup_grace_s = 0.0

    def __init__(self, reply: socket.socket) -> None:
        self._reply = reply
        self.wakeup_fd: int | None = reply.fileno()
        self._info: ExitInfo | None = None

    def poll(self) -> ExitInfo | None:
        if self._info is not None:
            return self._info
        try:
            data = self._reply.recv(65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return None
        if not data:
            self._info = ExitInfo(None, 0.0, error="the zygote's keeper exited without a report")
        else:
            reply = json.loads(data)
            self._info = ExitInfo(reply.get("status"), float(reply.get("cpu_s", 0.0)), reply.get("error"))
        return self._info

    def abandon(self) -> None:
        self._reply.close()


class ZygoteExecutor:
    """Warm executor; `run` is safe from many threads and runs at most `concurrency` jobs at once."""

    def __init__(self, *, concurrency: int = 2, python: str | None = None) -> None:
        self.venv = policy.runtime_prefix(python)
        self._python = os.path.join(self.venv, "bin", "python")
        self._cgroups = CgroupManager()
        self._base = make_job_base()
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._lock = threading.Lock()
        self._closed = False
        self._zygote: _Zygote | None = _Zygote(self._python)
        self.restarts = 0

    def _current(self) -> _Zygote:
        with self._lock:
            if self._closed:
                raise RuntimeError("executor is closed")
            if self._zygote is None or not self._zygote.alive():
                if self._zygote is not None:
                    log.warning("zygote.restart exit=%s", self._zygote.process.returncode)
                    self._zygote.stop()
                    self.restarts += 1
                self._zygote = _Zygote(self._python)
            return self._zygote

    @property
    def zygote_pid(self) -> int | None:
        zygote = self._zygote
        return zygote.process.pid if zygote is not None else None

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the zygote has imported and warmed up the ML stack (about 5 s after start)."""
        return self._current().wait_ready(timeout)

    def _launch(self, zygote: _Zygote, request: LaunchRequest) -> _WarmJob:
        limits = request.job.limits
        payload = {
            "job_dir": request.job_dir.path,
            "venv": self.venv,
            "cgroup_procs": request.cgroup.procs_files,
            "rlimits": rlimits_for(limits),
            "scratch_mb": limits.scratch_mb,
            "config": policy.harness_config(limits, request.job.visible_tests, policy.RESULTS_FD),
        }
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            zygote.send(json.dumps(payload).encode(), [theirs.fileno(), request.results_w, request.output_w])
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        return _WarmJob(mine)

    def run(self, job: Job) -> Outcome:
        with self._slots:
            for attempt in (1, 2):
                zygote = self._current()
                if not zygote.wait_ready(STARTUP_TIMEOUT_S):
                    if attempt == 1 and not zygote.alive():
                        continue
                    return error_outcome("internal_error", "the warm sandbox did not start", job.limits)
                try:
                    return supervise(
                        job,
                        functools.partial(self._launch, zygote),
                        self._cgroups,
                        self._base,
                        self.venv,
                    )
                except ZygoteGone:
                    log.warning("zygote.gone attempt=%d", attempt)
                except Exception:
                    log.exception("sandbox.internal_error")
                    if zygote.alive() or attempt == 2:
                        return error_outcome("internal_error", "internal error in the runner", job.limits)
            return error_outcome("internal_error", "the warm sandbox is unavailable", job.limits)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._zygote is not None:
                self._zygote.stop()
                self._zygote = None
        shutil.rmtree(self._base, ignore_errors=True)
