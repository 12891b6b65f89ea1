"""The bubblewrap command line for a cold job: the reference sandbox, policy read top to bottom."""

from __future__ import annotations

import json
import os
import shutil

from . import policy
from .job import Job

HARNESS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "harness")


def bwrap_path() -> str | None:
    return shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin")


def setpriv_path() -> str | None:
    return shutil.which("setpriv", path="/usr/bin:/bin:/usr/local/bin")


def command(*, job: Job, job_dir: str, venv: str, results_fd: int, seccomp_fd: int | None) -> list[str]:
    """setpriv drops to uid 65534 *before* bwrap: bwrap started as root would keep host uid 0 and its caps."""
    size = str(job.limits.scratch_mb * 1024 * 1024)
    args = [
        setpriv_path() or "setpriv",
        "--reuid",
        str(policy.SANDBOX_UID),
        "--regid",
        str(policy.SANDBOX_GID),
        "--clear-groups",
        "--inh-caps=-all",
        "--",
        bwrap_path() or "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--hostname",
        policy.HOSTNAME,
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("lib", "lib64", "bin", "sbin"):
        if os.path.isdir(f"/usr/{name}"):
            args += ["--symlink", f"usr/{name}", f"/{name}"]
    # Order matters: bwrap applies these in sequence and a later tmpfs would hide an earlier bind. The
    # writable tmpfs dirs come first, so a runtime that lives below one of them (a checkout under /tmp)
    # is bound on top of the fresh tmpfs instead of being hidden by it.
    args += [
        "--size",
        size,
        "--perms",
        "0755",
        "--tmpfs",
        policy.WORK_DIR,
        "--size",
        size,
        "--tmpfs",
        "/tmp",
        "--dev",
        "/dev",
        "--size",
        size,
        "--tmpfs",
        "/dev/shm",
        "--proc",
        "/proc",
        "--ro-bind",
        venv,
        venv,
        "--ro-bind",
        HARNESS_DIR,
        f"{policy.HARNESS_PARENT}/{policy.HARNESS_PACKAGE}",
        "--ro-bind",
        os.path.join(job_dir, "tests"),
        policy.TESTS_DIR,
        "--ro-bind",
        os.path.join(job_dir, "src"),
        policy.SRC_DIR,
    ]
    for host_file in policy.HOST_FILES:
        if os.path.isfile(host_file):
            args += ["--ro-bind", host_file, host_file]
    for name in policy.ETC_FILES:
        args += ["--ro-bind", os.path.join(job_dir, "etc", name), f"/etc/{name}"]
    # Last mount step: the root tmpfs bwrap built (with /etc and mount points) becomes read-only.
    args += ["--remount-ro", "/"]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    args += ["--chdir", policy.WORK_DIR, "--clearenv"]
    for key, value in policy.job_env(venv).items():
        args += ["--setenv", key, value]
    config = policy.harness_config(job.limits, job.visible_tests, results_fd)
    bootstrap = (
        f"import sys; sys.path.insert(0, {policy.HARNESS_PARENT!r}); "
        f"from {policy.HARNESS_PACKAGE}.bootstrap import main; main()"
    )
    args += ["--", f"{venv}/bin/python", "-s", "-c", bootstrap, json.dumps(config)]
    return args
