"""Host checks for `syllabus runner doctor`: each says what is wrong and the exact command that fixes it."""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass

from . import bwrap, policy, seccomp
from .cgroups import CgroupError, CgroupManager

_ML_IMPORT = "import torch, numpy, sklearn, pandas, pytest; print(torch.__version__)"


@dataclass(frozen=True)
class DoctorCheck:
    """One host requirement."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None


def _unreadable_ancestors(path: str) -> list[str]:
    """Directories on the way to `path` that uid 65534 (other) cannot traverse."""
    blocked = []
    current = os.path.realpath(path)
    while True:
        try:
            mode = os.stat(current).st_mode
        except OSError:
            blocked.append(current)
            break
        if not mode & stat.S_IXOTH or (current == os.path.realpath(path) and not mode & stat.S_IROTH):
            blocked.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return blocked


def _sandbox_probe(venv: str, code: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    argv = [
        bwrap.setpriv_path() or "setpriv",
        "--reuid",
        "65534",
        "--regid",
        "65534",
        "--clear-groups",
        "--inh-caps=-all",
        "--",
        bwrap.bwrap_path() or "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--symlink",
        "usr/bin",
        "/bin",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        # After /tmp: a virtualenv that lives under /tmp is bound on top of the fresh tmpfs, not hidden by it.
        "--ro-bind",
        venv,
        venv,
        "--clearenv",
        "--setenv",
        "OMP_NUM_THREADS",
        "1",
        "--",
        f"{venv}/bin/python",
        "-s",
        "-c",
        code,
    ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env={}, check=False)


def check_host(python: str | None = None) -> list[DoctorCheck]:
    """Everything the sandbox needs on this host, in the order a fix should be applied."""
    checks: list[DoctorCheck] = []
    venv = policy.runtime_prefix(python)
    checks.append(
        DoctorCheck(
            "root",
            os.geteuid() == 0,
            f"euid {os.geteuid()}",
            None if os.geteuid() == 0 else "run the runner as root (it creates cgroups and namespaces)",
        )
    )
    for name, found in (("bubblewrap", bwrap.bwrap_path()), ("setpriv", bwrap.setpriv_path())):
        package = "bubblewrap" if name == "bubblewrap" else "util-linux"
        checks.append(
            DoctorCheck(
                name,
                found is not None,
                found or "not found on PATH",
                None if found else f"apt-get install -y {package}",
            )
        )
    try:
        manager = CgroupManager()
        group = manager.create(memory_bytes=64 * 1024 * 1024, max_pids=8)
        group.remove()
        checks.append(DoctorCheck("cgroups", True, f"cgroup v{manager.version}: memory and pids usable"))
    except (CgroupError, OSError) as error:
        checks.append(
            DoctorCheck(
                "cgroups",
                False,
                str(error),
                "mount -t cgroup2 none /sys/fs/cgroup && echo '+memory +pids' > "
                "/sys/fs/cgroup/cgroup.subtree_control",
            )
        )
    checks.append(
        DoctorCheck(
            "seccomp",
            seccomp.supported(),
            f"architecture {os.uname().machine}",
            None if seccomp.supported() else "run the runner on x86_64 or aarch64",
        )
    )
    blocked = _unreadable_ancestors(venv)
    checks.append(
        DoctorCheck(
            "venv readable by uid 65534",
            not blocked,
            f"{venv}" + (f": not traversable: {', '.join(blocked)}" if blocked else ""),
            None
            if not blocked
            else (
                "build the runner venv from Debian's interpreter in a world-readable place: "
                "/usr/bin/python3.11 -m venv /opt/syllabus-venv && /opt/syllabus-venv/bin/pip install "
                "'torch==2.13.0' scikit-learn numpy pandas pytest"
            ),
        )
    )
    if bwrap.bwrap_path() and bwrap.setpriv_path():
        try:
            probe = _sandbox_probe(venv, "import socket, os; print(len(os.listdir('/proc/self/task')))", 30)
            ok = probe.returncode == 0
            detail = "user, pid, net, mount namespaces work" if ok else probe.stderr.strip()[-500:]
        except (OSError, subprocess.TimeoutExpired) as error:
            ok, detail = False, str(error)
        checks.append(
            DoctorCheck(
                "namespaces",
                ok,
                detail,
                None if ok else "sysctl -w user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1",
            )
        )
        try:
            probe = _sandbox_probe(venv, _ML_IMPORT, 120)
            ok = probe.returncode == 0
            detail = (
                f"torch {probe.stdout.strip()} imports in the sandbox" if ok else probe.stderr.strip()[-500:]
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            ok, detail = False, str(error)
        checks.append(
            DoctorCheck(
                "ML stack in sandbox",
                ok,
                detail,
                None if ok else f"{venv}/bin/pip install 'torch==2.13.0' scikit-learn numpy pandas pytest",
            )
        )
    return checks
