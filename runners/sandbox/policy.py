"""The sandbox policy in one place: identity, environment, and what the job can see."""

from __future__ import annotations

import os
import sys

from ..harness import paths
from .job import Limits

SANDBOX_UID = 65534
SANDBOX_GID = 65534
HOSTNAME = "sandbox"
WORK_DIR = paths.WORK_DIR
TESTS_DIR = paths.TESTS_DIR
SRC_DIR = paths.SRC_DIR
HARNESS_PARENT = "/opt/syllabus"
HARNESS_PACKAGE = "syllabus_harness"
RESULTS_FD = 3

# Thread pools are pinned to one thread per job: with N concurrent jobs on N cores, more threads only
# spin against each other (measured: default threads cut zygote throughput 3x).
THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}

# Host files a job may read, bound read-only when they exist (the dynamic loader's cache, the time zone).
HOST_FILES = ("/etc/ld.so.cache", "/etc/localtime")

ETC_FILES = {
    "passwd": (
        "root:x:0:0:root:/root:/usr/sbin/nologin\n"
        f"nobody:x:65534:65534:nobody:{paths.WORK_DIR}:/usr/sbin/nologin\n"
    ),
    "group": "root:x:0:\nnogroup:x:65534:\n",
    "hosts": "127.0.0.1 localhost sandbox\n::1 localhost\n",
}


def runtime_prefix(python: str | None = None) -> str:
    """The virtual environment (or interpreter prefix) the sandbox runs, as a real path."""
    if python:
        return os.path.realpath(os.path.join(os.path.dirname(python), os.pardir))
    return os.path.realpath(sys.prefix)


def job_env(venv: str) -> dict[str, str]:
    """The whole environment of a job: nothing inherited from the runner."""
    env = {
        "PATH": f"{venv}/bin:/usr/bin:/bin",
        "HOME": WORK_DIR,
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "Agg",
    }
    env.update(THREAD_ENV)
    return env


def zygote_env() -> dict[str, str]:
    """The zygote starts from an empty environment: its children inherit all of its memory."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
    }
    env.update(THREAD_ENV)
    return env


def harness_config(limits: Limits, visible_tests: frozenset[str], results_fd: int) -> dict[str, object]:
    """What the in-sandbox bootstrap needs to know; never secrets."""
    return {
        "results_fd": results_fd,
        "copy_from": SRC_DIR,
        "visible_tests": sorted(visible_tests),
        "test_output_bytes": limits.test_output_bytes,
        "output_bytes": limits.output_bytes,
    }
