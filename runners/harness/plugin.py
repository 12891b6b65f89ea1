"""pytest plugin that streams one JSON event per test so results survive a kill of the run."""

from __future__ import annotations

import inspect
import os
import textwrap
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import pytest

from .events import EventWriter
from .messages import clip, describe, scrub


def short_name(nodeid: str) -> str:
    """`dir/test_x.py::test_a[1]` -> `test_x.py::test_a[1]` (parametrize ids may contain slashes)."""
    path, sep, rest = nodeid.partition("::")
    return os.path.basename(path) + sep + rest


@dataclass
class _TestRecord:
    """What we learn about one test across its setup, call and teardown phases."""

    name: str
    points: float
    task_id: int | None
    test_code: str | None
    status: str = "pass"
    message: str | None = None
    sections: list[str] = field(default_factory=list)
    duration_s: float = 0.0


def _marker_number(item: pytest.Item, marker: str) -> float | None:
    found = item.get_closest_marker(marker)
    if found is None:
        return None
    value = found.args[0] if found.args else next(iter(found.kwargs.values()), None)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _skip_reason(report: pytest.TestReport) -> str | None:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return None


class ResultsPlugin:
    """Emit `collected`, `start`, `test`, `collect_error` and `output_limit` events."""

    def __init__(
        self,
        writer: EventWriter,
        *,
        visible_tests: frozenset[str],
        test_output_bytes: int,
        output_bytes: int,
    ) -> None:
        self._writer = writer
        self._visible = visible_tests
        self._test_output_bytes = test_output_bytes
        self._output_bytes = output_bytes
        self._output_budget = output_bytes
        self._raw_output_total = 0
        self._records: dict[str, _TestRecord] = {}
        self._failure_messages: dict[tuple[str, str], str] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): points this test is worth (default 1)")
        config.addinivalue_line("markers", "task(n): the exercise task this test belongs to")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            points = _marker_number(item, "points")
            task = _marker_number(item, "task")
            self._records[item.nodeid] = _TestRecord(
                name=short_name(item.nodeid),
                points=1.0 if points is None else points,
                task_id=None if task is None else int(task),
                test_code=self._test_code(item),
            )
        self._writer.send(
            {
                "ev": "collected",
                "tests": [{"name": r.name, "max_score": r.points} for r in self._records.values()],
            }
        )

    def _test_code(self, item: pytest.Item) -> str | None:
        if os.path.basename(str(item.path)) not in self._visible:
            return None
        function = getattr(item, "function", None)
        if function is None:
            return None
        try:
            return textwrap.dedent(inspect.getsource(function))
        except (OSError, TypeError):
            return None

    def pytest_exception_interact(
        self, node: pytest.Item | pytest.Collector, call: pytest.CallInfo[Any], report: Any
    ) -> None:
        if isinstance(report, pytest.CollectReport) and call.excinfo is not None:
            error = call.excinfo.value
            cause = error.__cause__ or error.__context__
            message = describe(cause) if cause is not None else clip(scrub(str(error)))
            self._writer.send({"ev": "collect_error", "name": short_name(report.nodeid), "message": message})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # Errors without an interactive exception (rare) still have to stop the grading.
        if report.failed and not isinstance(report.longrepr, tuple):
            self._writer.send(
                {
                    "ev": "collect_error",
                    "name": short_name(report.nodeid),
                    "message": clip(scrub(str(report.longrepr).strip().splitlines()[-1]))
                    if str(report.longrepr).strip()
                    else "collection failed",
                    "fallback": True,
                }
            )

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self._writer.send({"ev": "start", "name": short_name(nodeid)})

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.failed and call.excinfo is not None:
            self._failure_messages[(item.nodeid, call.when)] = describe(call.excinfo.value)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self._records.get(report.nodeid)
        if record is None:
            return
        record.duration_s += report.duration
        record.sections.extend(content for title, content in report.sections if title.startswith("Captured"))
        message = self._failure_messages.pop((report.nodeid, report.when), None)
        if report.when == "setup":
            if report.failed:
                record.status, record.message = "error", f"error in test setup (fixture): {message}"
            elif report.skipped:
                record.status, record.message = "skip", _skip_reason(report)
        elif report.when == "call":
            if report.failed:
                record.status, record.message = "fail", message or "test failed"
            elif report.skipped:
                record.status, record.message = "skip", _skip_reason(report)
        elif report.when == "teardown" and report.failed and record.status == "pass":
            record.status, record.message = "error", f"error in test teardown (fixture): {message}"

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        record = self._records.get(nodeid)
        if record is None:
            return
        output, truncated = self._capped_output(record)
        self._writer.send(
            {
                "ev": "test",
                "name": record.name,
                "status": record.status,
                "message": record.message,
                "output": output,
                "test_code": record.test_code,
                "task_id": record.task_id,
                "duration_ms": round(record.duration_s * 1000, 3),
                "score": record.points if record.status == "pass" else 0.0,
                "max_score": record.points,
                "truncated": truncated,
            }
        )
        if self._raw_output_total > self._output_bytes:
            self._writer.send({"ev": "output_limit", "name": record.name})

    def _capped_output(self, record: _TestRecord) -> tuple[str | None, bool]:
        text = "".join(record.sections)
        raw = len(text.encode("utf-8", "replace"))
        self._raw_output_total += raw
        if not text:
            return None, False
        limit = min(self._test_output_bytes, max(self._output_budget, 0))
        kept = text.encode("utf-8", "replace")[:limit].decode("utf-8", "ignore")
        self._output_budget -= len(kept.encode("utf-8"))
        return kept, raw > limit
