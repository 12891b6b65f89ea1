"""Alembic environment: runs migrations against the configured database."""

from alembic import context
from sqlalchemy.engine import Connection

import db.models  # noqa: F401  (registers every table on the metadata)
from db.engine import make_engine
from db.models.base import metadata
from db.models.catalogue import POSTGRESQL_ONLY_INDEXES

config = context.config


def _database_url() -> str:
    """An explicit URL from the caller wins over the environment's settings."""
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if url:
        return str(url)
    from api.settings import get_settings

    return get_settings().database_url


def _include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave the PostgreSQL-only search indexes out of autogenerate (they live in migration 0003)."""
    return not (type_ == "index" and reflected and name in POSTGRESQL_ONLY_INDEXES)


def _run(connection: Connection) -> None:
    """Configure the context for `connection` and run the migrations."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on a connection handed in by the caller, or on a fresh engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_database_url(), pool_size=1)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
