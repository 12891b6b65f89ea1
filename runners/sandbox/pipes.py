"""Bounded readers for a job's results and output pipes: excess is counted and dropped, never buffered."""

from __future__ import annotations

import json
import os
import select
from typing import Any

_CHUNK = 65536


class BoundedPipe:
    """Keeps at most `cap` bytes of what a pipe delivers; remembers how much more arrived."""

    def __init__(self, fd: int, cap: int) -> None:
        os.set_blocking(fd, False)
        self.fd = fd
        self.cap = cap
        self.data = bytearray()
        self.total = 0
        self.closed = False

    @property
    def overflowed(self) -> bool:
        return self.total > self.cap

    def read_available(self) -> None:
        while not self.closed:
            try:
                chunk = os.read(self.fd, _CHUNK)
            except BlockingIOError:
                return
            if not chunk:
                self.close()
                return
            self.total += len(chunk)
            room = self.cap - len(self.data)
            if room > 0:
                self.data += chunk[:room]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.fd)


def pump(pipes: list[BoundedPipe], extra_fds: list[int], timeout: float) -> list[int]:
    """Wait up to `timeout` for any pipe or extra fd; read pipes; return the extra fds that are ready."""
    open_pipes = [p for p in pipes if not p.closed]
    watched = [p.fd for p in open_pipes] + extra_fds
    if not watched:
        return []
    ready, _, _ = select.select(watched, [], [], max(timeout, 0.0))
    for pipe in open_pipes:
        if pipe.fd in ready:
            pipe.read_available()
    return [fd for fd in extra_fds if fd in ready]


def parse_events(data: bytes | bytearray) -> list[dict[str, Any]]:
    """JSON lines from the harness; a partial last line or garbage lines are skipped."""
    events: list[dict[str, Any]] = []
    for line in bytes(data).splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events
