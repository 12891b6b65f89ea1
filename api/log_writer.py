"""A log sink whose lines a daemon thread writes in batches, so the event loop never waits on stderr.

A log line written straight to stderr is a blocking `write()` (plus a flush) on the event loop per line.
When the reader falls behind (a slow pipe to a log collector, a disk the kernel is throttling) that write
stalls every request of the process: the load benchmark saw 0.4-1.4 s dashboard tails that went away with
the access log off. Here a write only appends to a queue; the thread writes what has queued every
`interval` seconds in one call. Lines are kept in order; past `max_pending` queued lines new ones are
dropped and counted (`syllabus_log_lines_dropped_total`, and a line saying how many once it can).
"""

import atexit
import threading
from collections import deque
from typing import TextIO

from api.metrics import LOG_LINES_DROPPED


class BackgroundLineWriter:
    """A write-only text sink for `print(..., file=writer)`; the daemon thread does the real I/O."""

    def __init__(self, out: TextIO, *, interval: float = 0.05, max_pending: int = 100_000) -> None:
        self.out = out
        self._interval = interval
        self._max_pending = max_pending
        self._pending: deque[str] = deque()
        self._dropped = 0
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def write(self, text: str) -> int:
        """Queue `text` (no I/O); past the cap it is dropped and counted."""
        if len(self._pending) >= self._max_pending:
            self._dropped += 1
            LOG_LINES_DROPPED.inc()
        else:
            self._pending.append(text)  # deque.append is atomic: no lock on the hot path
        return len(text)

    def flush(self) -> None:
        """Nothing to do here: the thread flushes after every batch."""

    def close(self) -> None:
        """Write what is queued and stop the thread (idempotent)."""
        self._closed.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._drain()

    def _run(self) -> None:
        while not self._closed.wait(self._interval):
            self._drain()

    def _drain(self) -> None:
        parts: list[str] = []
        while self._pending:
            parts.append(self._pending.popleft())
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            parts.append(f"log-writer: {dropped} log lines dropped (the output fell behind)\n")
        if not parts:
            return
        try:
            self.out.write("".join(parts))
            self.out.flush()
        except (OSError, ValueError):  # stderr closed or broken: logging must never take the process down
            pass


_writer: BackgroundLineWriter | None = None


def background_writer(out: TextIO) -> BackgroundLineWriter:
    """The process's writer for `out` (one thread per process; a new `out` replaces the old writer)."""
    global _writer
    if _writer is None or _writer.out is not out:
        if _writer is not None:
            _writer.close()
        _writer = BackgroundLineWriter(out)
    return _writer
