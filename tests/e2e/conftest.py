"""End-to-end fixtures: a live API on the test database and real runner processes with the real sandbox."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from db.session import make_session_factory, session_scope
from tests.conftest import TEST_SECRET, Actors, make_actor
from tests.e2e.live import LiveApi, LiveRunner
from tests.e2e.seed import seed_exercises, shipped_exercises, tiny_spec


def _sandbox_problem() -> str | None:
    try:
        from runners.sandbox import check_host
    except ImportError as exc:
        return f"runners.sandbox does not import: {exc}"
    missing = [f"{c.name}: {c.detail} (fix: {c.fix})" for c in check_host() if not c.ok]
    return "; ".join(missing) or None


@pytest.fixture(scope="session")
def sandbox_ready() -> None:
    """Skip, LOUDLY, when this host cannot run the sandbox."""
    problem = _sandbox_problem()
    if problem is not None:
        pytest.skip(f"!!! SANDBOX UNAVAILABLE, END-TO-END TESTS NOT RUN: {problem} !!!")


@pytest.fixture
def seeded(engine: Engine) -> None:
    """The shipped exercises and the tiny one, in the test database."""
    with session_scope(make_session_factory(engine)) as session:
        seed_exercises(session, [*shipped_exercises(), tiny_spec()])


StartApi = Callable[..., LiveApi]


@pytest.fixture
def start_api(database_url: str, seeded: None, tmp_path: Path) -> Iterator[StartApi]:
    """Start a live API on the test database with extra settings (`job_lease_seconds=4`, ...)."""
    started: list[LiveApi] = []

    def _start(**settings: object) -> LiveApi:
        settings.setdefault("submissions_per_minute", 10_000)
        settings.setdefault("write_rate_per_minute", 10_000)
        api = LiveApi(
            database_url=database_url, secret=TEST_SECRET, log_path=tmp_path / "api.log", **settings
        )
        started.append(api)
        api.start()
        return api

    yield _start
    for api in started:
        api.stop()


StartRunner = Callable[..., LiveRunner]


@pytest.fixture
def start_runner(engine: Engine, tmp_path: Path, sandbox_ready: None) -> Iterator[StartRunner]:
    """Start a `syllabus runner` process (with a fresh runner token) against a live API."""
    started: list[LiveRunner] = []

    def _start(api: LiveApi, *, concurrency: int = 2, wait: bool = True) -> LiveRunner:
        token = make_actor(engine, "runner").token
        runner = LiveRunner(
            api.url, token, log_path=tmp_path / f"runner-{len(started)}.log", concurrency=concurrency
        )
        started.append(runner)
        if wait:
            runner.wait_started()
        return runner

    yield _start
    for runner in started:
        runner.kill()


@pytest.fixture
def e2e_actors(actors: Actors) -> Actors:
    """The usual actors (learners, runner, admin), created in the test database."""
    return actors
