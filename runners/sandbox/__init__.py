"""Sandboxed execution of learner code: bubblewrap/namespaces, cgroups, rlimits, seccomp and a warm zygote."""

from .doctor import DoctorCheck, check_host
from .executor import ColdExecutor, Executor, Job, Limits, Outcome, ZygoteExecutor, make_executor

__all__ = [
    "ColdExecutor",
    "DoctorCheck",
    "Executor",
    "Job",
    "Limits",
    "Outcome",
    "ZygoteExecutor",
    "check_host",
    "make_executor",
]
