"""Executor behaviour: limits parsing, safe scratch writing, concurrency, zygote restart, doctor."""

from __future__ import annotations

import os
import signal
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from runners.sandbox import Job, Limits, ZygoteExecutor, check_host, make_executor
from runners.sandbox.scratch import UnsafeFileError, check_files, write_tree

PASSING = Job(
    files={"solution.py": "def f():\n    return 1\n"},
    tests={"test_f.py": "from solution import f\n\n\ndef test_f():\n    assert f() == 1\n"},
)


def test_limits_from_dict_ignores_unknown_keys_and_clamps() -> None:
    limits = Limits.from_dict(
        {"timeout_s": 1e9, "memory_mb": "12", "bogus": 1, "max_pids": True, "cpu_s": None}
    )
    assert limits.timeout_s == 300.0
    assert limits.memory_mb == 64
    assert limits.max_pids == 64
    assert limits.to_dict()["cpu_s"] == 301
    assert Limits.from_dict(Limits(timeout_s=3).to_dict()) == Limits(timeout_s=3, cpu_s=4)


def test_write_tree_refuses_a_planted_file_symlink() -> None:
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as outside:
        target = os.path.join(outside, "victim")
        os.symlink(target, os.path.join(root, "solution.py"))
        with pytest.raises(FileExistsError):
            write_tree(root, {"solution.py": b"x"})
        assert not os.path.exists(target)


def test_write_tree_refuses_a_planted_directory_symlink() -> None:
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as outside:
        os.symlink(outside, os.path.join(root, "pkg"))
        with pytest.raises(OSError):
            write_tree(root, {"pkg/mod.py": b"x"})
        assert os.listdir(outside) == []


def test_check_files_names_the_offending_file() -> None:
    with pytest.raises(UnsafeFileError, match=r"Solution\.py"):
        check_files({"solution.py": "", "Solution.py": ""}, max_files=5, max_file_bytes=10)
    with pytest.raises(UnsafeFileError, match="also used as a folder"):
        check_files({"pkg": "", "pkg/a.py": ""}, max_files=5, max_file_bytes=10)


@pytest.mark.sandbox
def test_concurrent_runs_from_many_threads(zygote: ZygoteExecutor) -> None:
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(zygote.run, [PASSING] * 8))
    assert [o.status for o in outcomes] == ["passed"] * 8


@pytest.mark.sandbox
def test_zygote_is_restarted_after_it_dies(sandbox_available: None) -> None:
    executor = make_executor(zygote=True, concurrency=1)
    assert isinstance(executor, ZygoteExecutor)
    try:
        assert executor.wait_ready(120)
        first_pid = executor.zygote_pid
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        outcome = executor.run(PASSING)
        assert outcome.status == "passed", outcome.result
        assert executor.zygote_pid != first_pid
        assert executor.restarts == 1
    finally:
        executor.close()


@pytest.mark.sandbox
def test_doctor_reports_every_check_ok_here(sandbox_available: None) -> None:
    checks = check_host()
    assert {c.name for c in checks} >= {"bubblewrap", "cgroups", "namespaces", "ML stack in sandbox"}
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
