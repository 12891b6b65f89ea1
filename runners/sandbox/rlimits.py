"""The rlimits every sandboxed job runs under, applied in the child before it runs learner code."""

from __future__ import annotations

import resource

from .job import Limits

# Large enough for torch + sklearn + pytest to import (~1 GiB VSZ), small enough that one huge tensor
# allocation fails with a clean MemoryError instead of an OOM kill.
ADDRESS_SPACE_BYTES = 3 * 1024**3
OPEN_FILES = 256


def rlimits_for(limits: Limits) -> list[tuple[int, tuple[int, int]]]:
    """(resource, (soft, hard)) pairs; the CPU hard limit leaves a second for SIGXCPU to be seen."""
    cpu = limits.effective_cpu_s
    fsize = limits.file_size_mb * 1024 * 1024
    return [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_FSIZE, (fsize, fsize)),
        (resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES)),
    ]


def apply_rlimits(pairs: list[tuple[int, tuple[int, int]]]) -> None:
    """Only async-signal-safe work here: it also runs in a fork child of a threaded process."""
    for which, value in pairs:
        resource.setrlimit(which, value)
