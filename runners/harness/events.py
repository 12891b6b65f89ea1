"""Write the harness's JSON-lines event stream to the results pipe."""

from __future__ import annotations

import fcntl
import json
import os
from typing import Any

# Move the results pipe far from the small fd numbers learner code is likely to poke at.
_HIGH_FD = 200


class EventWriter:
    """Append one JSON object per line to a pipe, never raising into the test run."""

    def __init__(self, fd: int) -> None:
        try:
            self._fd = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, _HIGH_FD)
            os.close(fd)
        except OSError:
            self._fd = fd

    def send(self, event: dict[str, Any]) -> None:
        data = (json.dumps(event, ensure_ascii=False, default=str) + "\n").encode("utf-8", "replace")
        try:
            while data:
                written = os.write(self._fd, data)
                data = data[written:]
        except OSError:
            # The reader enforces its own caps and deadlines; losing events only degrades the report.
            pass
