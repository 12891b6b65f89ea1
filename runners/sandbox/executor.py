"""The executor interface the runner worker calls, and the factory that picks warm or cold."""

from __future__ import annotations

from typing import Protocol

from .cold import ColdExecutor
from .job import Job, Limits, Outcome
from .warm import ZygoteExecutor

__all__ = ["ColdExecutor", "Executor", "Job", "Limits", "Outcome", "ZygoteExecutor", "make_executor"]


class Executor(Protocol):
    """Runs jobs; `run` must be safe to call from many threads at once."""

    def run(self, job: Job) -> Outcome: ...

    def close(self) -> None: ...


def make_executor(*, zygote: bool = True, concurrency: int = 2, python: str | None = None) -> Executor:
    """Warm executor by default: the zygote starts warming up in the background right away."""
    if zygote:
        return ZygoteExecutor(concurrency=concurrency, python=python)
    return ColdExecutor(python=python)
