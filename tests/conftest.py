"""Shared fixtures: one suite, two real databases (SQLite and PostgreSQL), schemas built by Alembic.

Every test that asks for a database gets a fresh one cloned from a migrated template:
SQLite copies a template file, PostgreSQL runs `CREATE DATABASE ... TEMPLATE ...`. Tests therefore commit for
real (several connections, SKIP LOCKED, LISTEN/NOTIFY all behave as in production) and never see each
other's rows. Choose backends with `--db sqlite|postgresql|both` or `SYLLABUS_TEST_DB`.
"""

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.accounts.schemas import LearnerCreate, TokenCreate
from api.accounts.service import create_learner, mint_token
from api.app import create_app
from api.settings import Settings
from db.engine import make_engine
from db.migrate import upgrade
from db.session import make_session_factory, session_scope

PG_ADMIN_DSN = os.environ.get("SYLLABUS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_SECRET = "test-secret-not-for-production"
_counter = itertools.count()


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--db` picks the database backends the suite runs against."""
    parser.addoption(
        "--db",
        default=os.environ.get("SYLLABUS_TEST_DB", "both"),
        choices=("sqlite", "postgresql", "both"),
        help="database backend(s) for tests that use one (default: both)",
    )


def _backends(config: pytest.Config) -> list[str]:
    choice = config.getoption("--db")
    return ["sqlite", "postgresql"] if choice == "both" else [choice]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every database test once per selected backend."""
    if "backend" in metafunc.fixturenames:
        backends = _backends(metafunc.config)
        if metafunc.definition.get_closest_marker("postgres_only"):
            backends = [b for b in backends if b == "postgresql"] or ["postgresql"]
        metafunc.parametrize("backend", backends, scope="session")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_url(dbname: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    name = f"syllabus_tpl_{os.getpid()}_{_worker()}"
    try:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN_DSN}: {exc}. Start it, or run with --db sqlite."
        )
    upgrade(_pg_url(name))
    yield name
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, fully migrated database for this test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("_pg_template")
    name = f"syllabus_t_{os.getpid()}_{_worker()}_{next(_counter)}"
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    yield _pg_url(name)
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for an app under test."""
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        open_signup=True,
        log_level="WARNING",
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the test database, for direct setup and assertions."""
    eng = make_engine(settings.database_url, pool_size=2)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session for arranging rows and checking what the API wrote."""
    with make_session_factory(engine)() as session:
        yield session


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The application under test."""
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A real ASGI client (httpx under the hood) running the app's lifespan."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@dataclass(frozen=True)
class Actor:
    """A principal under test: its role, learner (if bound) and auth headers."""

    role: str
    token: str
    learner_id: int | None

    @property
    def headers(self) -> dict[str, str]:
        """`Authorization` for this actor."""
        return {"Authorization": f"Bearer {self.token}"}


def make_actor(
    engine: Engine, role: str, *, handle: str | None = None, learner_id: int | None = None
) -> Actor:
    """Create (if needed) a learner and mint a token for `role`."""
    with session_scope(make_session_factory(engine)) as session:
        if handle is not None:
            learner = create_learner(session, data=LearnerCreate(handle=handle, timezone="UTC"))
            learner_id = learner.id
        _, token = mint_token(
            session,
            data=TokenCreate(role=role, name=f"test-{role}", learner_id=learner_id),
            secret=TEST_SECRET,
        )  # type: ignore[arg-type]
    return Actor(role=role, token=token, learner_id=learner_id)


@dataclass(frozen=True)
class Actors:
    """One of each kind of caller."""

    admin: Actor
    learner: Actor
    other: Actor  # a second learner, whose data `learner` must never see
    runner: Actor
    ci: Actor  # bound to `learner`


@pytest.fixture
def actors(engine: Engine) -> Actors:
    """An admin, two learners, a runner and a ci token bound to the first learner."""
    learner = make_actor(engine, "learner", handle=f"ada{next(_counter)}")
    return Actors(
        admin=make_actor(engine, "admin"),
        learner=learner,
        other=make_actor(engine, "learner", handle=f"bob{next(_counter)}"),
        runner=make_actor(engine, "runner"),
        ci=make_actor(engine, "ci", learner_id=learner.learner_id),
    )
