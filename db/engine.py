"""Engine construction with the per-backend settings we rely on."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers run beside the one writer."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def normalize_database_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for `url`, configured for SQLite or PostgreSQL."""
    url = normalize_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        # pysqlite's implicit BEGIN is deferred; an explicit BEGIN IMMEDIATE per write would be stricter,
        # but busy_timeout plus short transactions is enough for one API process.
        return engine
    return sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping (a round trip per checkout): a connection that died with the server fails its first
        # statement, SQLAlchemy invalidates the whole pool on that disconnect error, the request becomes a
        # 503 problem document (api.errors) and the next checkout connects afresh.
        pool_pre_ping=False,
        pool_timeout=5,
        connect_args={"connect_timeout": 5},
    )
