"""Check every exercise: the reference passes all tests, the starter fails a hidden one, in time."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import JustifyMethod
from rich.table import Table

from content.exercises import EXERCISES_DIR, ExerciseSpec, load_exercises
from runners.sandbox import Executor, Job, Limits, make_executor

# Registers the course's markers for plain-pytest runs; the sandbox's results plugin does the same.
_LOCAL_CONFTEST = """\
def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): points this test is worth")
    config.addinivalue_line("markers", "task(n): the task this test belongs to")
"""

_SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@dataclass(frozen=True)
class TestRun:
    """One graded run of an exercise's tests against some learner files."""

    status: str
    tests: dict[str, str]
    wall_ms: float
    run_ms: float | None = None
    message: str = ""
    max_score: float | None = None


RunTests = Callable[[ExerciseSpec, Mapping[str, str]], TestRun]


@dataclass
class ExerciseReport:
    """What validating one exercise found; ``ok`` only when ``problems`` is empty."""

    slug: str
    topic: str
    points: int
    visible_tests: int
    hidden_tests: int
    timeout_s: int
    reference_ms: float | None = None
    reference_run_ms: float | None = None
    starter_hidden_failures: int = 0
    problems: list[str] = field(default_factory=list)
    id: int | None = None

    @property
    def ok(self) -> bool:
        """True when the exercise passed every check."""
        return not self.problems


def _test_file(test_name: str) -> str:
    """The test module a result name belongs to (``test_hidden.py::test_x`` or ``test_hidden.test_x``)."""
    head = test_name.split("::", 1)[0]
    head = head.rsplit("/", 1)[-1]
    if head.endswith(".py"):
        return head
    return head.split(".", 1)[0] + ".py"


def check_exercise(spec: ExerciseSpec, run_tests: RunTests, *, enforce_budget: bool = True) -> ExerciseReport:
    """Run the reference and the starter through ``run_tests`` and judge the outcomes.

    With ``enforce_budget`` the reference must finish within half its timeout.
    """
    report = ExerciseReport(
        id=spec.id,
        slug=spec.slug,
        topic=spec.topic,
        points=spec.points,
        visible_tests=sum(1 for k in spec.test_points if _test_file(k) in spec.visible_tests),
        hidden_tests=sum(1 for k in spec.test_points if _test_file(k) in spec.hidden_tests),
        timeout_s=spec.limits["timeout_s"],
    )
    reference = run_tests(spec, spec.reference_files)
    report.reference_ms = reference.wall_ms
    report.reference_run_ms = reference.run_ms
    expected = len(spec.test_points)
    if reference.status != "passed":
        failing = sorted(name for name, status in reference.tests.items() if status != "passed")
        report.problems.append(f"reference {reference.status}: {', '.join(failing) or reference.message}")
    elif len(reference.tests) != expected:
        report.problems.append(f"reference ran {len(reference.tests)} tests, expected {expected}")
    if reference.max_score is not None and reference.max_score != spec.points:
        report.problems.append(f"runner scored out of {reference.max_score:g}, loader says {spec.points}")
    budget_ms = spec.limits["timeout_s"] * 1000 / 2
    timed_ms = reference.run_ms if reference.run_ms is not None else reference.wall_ms
    if enforce_budget and timed_ms > budget_ms:
        report.problems.append(f"reference took {timed_ms:.0f} ms, over half the timeout")

    starter = run_tests(spec, spec.starter_files)
    report.starter_hidden_failures = sum(
        1
        for name, status in starter.tests.items()
        if status != "passed" and _test_file(name) in spec.hidden_tests
    )
    if starter.status == "passed" or (starter.tests and report.starter_hidden_failures == 0):
        report.problems.append("starter fails no hidden test")
    return report


def run_plain_pytest(spec: ExerciseSpec, files: Mapping[str, str]) -> TestRun:
    """Run the exercise's tests on ``files`` with a cold ``python -m pytest``, no sandbox."""
    with tempfile.TemporaryDirectory(prefix=f"exercise-{spec.slug}-") as tmp:
        work = Path(tmp)
        for name, text in {**files, **spec.all_tests}.items():
            (work / name).write_text(text, encoding="utf-8")
        (work / "conftest.py").write_text(_LOCAL_CONFTEST, encoding="utf-8")
        junit = work / "junit.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--strict-markers",
            f"--junitxml={junit}",
            *sorted(spec.all_tests),
        ]
        env = {**os.environ, **_SINGLE_THREAD_ENV, "PYTHONDONTWRITEBYTECODE": "1"}
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=spec.limits["timeout_s"] * 6,  # cold imports on top of the graded budget
                check=False,
            )
        except subprocess.TimeoutExpired:
            wall = (time.perf_counter() - started) * 1000
            return TestRun(status="timeout", tests={}, wall_ms=wall, message="plain pytest timed out")
        wall = (time.perf_counter() - started) * 1000
        tests, run_ms = _read_junit(junit) if junit.exists() else ({}, None)
    if done.returncode == 0:
        status = "passed"
    elif done.returncode == 1:
        status = "failed"
    else:
        status = "error"
    return TestRun(status=status, tests=tests, wall_ms=wall, run_ms=run_ms, message=done.stdout[-2000:])


