"""Structured logs (structlog): one event name per line, fields after it, the request id on each."""

import json as jsonlib
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import structlog

from api.log_writer import background_writer

_ACCESS_EVENT = "http.request"


class _AccessLog:
    """The one line per request, rendered by hand as the configured renderer would render it.

    structlog's processor chain costs ~45 us per line with the console renderer (~17 us as JSON); the
    access line has fixed, simple fields, so it is formatted directly (a few us) in the same format.
    """

    def __init__(self) -> None:
        self.enabled = True
        self.json = False
        self.out: TextIO = sys.stderr

    def __call__(self, **fields: Any) -> None:
        if not self.enabled:
            return
        event = {**structlog.contextvars.get_contextvars(), **fields}
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if self.json:
            line = jsonlib.dumps({**event, "event": _ACCESS_EVENT, "level": "info", "timestamp": stamp})
        else:
            pairs = " ".join(
                f"{key}={value if isinstance(value, str) else repr(value)}"
                for key, value in sorted(event.items())
            )
            line = f"{stamp} [info     ] {_ACCESS_EVENT:<30} {pairs}"
        self.out.write(line + "\n")
        self.out.flush()


access_log = _AccessLog()


def configure_logging(*, level: str = "INFO", json: bool = False, background: bool = False) -> None:
    """Route stdlib and structlog output through one renderer; `background` (the API's event loop) hands
    structlog and access lines to a writer thread (api.log_writer) instead of writing them inline."""
    out: TextIO = background_writer(sys.stderr) if background else sys.stderr  # type: ignore[assignment]
    processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=True,
    )
    access_log.enabled = logging.getLevelName(level.upper()) <= logging.INFO
    access_log.json = json
    access_log.out = out
    logging.basicConfig(level=level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    # httpx logs every request at INFO; runners poll, so that would drown the events that matter.
    logging.getLogger("httpx").setLevel(logging.WARNING)
