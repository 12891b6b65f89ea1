"""Turn a freshly forked root child (already in new mount/pid/net/ipc/uts namespaces) into a sandboxed job."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from . import linux, policy, seccomp
from .rlimits import apply_rlimits

_RO = linux.MS_BIND | linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV
_DEVICES = ("null", "zero", "full", "random", "urandom")


@dataclass(frozen=True)
class JailSpec:
    """Everything the child needs; built by the runner, sent to the zygote after fork, never before."""

    job_dir: str
    venv: str
    cgroup_procs: tuple[str, ...]
    rlimits: tuple[tuple[int, tuple[int, int]], ...]
    scratch_mb: int


def _bind_ro(source: str, root: str, target: str) -> None:
    path = root + target
    if os.path.isdir(source):
        os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "a").close()
    linux.mount(source, path, None, linux.MS_BIND | linux.MS_REC)
    linux.mount(None, path, None, _RO)


def _tmpfs(root: str, target: str, options: str) -> None:
    path = root + target
    os.makedirs(path, exist_ok=True)
    linux.mount("tmpfs", path, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, options)


def _build_root(spec: JailSpec, root: str) -> None:
    linux.mount("tmpfs", root, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=4m,mode=0755")
    _bind_ro("/usr", root, "/usr")
    for name in ("lib", "lib64", "bin", "sbin"):
        if os.path.isdir(f"/usr/{name}"):
            os.symlink(f"usr/{name}", f"{root}/{name}")
    size = f"size={spec.scratch_mb}m"
    ids = f"uid={policy.SANDBOX_UID},gid={policy.SANDBOX_GID}"
    _tmpfs(root, policy.WORK_DIR, f"{size},mode=0755,{ids}")
    _tmpfs(root, "/tmp", f"{size},mode=1777")
    # Binds after the writable tmpfs dirs: a runtime below one of them (a checkout under /tmp) stays visible.
    _bind_ro(spec.venv, root, spec.venv)
    _bind_ro(os.path.join(spec.job_dir, "tests"), root, policy.TESTS_DIR)
    _bind_ro(os.path.join(spec.job_dir, "src"), root, policy.SRC_DIR)
    _tmpfs(root, "/dev", "size=64k,mode=0755")
    for device in _DEVICES:
        open(f"{root}/dev/{device}", "a").close()
        linux.mount(f"/dev/{device}", f"{root}/dev/{device}", None, linux.MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{root}/dev/{name}")
    _tmpfs(root, "/dev/shm", f"{size},mode=1777")
    os.makedirs(f"{root}/proc")
    linux.mount("proc", f"{root}/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    os.makedirs(f"{root}/etc", exist_ok=True)
    for name, text in policy.ETC_FILES.items():
        with open(f"{root}/etc/{name}", "w") as handle:
            handle.write(text)
    for host_file in policy.HOST_FILES:
        if os.path.isfile(host_file):
            _bind_ro(host_file, root, host_file)


def enter(spec: JailSpec, seccomp_program: bytes) -> None:
    """Join the job cgroup, pivot into a private root, drop to uid 65534 with no capabilities and seccomp."""
    for procs in spec.cgroup_procs:
        with open(procs, "w") as handle:
            handle.write("0")
    os.setsid()
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    root = os.path.join(spec.job_dir, "root")
    _build_root(spec, root)
    os.mkdir(f"{root}/.old")
    linux.pivot_root(root, f"{root}/.old")
    os.chdir("/")
    linux.umount2("/.old", linux.MNT_DETACH)
    os.rmdir("/.old")
    linux.mount(None, "/", None, linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV)
    linux.sethostname(policy.HOSTNAME)
    apply_rlimits([(which, value) for which, value in spec.rlimits])
    linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    for capability in range(linux.last_capability() + 1):
        with contextlib.suppress(OSError):
            linux.prctl(linux.PR_CAPBSET_DROP, capability)
    os.setgroups([])
    os.setresgid(policy.SANDBOX_GID, policy.SANDBOX_GID, policy.SANDBOX_GID)
    # Dropping every uid from 0 clears the permitted, effective and ambient capability sets.
    os.setresuid(policy.SANDBOX_UID, policy.SANDBOX_UID, policy.SANDBOX_UID)
    seccomp.install(seccomp_program)
    os.environ.clear()
    os.environ.update(policy.job_env(spec.venv))
    os.chdir(policy.WORK_DIR)
