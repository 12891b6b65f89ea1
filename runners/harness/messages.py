"""Learner-facing descriptions of exceptions: relative file names, a line number, no sandbox internals."""

from __future__ import annotations

from .paths import TESTS_DIR, WORK_DIR

LEARNER_ROOT = WORK_DIR + "/"
TESTS_ROOT = TESTS_DIR + "/"
MAX_MESSAGE_CHARS = 4000


def scrub(text: str) -> str:
    """Drop the sandbox mount prefixes so paths read as the learner's own file names."""
    return text.replace(LEARNER_ROOT, "").replace(TESTS_ROOT, "")


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Cap a message, saying that it was cut."""
    return text if len(text) <= limit else text[:limit] + "\n... (message truncated)"


def learner_location(exc: BaseException) -> tuple[str, int] | None:
    """The deepest traceback frame inside the learner's files, if any."""
    if isinstance(exc, SyntaxError) and exc.filename and exc.filename.startswith(LEARNER_ROOT):
        return exc.filename[len(LEARNER_ROOT) :], exc.lineno or 0
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(LEARNER_ROOT):
            found = (filename[len(LEARNER_ROOT) :], tb.tb_lineno)
        tb = tb.tb_next
    return found


def exception_line(exc: BaseException) -> str:
    """`Type: message` without a traceback."""
    detail = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    name = type(exc).__name__
    return scrub(f"{name}: {detail}" if detail else name)


def describe(exc: BaseException) -> str:
    """`solution.py line 3: SyntaxError: invalid syntax`, or just the exception when not in learner code."""
    location = learner_location(exc)
    line = exception_line(exc)
    if location is None:
        return clip(line)
    return clip(f"{location[0]} line {location[1]}: {line}")
