"""Per-job memory and pids cgroups on cgroup v1 (this host) or v2 (elsewhere), and killing through them."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
import uuid
from dataclasses import dataclass

CGROUP_ROOT = "/sys/fs/cgroup"
_PARENT_NAME = "syllabus"


class CgroupError(RuntimeError):
    """The host's cgroups cannot be used the way the sandbox needs."""


def _read(path: str) -> str:
    with open(path) as handle:
        return handle.read()


def _write(path: str, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _own_path(controller: str | None) -> str:
    """This process's cgroup path for a v1 controller, or the v2 unified path when `controller` is None."""
    for line in _read("/proc/self/cgroup").splitlines():
        _, controllers, path = line.split(":", 2)
        names = controllers.split(",") if controllers else []
        if (controller is None and not names) or (controller is not None and controller in names):
            return path
    return "/"


def detect_version(root: str = CGROUP_ROOT) -> int:
    """1 when memory+pids are v1 hierarchies, 2 when the unified hierarchy has them, else raise."""
    if os.path.exists(os.path.join(root, "memory", "memory.limit_in_bytes")) and os.path.isdir(
        os.path.join(root, "pids")
    ):
        return 1
    controllers_file = os.path.join(root, "cgroup.controllers")
    if os.path.exists(controllers_file):
        available = _read(controllers_file).split()
        if "memory" in available and "pids" in available:
            return 2
        raise CgroupError(f"cgroup v2 is mounted but lacks controllers: {available}")
    raise CgroupError("no usable memory and pids cgroup controllers found under /sys/fs/cgroup")


@dataclass
class JobCgroup:
    """One job's cgroup(s). `procs_files` are what a process writes '0' into to join."""

    version: int
    dirs: list[str]

    @property
    def procs_files(self) -> list[str]:
        return [os.path.join(d, "cgroup.procs") for d in self.dirs]

    @property
    def memory_dir(self) -> str:
        return self.dirs[0]

    def pids(self) -> list[int]:
        found: set[int] = set()
        for procs in self.procs_files:
            try:
                found.update(int(p) for p in _read(procs).split())
            except OSError:
                continue
        return sorted(found)

    def oom_kills(self) -> int:
        """How many processes the kernel OOM-killed in this cgroup."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            for line in _read(os.path.join(self.memory_dir, name)).splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except OSError:
            pass
        return 0

    def peak_memory_bytes(self) -> int:
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int(_read(os.path.join(self.memory_dir, name)).split()[0])
        except (OSError, ValueError, IndexError):
            return 0

    def kill_all(self, timeout_s: float = 20.0) -> bool:
        """SIGKILL everything in the cgroup until it is empty; True when empty."""
        deadline = time.monotonic() + timeout_s
        if self.version == 2:
            with contextlib.suppress(OSError):
                _write(os.path.join(self.dirs[0], "cgroup.kill"), "1")
        while True:
            pids = self.pids()
            if not pids:
                return True
            # v1 has no cgroup.kill: a fork between reading and killing is caught by the next pass.
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)

    def remove(self) -> None:
        """Kill leftovers and rmdir; busy directories are retried briefly (dying tasks release late)."""
        self.kill_all()
        for directory in reversed(self.dirs):
            for _ in range(200):
                try:
                    os.rmdir(directory)
                    break
                except FileNotFoundError:
                    break
                except OSError as error:
                    if error.errno != errno.EBUSY:
                        break
                    time.sleep(0.01)


class CgroupManager:
    """Creates job cgroups below this process's own cgroup so the host's limits still bound the runner."""

    def __init__(self, root: str = CGROUP_ROOT) -> None:
        self.root = root
        self.version = detect_version(root)
        if self.version == 1:
            self._parents = {
                ctl: os.path.join(root, ctl, _own_path(ctl).lstrip("/"), _PARENT_NAME)
                for ctl in ("memory", "pids")
            }
            for parent in self._parents.values():
                os.makedirs(parent, exist_ok=True)
        else:
            self._parent = self._prepare_v2()

    def _prepare_v2(self) -> str:
        # Processes may not live in a cgroup whose controllers are delegated to children ("no internal
        # processes"), so jobs live in a sibling subtree of the runner's own cgroup.
        own = os.path.join(self.root, _own_path(None).lstrip("/"))
        base = os.path.dirname(own.rstrip("/")) if own.rstrip("/") != self.root else self.root
        parent = os.path.join(base, _PARENT_NAME)
        for directory in (base, parent):
            if directory == parent:
                os.makedirs(parent, exist_ok=True)
            try:
                _write(os.path.join(directory, "cgroup.subtree_control"), "+memory +pids")
            except OSError as error:
                raise CgroupError(
                    f"cannot enable memory and pids controllers in {directory}: {error}"
                ) from error
        return parent

    def create(self, *, memory_bytes: int, max_pids: int) -> JobCgroup:
        name = f"job-{uuid.uuid4().hex[:12]}"
        if self.version == 1:
            memory = os.path.join(self._parents["memory"], name)
            pids = os.path.join(self._parents["pids"], name)
            os.mkdir(memory)
            os.mkdir(pids)
            group = JobCgroup(1, [memory, pids])
            try:
                _write(os.path.join(memory, "memory.limit_in_bytes"), str(memory_bytes))
                # Without swap accounting the memsw file is absent; with it, swap must not extend the limit.
                memsw = os.path.join(memory, "memory.memsw.limit_in_bytes")
                if os.path.exists(memsw):
                    _write(memsw, str(memory_bytes))
                _write(os.path.join(pids, "pids.max"), str(max_pids))
            except BaseException:
                group.remove()
                raise
            return group
        directory = os.path.join(self._parent, name)
        os.mkdir(directory)
        group = JobCgroup(2, [directory])
        try:
            _write(os.path.join(directory, "memory.max"), str(memory_bytes))
            swap = os.path.join(directory, "memory.swap.max")
            if os.path.exists(swap):
                _write(swap, "0")
            _write(os.path.join(directory, "pids.max"), str(max_pids))
        except BaseException:
            group.remove()
            raise
        return group
