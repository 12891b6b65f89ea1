"""The benchmark's database: a fresh PostgreSQL database, migrated, with the shipped content and learners."""

from dataclasses import dataclass

import psycopg
from sqlmodel import select

from api.accounts.schemas import LearnerCreate, TokenCreate
from api.accounts.service import create_learner, mint_token
from api.settings import Settings
from content.loader import load_content
from content.sync import apply_sync, plan_sync
from db import migrate
from db.engine import make_engine
from db.models import Exercise, Topic
from db.session import make_session_factory, session_scope


@dataclass(frozen=True)
class BenchData:
    """What the load scripts need: learner tokens, topic slugs and one exercise to submit to."""

    learner_tokens: list[str]
    submitter_tokens: list[str]  # POST submissions spreads over these (see bench.api.run.server_env)
    topic_slugs: list[str]
    exercise_slug: str
    exercise_file: str


def _admin(admin_dsn: str, sql: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql)


def database_url(admin_dsn: str, name: str) -> str:
    """The URL of database `name` on the server that `admin_dsn` points at."""
    return f"{admin_dsn.rsplit('/', 1)[0]}/{name}"


def create_database(admin_dsn: str, name: str) -> str:
    """Create (or recreate) an empty database and return its URL."""
    _admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(admin_dsn, f'CREATE DATABASE "{name}"')
    return database_url(admin_dsn, name)


def drop_database(admin_dsn: str, name: str) -> None:
    """Drop the benchmark's database (its connections too)."""
    _admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def populate(settings: Settings, *, learners: int, submitters: int = 0) -> BenchData:
    """Migrate, sync `content/`, and make `learners` + `submitters` learners with one learner token each."""
    migrate.upgrade(settings.database_url)
    content = load_content(settings.content_path)
    engine = make_engine(settings.database_url, pool_size=1)
    secret = settings.secret_key.get_secret_value()
    tokens = []
    try:
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            plan = plan_sync(session, content, prune=False)
            if plan.problems:
                raise SystemExit(f"content/ does not validate: {plan.problems[0]}")
            apply_sync(session, plan)
        with session_scope(factory) as session:
            for n in range(learners + submitters):
                learner = create_learner(session, data=LearnerCreate(handle=f"bench{n}", timezone="UTC"))
                _, token = mint_token(
                    session,
                    data=TokenCreate(role="learner", name="bench", learner_id=learner.id),
                    secret=secret,
                )
                tokens.append(token)
            slugs = list(session.exec(select(Topic.slug).order_by(Topic.slug)).all())
            exercise = session.exec(select(Exercise).order_by(Exercise.slug)).first()
            assert exercise is not None, "content/ ships no exercise"
            exercise_slug, exercise_file = exercise.slug, next(iter(exercise.files))
    finally:
        engine.dispose()
    return BenchData(
        learner_tokens=tokens[:learners],
        submitter_tokens=tokens[learners:],
        topic_slugs=slugs,
        exercise_slug=exercise_slug,
        exercise_file=exercise_file,
    )