def _read_junit(path: Path) -> tuple[dict[str, str], float]:
    tests: dict[str, str] = {}
    total = 0.0
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}.{case.get('name', '')}"
        total += float(case.get("time", "0") or 0)
        if case.find("failure") is not None:
            tests[name] = "failed"
        elif case.find("error") is not None:
            tests[name] = "error"
        elif case.find("skipped") is not None:
            tests[name] = "skipped"
        else:
            tests[name] = "passed"
    return tests, total * 1000


def validate_exercises_locally(specs: list[ExerciseSpec], *, workers: int = 2) -> list[ExerciseReport]:
    """Validate every exercise with plain pytest (no sandbox), ``workers`` exercises at a time.

    Times are recorded but not judged: a cold process pays torch's lazy imports (the first optimizer
    step alone imports ~300 modules) that the sandbox's warm zygote has already paid, so the time
    budget is enforced by ``validate_exercises`` in the real sandbox only.
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(
            pool.map(lambda spec: check_exercise(spec, run_plain_pytest, enforce_budget=False), specs)
        )


# The sandbox reports per-test verdicts in Exercism's words; the checks above use pytest's.
_TEST_STATUS = {"pass": "passed", "fail": "failed", "error": "error", "skip": "skipped"}


def sandbox_runner(executor: Executor) -> RunTests:
    """A ``RunTests`` that grades through the real sandbox, timing the sandboxed setup and run."""

    def run(spec: ExerciseSpec, files: Mapping[str, str]) -> TestRun:
        job = Job(
            files=dict(files),
            tests=spec.all_tests,
            visible_tests=frozenset(spec.visible_tests),
            limits=Limits.from_dict(dict(spec.limits)),
        )
        started = time.perf_counter()
        outcome = executor.run(job)
        wall = (time.perf_counter() - started) * 1000
        result = outcome.result
        tests = {
            str(test["name"]): _TEST_STATUS.get(str(test["status"]), str(test["status"]))
            for test in result.get("tests") or []
        }
        timings = result.get("timings") or {}
        sandboxed = None
        if "run_ms" in timings:
            sandboxed = float(timings.get("setup_ms") or 0) + float(timings["run_ms"])
        max_score = result.get("max_score")
        return TestRun(
            status=outcome.status,
            tests=tests,
            wall_ms=wall,
            run_ms=sandboxed,
            message=str(result.get("message") or ""),
            max_score=float(max_score) if max_score is not None else None,
        )

    return run


def validate_exercises(specs: list[ExerciseSpec], executor: Executor) -> list[ExerciseReport]:
    """Validate every exercise in the real sandbox, one job at a time so timings are not contended."""
    run = sandbox_runner(executor)
    return [check_exercise(spec, run) for spec in specs]


def run_validation(content_root: Path, *, zygote: bool = True) -> list[ExerciseReport]:
    """Load the library under ``content_root`` and validate it in a fresh sandbox executor.

    Exercises that fail to load come back as reports carrying their load problems.
    """
    specs, problems = load_exercises(content_root)
    broken: dict[str, ExerciseReport] = {}
    for problem in problems:
        parts = problem.file.split("/")
        slug = parts[1] if len(parts) > 1 and parts[0] == EXERCISES_DIR else problem.file
        report = broken.setdefault(
            slug, ExerciseReport(slug=slug, topic="?", points=0, visible_tests=0, hidden_tests=0, timeout_s=0)
        )
        report.problems.append(str(problem))
    executor = make_executor(zygote=zygote)
    try:
        reports = validate_exercises(specs, executor)
    finally:
        executor.close()
    return [*reports, *broken.values()]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def render_report_table(reports: list[ExerciseReport]) -> Table:
    """One row per exercise: tests, points, the reference's sandboxed time against its budget, verdict."""
    table = Table(title="Exercise validation")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("exercise", "left"),
        ("topic", "left"),
        ("tests (visible/hidden)", "right"),
        ("points", "right"),
        ("reference ms (sandboxed)", "right"),
        ("wall ms", "right"),
        ("timeout s", "right"),
        ("starter hidden fails", "right"),
        ("verdict", "left"),
    )
    for header, justify in columns:
        table.add_column(header, justify=justify)
    for report in reports:
        verdict = "[green]ok[/green]" if report.ok else "[red]" + "; ".join(report.problems) + "[/red]"
        table.add_row(
            report.slug,
            report.topic,
            f"{report.visible_tests}/{report.hidden_tests}",
            str(report.points),
            _ms(report.reference_run_ms),
            _ms(report.reference_ms),
            str(report.timeout_s),
            str(report.starter_hidden_failures),
            verdict,
        )
    return table
