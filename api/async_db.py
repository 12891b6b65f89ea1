"""A small pool of PostgreSQL connections used on the event loop (psycopg's AsyncConnectionPool).

For the few hot statements that cost less awaited than sent through a worker thread: no thread hop and no
GIL handoff per statement, so a short latency tail under load. Used by the dashboard's activity-version
check and the event writer's batches; everything else keeps the SQLAlchemy sessions. PostgreSQL only (on
SQLite those paths use the sessions). Connections are in autocommit; `transaction()` opens a transaction
explicitly. No pre-ping, as with the main pool: a statement on a connection that died with the server fails
(503), and the pool replaces the broken connection.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg import AsyncClientCursor, pq
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import make_url

from db.engine import normalize_database_url


def libpq_url(database_url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL (no `+driver`)."""
    url = make_url(normalize_database_url(database_url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class AsyncDatabase:
    """The pool; opened and closed by the app's lifespan."""

    def __init__(self, database_url: str, *, max_size: int = 4) -> None:
        self._pool = AsyncConnectionPool(
            libpq_url(database_url),
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True, "connect_timeout": 5},
            timeout=2,  # waiting for a connection: statements take a millisecond, an outage fails fast
            open=False,
        )

    async def open(self) -> None:
        """Start the pool without waiting for connections (the database may be down at start-up)."""
        await self._pool.open(wait=False)

    async def close(self) -> None:
        """Close every connection."""
        await self._pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[tuple[object, ...]]]:
        """A pooled connection for the block."""
        async with self._pool.connection() as conn:
            yield conn

    @asynccontextmanager
    async def script_cursor(self) -> AsyncIterator["ScriptCursor"]:
        """A client-side-binding cursor for multi-statement messages that open and end their own
        transaction (`BEGIN; ...`, then `...; COMMIT`); rolled back if the block fails in between."""
        async with self._pool.connection() as conn:
            try:
                yield AsyncClientCursor(conn)
            except BaseException:
                if conn.info.transaction_status in (
                    pq.TransactionStatus.INTRANS,
                    pq.TransactionStatus.INERROR,
                ):
                    await conn.execute("ROLLBACK")
                raise


ScriptCursor = AsyncClientCursor[tuple[object, ...]]


async def next_row(cursor: ScriptCursor) -> tuple[object, ...] | None:
    """The next statement's first row (the cursor holds one result per statement sent)."""
    cursor.nextset()
    return await cursor.fetchone()


async def next_rows(cursor: ScriptCursor) -> list[tuple[object, ...]]:
    """The next statement's rows."""
    cursor.nextset()
    return await cursor.fetchall()
