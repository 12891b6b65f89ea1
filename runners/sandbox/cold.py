"""The cold executor: one bubblewrap'd interpreter per job (the `--no-zygote` reference path)."""

from __future__ import annotations

import os
import subprocess
import threading

from . import bwrap, policy, seccomp
from .cgroups import CgroupManager
from .job import Job, Outcome
from .rlimits import apply_rlimits, rlimits_for
from .supervise import ExitInfo, LaunchRequest, error_outcome, log, make_job_base, supervise

# A cold interpreter spends ~4.5 s importing torch and sklearn before the job's own work starts; this
# allowance keeps the verdicts of the cold and warm paths identical for the same limits.
COLD_STARTUP_GRACE_S = 15.0


class _ColdProcess:
    """A running setpriv+bwrap process, polled with wait4 to get its CPU time."""

    wakeup_fd: int | None = None
    startup_grace_s = COLD_STARTUP_GRACE_S

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._info: ExitInfo | None = None

    def poll(self) -> ExitInfo | None:
        if self._info is None:
            pid, status, usage = os.wait4(self._process.pid, os.WNOHANG)
            if pid == 0:
                return None
            self._process.returncode = os.waitstatus_to_exitcode(status)
            self._info = ExitInfo(wait_status=status, cpu_s=usage.ru_utime + usage.ru_stime)
        return self._info

    def abandon(self) -> None:
        if self._info is None:
            self._process.kill()
            self._process.wait()


class ColdExecutor:
    """Thread-safe: every call builds its own scratch, cgroup, pipes and process."""

    def __init__(self, python: str | None = None) -> None:
        self.venv = policy.runtime_prefix(python)
        self._cgroups = CgroupManager()
        self._base = make_job_base()
        self._seccomp = seccomp.build_filter() if seccomp.supported() else None
        self._lock = threading.Lock()

    def _launch(self, request: LaunchRequest) -> _ColdProcess:
        etc = os.path.join(request.job_dir.path, "etc")
        os.mkdir(etc, 0o755)
        for name, text in policy.ETC_FILES.items():
            with open(os.path.join(etc, name), "w") as handle:
                handle.write(text)
        seccomp_r: int | None = None
        pass_fds = [request.results_w]
        if self._seccomp is not None:
            seccomp_r, seccomp_w = os.pipe()
            # The filter (a few hundred bytes) fits in the pipe buffer, so writing before exec cannot block.
            os.write(seccomp_w, self._seccomp)
            os.close(seccomp_w)
            pass_fds.append(seccomp_r)
        argv = bwrap.command(
            job=request.job,
            job_dir=request.job_dir.path,
            venv=self.venv,
            results_fd=request.results_w,
            seccomp_fd=seccomp_r,
        )
        procs = request.cgroup.procs_files
        limits = rlimits_for(request.job.limits)

        def enter_limits() -> None:
            # Runs between fork and exec: plain syscalls only (safe in a threaded parent).
            for path in procs:
                fd = os.open(path, os.O_WRONLY)
                os.write(fd, b"0")
                os.close(fd)
            apply_rlimits(limits)

        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=request.output_w,
                stderr=request.output_w,
                pass_fds=pass_fds,
                env={},
                cwd="/",
                preexec_fn=enter_limits,
            )
        finally:
            if seccomp_r is not None:
                os.close(seccomp_r)
        return _ColdProcess(process)

    def run(self, job: Job) -> Outcome:
        try:
            return supervise(job, self._launch, self._cgroups, self._base, self.venv)
        except Exception:
            log.exception("sandbox.internal_error")
            return error_outcome("internal_error", "internal error in the runner", job.limits)

    def close(self) -> None:
        import shutil

        shutil.rmtree(self._base, ignore_errors=True)
