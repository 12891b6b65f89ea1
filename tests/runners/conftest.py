"""Runner fixtures: one warm zygote and one cold executor per session, and a loud skip without a sandbox."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest

from runners.sandbox import ColdExecutor, ZygoteExecutor, check_host

# A secret in the runner's own environment: no result document may ever contain it.
CANARY = f"syllabus-canary-{uuid.uuid4().hex}"
os.environ["SYLLABUS_RUNNER_CANARY_SECRET"] = CANARY

# Golden-case and benchmark exercise files are inputs, not tests of this repository.
collect_ignore_glob = ["cases/*"]

_REQUIRED = ("root", "bubblewrap", "setpriv", "cgroups", "namespaces")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sandbox: needs bubblewrap and namespaces")


def _sandbox_problem() -> str | None:
    if os.geteuid() != 0:
        return "the runner sandbox needs root (cgroups, namespaces)"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install -y bubblewrap)"
    failing = [c for c in check_host() if c.name in _REQUIRED and not c.ok]
    if failing:
        return "; ".join(f"{c.name}: {c.detail} (fix: {c.fix})" for c in failing)
    return None


@pytest.fixture(scope="session")
def sandbox_available() -> None:
    problem = _sandbox_problem()
    if problem:
        pytest.skip(f"SANDBOX TESTS SKIPPED -- this host cannot run the sandbox: {problem}")


@pytest.fixture(scope="session")
def zygote(sandbox_available: None) -> Iterator[ZygoteExecutor]:
    executor = ZygoteExecutor(concurrency=2)
    assert executor.wait_ready(120), "the zygote did not become ready"
    yield executor
    executor.close()


@pytest.fixture(scope="session")
def cold(sandbox_available: None) -> Iterator[ColdExecutor]:
    executor = ColdExecutor()
    yield executor
    executor.close()
