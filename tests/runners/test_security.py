"""Attacks as small named tests: each runs hostile code in the real sandbox and checks status and host."""

from __future__ import annotations

import json
import os
import resource
import socket
import textwrap
import threading
import time
import uuid

import pytest

from runners.sandbox import ColdExecutor, Executor, Job, Limits, Outcome, ZygoteExecutor

from .conftest import CANARY

pytestmark = pytest.mark.sandbox

# Generous enough for a loaded 2-core host: attacks that must pass should never time out by accident.
FAST = Limits(timeout_s=8.0, memory_mb=512)


def attack(executor: Executor, body: str, *, limits: Limits = FAST, extra_tests: str = "") -> Outcome:
    """Run `body` as the learner's code inside one test (`test_attack`), plus an always-passing test."""
    solution = (
        "import os, sys, time, socket, signal, ctypes, subprocess\n\n\ndef attack():\n"
        + textwrap.indent(textwrap.dedent(body), "    ")
    )
    tests = (
        "from solution import attack\n\n\ndef test_attack():\n    attack()\n\n\n"
        "def test_after():\n    assert True\n" + extra_tests
    )
    outcome = executor.run(
        Job(files={"solution.py": solution}, tests={"test_attack.py": tests}, limits=limits)
    )
    assert CANARY not in json.dumps(outcome.result)
    return outcome


def statuses(outcome: Outcome) -> dict[str, str]:
    return {t["name"].split("::")[-1]: t["status"] for t in outcome.result["tests"]}


