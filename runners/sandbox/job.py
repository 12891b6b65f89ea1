"""The executor's value types: limits, a job, and its outcome."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

# Inclusive ranges a caller (ultimately an exercise file or the API) may ask for; out-of-range values clamp.
_RANGES: dict[str, tuple[float, float]] = {
    "timeout_s": (0.5, 300.0),
    "memory_mb": (64, 8192),
    "cpu_s": (1, 600),
    "max_pids": (8, 1024),
    "output_bytes": (1_000, 10_000_000),
    "test_output_bytes": (100, 1_000_000),
    "file_size_mb": (1, 256),
    "scratch_mb": (1, 1024),
    "max_files": (1, 200),
    "max_file_bytes": (1, 4_000_000),
}

STATUSES = ("passed", "failed", "error", "timeout", "memory_limit", "output_limit", "internal_error")


@dataclass(frozen=True)
class Limits:
    """Per-job resource limits."""

    timeout_s: float = 10.0
    memory_mb: int = 1024
    cpu_s: int | None = None
    max_pids: int = 64
    output_bytes: int = 1_000_000
    test_output_bytes: int = 16_000
    file_size_mb: int = 16
    scratch_mb: int = 64
    max_files: int = 20
    max_file_bytes: int = 256_000

    @property
    def effective_cpu_s(self) -> int:
        """RLIMIT_CPU: the wall timeout rounded up plus one second unless set explicitly."""
        return self.cpu_s if self.cpu_s is not None else math.ceil(self.timeout_s) + 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict with the effective CPU limit filled in."""
        data = asdict(self)
        data["cpu_s"] = self.effective_cpu_s
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Limits:
        """Build from untrusted input: unknown keys ignored, bad types dropped, ranges clamped."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = (data or {}).get(spec.name)
            if raw is None or isinstance(raw, bool):
                continue
            try:
                number = float(raw)
            except (TypeError, ValueError):
                continue
            if not math.isfinite(number):
                continue
            low, high = _RANGES[spec.name]
            number = min(max(number, low), high)
            values[spec.name] = number if spec.name == "timeout_s" else int(number)
        return cls(**values)


@dataclass(frozen=True)
class Job:
    """Learner files (untrusted names and content), the exercise's test files, and limits."""

    files: dict[str, str]
    tests: dict[str, str]
    visible_tests: frozenset[str] = frozenset()
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class Outcome:
    """Submission status plus the result document."""

    status: str
    result: dict[str, Any]
