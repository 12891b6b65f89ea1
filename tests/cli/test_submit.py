"""`syllabus submit --wait` against a real API and a real runner process with the real sandbox."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from api.settings import PROJECT_ROOT
from tests.cli.conftest import LiveServer, RunCli
from tests.conftest import Actors, make_actor
from tests.e2e.live import LiveRunner

EXERCISE = "numpy-vectors-matrices"
EXERCISE_DIR = PROJECT_ROOT / "content" / "exercises" / EXERCISE


def _sandbox_problem() -> str | None:
    try:
        from runners.sandbox import check_host
    except ImportError as exc:
        return f"runners.sandbox does not import: {exc}"
    missing = [f"{c.name}: {c.detail} (fix: {c.fix})" for c in check_host() if not c.ok]
    return "; ".join(missing) or None


@pytest.fixture
def runner(live_server: LiveServer, engine: Engine, tmp_path: Path) -> Iterator[LiveRunner]:
    """A `syllabus runner` process grading for the live API."""
    problem = _sandbox_problem()
    if problem is not None:
        pytest.skip(f"!!! SANDBOX UNAVAILABLE, submit --wait NOT TESTED: {problem} !!!")
    process = LiveRunner(
        live_server.url, make_actor(engine, "runner").token, log_path=tmp_path / "runner.log"
    )
    try:
        process.wait_started()
        yield process
    finally:
        process.kill()


@pytest.mark.slow
@pytest.mark.sandbox
def test_submit_wait_reference_passes_and_starter_fails(
    cli: RunCli, live_server: LiveServer, runner: LiveRunner, actors: Actors
) -> None:
    env = {"SYLLABUS_SERVER": live_server.url, "SYLLABUS_TOKEN": actors.learner.token}
    r = cli("submit", EXERCISE, str(EXERCISE_DIR / "reference" / "solution.py"), "--wait", env=env)
    assert r.exit_code == 0, r.output + runner.log_tail()
    assert "passed" in r.stdout and "score" in r.stdout
    assert "test_" in r.stdout  # the per-test table

    r = cli("submit", EXERCISE, str(EXERCISE_DIR / "starter" / "solution.py"), "--wait", env=env)
    assert r.exit_code == 1, r.output + runner.log_tail()
    assert "fail" in r.stdout

    r = cli("submit", EXERCISE, str(EXERCISE_DIR / "starter" / "solution.py"), env=env)
    assert r.exit_code == 0 and "queued" in r.stdout
