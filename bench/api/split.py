"""How wrk's keep-alive connections are spread over uvicorn's workers, read from /proc during a run.

The workers share one listening socket and each accepts whatever is pending when it wakes, so 32
connections opened at once often land unevenly (13/19 was seen). With every worker busy the busier one's
requests wait longer, which moves the p99 from run to run; the table shows the split next to it.
"""

import os
from pathlib import Path

ESTABLISHED = "01"


def _established_inodes(port: int) -> set[str]:
    """Socket inodes of established TCP connections whose local port is `port`."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == ESTABLISHED and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    """Inodes of the sockets process `pid` holds open."""
    inodes: set[str] = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def connections_per_worker(pids: list[int], port: int) -> tuple[int, ...]:
    """How many established connections on `port` each worker holds right now."""
    established = _established_inodes(port)
    return tuple(len(_socket_inodes(pid) & established) for pid in pids)