def sandbox_processes() -> list[int]:
    """Host pids running as the sandbox uid (every job process runs as 65534)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                uid_line = next(line for line in handle if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if uid_line.split()[1] == "65534":
            found.append(int(entry))
    return found


def assert_no_job_processes_left() -> None:
    deadline = time.monotonic() + 5
    while sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox_processes() == []


@pytest.fixture(params=["zygote", "cold"])
def executor(request: pytest.FixtureRequest, zygote: ZygoteExecutor, cold: ColdExecutor) -> Executor:
    return zygote if request.param == "zygote" else cold


def test_tcp_to_loopback_listener_and_postgres_port_fails(executor: Executor) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    outcome = attack(
        executor,
        f"""
        for port in ({port}, 5432, 8000):
            s = socket.socket()
            s.settimeout(1)
            try:
                s.connect(("127.0.0.1", port))
            except OSError:
                continue
            raise AssertionError(f"connected to {{port}}")
        """,
    )
    assert outcome.status == "passed", outcome.result
    with pytest.raises(BlockingIOError):
        listener.accept()
    listener.close()


def test_tcp_and_dns_to_public_addresses_fail(executor: Executor) -> None:
    outcome = attack(
        executor,
        """
        for host in ("1.1.1.1", "8.8.8.8"):
            s = socket.socket()
            s.settimeout(1)
            try:
                s.connect((host, 443))
            except OSError:
                continue
            raise AssertionError("reached " + host)
        try:
            socket.getaddrinfo("pypi.org", 443)
        except OSError:
            return
        raise AssertionError("DNS resolved")
        """,
    )
    assert outcome.status == "passed", outcome.result


def test_reading_shadow_and_root_fails(executor: Executor) -> None:
    outcome = attack(
        executor,
        """
        for path in ("/etc/shadow", "/root/.bashrc", "/root/.ssh/id_rsa", "/work/main/pyproject.toml"):
            try:
                open(path).read()
            except OSError:
                continue
            raise AssertionError("read " + path)
        assert not os.path.exists("/root")
        assert not os.path.exists("/home")
        """,
    )
    assert outcome.status == "passed", outcome.result


def test_runner_environment_never_reaches_the_job(executor: Executor) -> None:
    outcome = attack(
        executor,
        """
        ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: makes /proc/self/environ readable
        for path in ("/proc/self/environ", "/proc/1/environ"):
            try:
                print(open(path, "rb").read())
            except OSError:
                pass
        print(dict(os.environ))
        assert not any(key.startswith("SYLLABUS") for key in os.environ)
        """,
    )
    assert outcome.status == "passed", outcome.result
    output = outcome.result["tests"][0]["output"]
    assert "OMP_NUM_THREADS" in output  # the job's own (clean) environment was printed
    assert CANARY not in json.dumps(outcome.result)


def test_another_jobs_scratch_is_invisible(zygote: ZygoteExecutor) -> None:
    marker = f"marker-{uuid.uuid4().hex}"
    victim = Job(
        files={"solution.py": f"import time\nopen('secret.txt', 'w').write('{marker}')\ntime.sleep(2.5)\n"},
        tests={"test_v.py": "import solution\n\n\ndef test_v():\n    assert True\n"},
        limits=Limits(timeout_s=5),
    )
    results: list[Outcome] = []
    thread = threading.Thread(target=lambda: results.append(zygote.run(victim)))
    thread.start()
    time.sleep(1.0)
    outcome = attack(
        zygote,
        f"""
        needle = ("{marker[:12]}" + "{marker[12:]}").encode()  # never spelled out in this file
        hits = []
        for top in ("/", "/tmp", "/proc"):
            for root, dirs, files in os.walk(top):
                skip = ("/proc/sys", "/usr", "/proc/self", "/proc/thread-self")
                if root.startswith(skip) or ".venv" in root:
                    dirs[:] = []
                    continue
                for name in files:
                    path = os.path.join(root, name)
                    try:
                        if needle in open(path, "rb").read(100000):
                            hits.append(path)
                    except OSError:
                        pass
        assert hits == [], hits
        """,
        limits=Limits(timeout_s=10),
    )
    thread.join()
    assert results[0].status == "passed", results[0].result
    assert outcome.status == "passed", outcome.result


def test_reference_solution_is_not_in_the_sandbox(executor: Executor) -> None:
    outcome = attack(
        executor,
        """
        assert not os.path.exists("/work/main/content")
        for root, dirs, files in os.walk("/"):
            if root.startswith(("/proc", "/sys", "/usr")) or ".venv" in root:
                dirs[:] = []
                continue
            assert "reference" not in dirs, root
        """,
    )
    assert outcome.status == "passed", outcome.result


def test_writes_outside_scratch_fail_and_do_not_persist(executor: Executor) -> None:
    name = f"escape-{uuid.uuid4().hex}"
    outcome = attack(
        executor,
        f"""
        import sys
        targets = ["/{name}", "/usr/{name}", "/etc/{name}", "/tests/{name}", "/src/{name}",
                   os.path.join(sys.prefix, "{name}")]
        for path in targets:
            try:
                open(path, "w").write("x")
            except OSError:
                continue
            raise AssertionError("wrote " + path)
        for path in ("/solution/{name}", "/tmp/{name}", "/dev/shm/{name}"):
            open(path, "w").write("persist?")
        """,
    )
    assert outcome.status == "passed", outcome.result
    for host_dir in ("/", "/usr", "/etc", "/tmp", "/dev/shm", os.path.realpath(os.sys.prefix)):
        assert not os.path.exists(os.path.join(host_dir, name))
    second = attack(
        executor,
        f"""
        for path in ("/solution/{name}", "/tmp/{name}", "/dev/shm/{name}"):
            assert not os.path.exists(path), path
        """,
    )
    assert second.status == "passed", second.result


def test_symlink_planted_in_scratch_is_not_followed(executor: Executor) -> None:
    first = attack(
        executor,
        """
        os.symlink("/etc/passwd", "/solution/data.txt")
        os.symlink("/", "/solution/pkg")
        """,
    )
    assert first.status == "passed", first.result
    # The next job ships files with the same names: they must be written fresh, not through the links.
    job = Job(
        files={"solution.py": "X = 1\n", "data.txt": "hello", "pkg/mod.py": "Y = 2\n"},
        tests={
            "test_s.py": "import os\n\n\ndef test_s():\n    assert not os.path.islink('data.txt')\n"
            "    assert open('data.txt').read() == 'hello'\n"
        },
    )
    outcome = executor.run(job)
    assert outcome.status == "passed", outcome.result
    with open("/etc/passwd") as handle:
        assert "hello" not in handle.read()


def test_fork_bomb_is_capped_and_cleaned_up(zygote: ZygoteExecutor) -> None:
    before = time.monotonic()
    outcome = attack(
        zygote,
        """
        while True:
            try:
                os.fork()
            except OSError:
                pass
        """,
        limits=Limits(timeout_s=2.0, max_pids=32),
    )
    assert outcome.status == "timeout", outcome.result
    assert "test_attack.py::test_attack" in outcome.result["message"]
    assert time.monotonic() - before < 30
    assert_no_job_processes_left()


def test_one_huge_allocation_fails_cleanly(executor: Executor) -> None:
    outcome = attack(executor, "bytearray(8 * 1024**3)\n", limits=Limits(timeout_s=5, memory_mb=512))
    assert outcome.status == "failed", outcome.result
    assert statuses(outcome) == {"test_attack": "fail", "test_after": "pass"}
    assert "MemoryError" in outcome.result["tests"][0]["message"]


def test_growing_to_8_gib_hits_the_memory_limit(executor: Executor) -> None:
    outcome = attack(
        executor,
        """
        chunks = []
        for _ in range(128):
            chunks.append(bytearray(64 * 1024**2))
        """,
        limits=Limits(timeout_s=10, memory_mb=256),
    )
    assert outcome.status == "memory_limit", outcome.result
    assert "memory limit (256 MB) exceeded in test test_attack.py::test_attack" in outcome.result["message"]
    assert statuses(outcome)["test_after"] == "skip"
    assert_no_job_processes_left()


def test_busy_loop_times_out(zygote: ZygoteExecutor) -> None:
    outcome = attack(zygote, "while True:\n    pass\n", limits=Limits(timeout_s=2.0))
    assert outcome.status == "timeout", outcome.result
    assert "test_attack.py::test_attack" in outcome.result["message"]
    assert_no_job_processes_left()


def test_sleeping_grandchild_ignoring_sigterm_is_killed(zygote: ZygoteExecutor) -> None:
    outcome = attack(
        zygote,
        """
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                time.sleep(1e9)
            os._exit(0)
        time.sleep(1e9)
        """,
        limits=Limits(timeout_s=2.0),
    )
    assert outcome.status == "timeout", outcome.result
    assert_no_job_processes_left()


def test_printing_1_gb_hits_the_output_limit_with_bounded_runner_memory(executor: Executor) -> None:
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = attack(
        executor,
        """
        line = "x" * (1024 * 1024)
        for _ in range(1024):
            print(line)
        """,
        limits=Limits(timeout_s=10),
    )
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert outcome.status == "output_limit", outcome.result
    assert outcome.result["truncated"] is True
    assert "test_attack.py::test_attack" in outcome.result["message"]
    assert len(json.dumps(outcome.result)) < 200_000
    assert peak_after - peak_before < 100_000  # KiB: the runner never held the gigabyte


def test_raw_fd_flood_is_cut_off(zygote: ZygoteExecutor) -> None:
    outcome = attack(
        zygote,
        """
        fd = os.open("/proc/self/fd/200", os.O_WRONLY)  # the results pipe, found by a snooping learner
        chunk = b"y" * 65536
        while True:
            os.write(fd, chunk)
        """,
        limits=Limits(timeout_s=5),
    )
    assert outcome.status in ("output_limit", "failed"), outcome.result
    assert len(json.dumps(outcome.result)) < 200_000


def test_signalling_and_ptracing_the_zygote_and_runner_fails(zygote: ZygoteExecutor) -> None:
    zygote_pid = zygote.zygote_pid
    runner_pid = os.getpid()
    outcome = attack(
        zygote,
        f"""
        libc = ctypes.CDLL(None, use_errno=True)
        for pid in ({zygote_pid}, {runner_pid}, os.getppid(), 1):
            for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            assert libc.syscall(101, 16, pid, 0, 0) == -1  # PTRACE_ATTACH
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        """,
    )
    assert outcome.status == "passed", outcome.result
    assert zygote.zygote_pid == zygote_pid
    os.kill(zygote_pid, 0)  # still alive
    assert zygote.restarts == 0


def test_nested_user_namespace_is_refused(executor: Executor) -> None:
    outcome = attack(
        executor,
        """
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.unshare(0x10000000) == -1  # CLONE_NEWUSER
        assert subprocess.run(["unshare", "-U", "true"], capture_output=True).returncode != 0
        """,
    )
    assert outcome.status == "passed", outcome.result


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("../../x.py", "'../../x.py'"),
        ("/etc/cron.d/x", "absolute paths"),
        ("pkg/../../x.py", "'..'"),
        ("bad\x00name.py", "NUL"),
        (".hidden.py", "use only letters"),
    ],
)
def test_unsafe_file_names_are_refused(zygote: ZygoteExecutor, name: str, fragment: str) -> None:
    outcome = zygote.run(
        Job(files={"solution.py": "X = 1\n", name: "boom"}, tests={"test_a.py": "def test_a(): pass\n"})
    )
    assert outcome.status == "error"
    assert fragment in outcome.result["message"]
    assert not os.path.exists("/x.py") and not os.path.exists("/etc/cron.d/x")


def test_too_many_and_too_big_files_are_refused(zygote: ZygoteExecutor) -> None:
    many = {f"f{i}.py": "" for i in range(30)}
    outcome = zygote.run(Job(files=many, tests={"test_a.py": "def test_a(): pass\n"}))
    assert outcome.status == "error" and "too many files" in outcome.result["message"]
    big = {"solution.py": "x" * 300_000}
    outcome = zygote.run(Job(files=big, tests={"test_a.py": "def test_a(): pass\n"}))
    assert outcome.status == "error" and "solution.py" in outcome.result["message"]
