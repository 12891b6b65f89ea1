"""Wake long-polling requests: PostgreSQL LISTEN/NOTIFY across API processes, in-process events always.

Design: every API process holds one `Waker` (on `app.state.waker`) with subscriptions per channel.
A long poll subscribes to a channel, tries its query, and waits for a fire (or for a short poll interval
to pass, the fallback that makes a lost notification cost at most one interval).
Writers send `pg_notify` inside their own transaction (delivered only if it commits) and also fire the
local waker after commit, so SQLite (one process) needs nothing else. Submissions on PostgreSQL, the
busiest writer, send theirs just after the commit instead, coalesced (api.jobs.announce).
On PostgreSQL a background task holds one psycopg `AsyncConnection` that LISTENs and turns notifications
from any API replica into local wake-ups; it reconnects with backoff when the database goes away.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import sqlalchemy as sa
import structlog
from fastapi import FastAPI
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlmodel import Session, select

from api import coherence

log = structlog.get_logger("api.jobs.waker")

JOBS_CHANNEL = "syllabus_jobs"
SUBMISSIONS_CHANNEL = "syllabus_submissions"
# A long poll re-checks the database at least this often, whatever the notifications do...
POLL_INTERVAL_S = 1.0
# ...and this many times less often while this process's LISTEN connection is up: the re-check then only
# guards against the improbable, and hundreds of waiting learners re-reading every second cost real CPU.
LISTENING_POLL_FACTOR = 5.0


def submission_channel(submission_id: int) -> str:
    """The local channel a finished submission fires."""
    return f"{SUBMISSIONS_CHANNEL}:{submission_id}"


class Waker:
    """Per-channel subscriptions that coroutines wait on; `fire` is safe from any thread.

    Subscribe *before* checking the database and wait afterwards: a fire in between is then never lost.
    """

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Event]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.listening = False  # whether NOTIFYs from every API process reach this one right now

    def fallback_poll_s(self, base: float) -> float:
        """How often a long poll re-checks the database: rarely while NOTIFYs arrive, `base` otherwise."""
        return base * LISTENING_POLL_FACTOR if self.listening else base

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the event loop that waiters run on (for wake-ups from worker threads)."""
        self._loop = loop

    @contextlib.contextmanager
    def subscribe(self, channel: str) -> Iterator[asyncio.Event]:
        """An event set by the next fire of `channel`, registered for the duration of the block."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        event = asyncio.Event()
        self._subscribers.setdefault(channel, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._subscribers.get(channel)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._subscribers[channel]

    def _fire_in_loop(self, channel: str) -> None:
        for event in self._subscribers.get(channel, ()):
            event.set()

    def fire(self, channel: str) -> None:
        """Wake every subscriber of `channel` (callable from the loop or from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._fire_in_loop(channel)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
                loop.call_soon_threadsafe(self._fire_in_loop, channel)


async def wait_for(event: asyncio.Event, timeout: float) -> bool:
    """Wait for `event` at most `timeout` seconds; True when it was set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=max(0.0, timeout))
    return event.is_set()


def notify_after_commit(session: Session, waker: Waker | None, *, channel: str, payload: str = "") -> None:
    """Announce `channel` when `session` commits: pg_notify in the transaction, a local fire after it."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.exec(select(sa.func.pg_notify(channel, payload)))
    if waker is not None:
        local = submission_channel(int(payload)) if channel == SUBMISSIONS_CHANNEL and payload else channel
        run_after_commit(session, lambda: waker.fire(local))


def run_after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once, after the session's current transaction commits."""

    def _after_commit(_session: Session) -> None:
        callback()

    sa.event.listen(session, "after_commit", _after_commit, once=True)


def _libpq_dsn(database_url: str) -> str:
    """A plain `postgresql://` DSN for psycopg from the SQLAlchemy URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


# TCP keepalives: a listener whose server vanished without a FIN is noticed within ~10 s (the caches that
# rely on it turn themselves off until it is back; see api.coherence).
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2}


async def _listen_forever(waker: Waker, database_url: str, engine: Engine | None = None) -> None:
    """Turn NOTIFYs from every API process into wake-ups and cache invalidations; reconnect with backoff.

    The same connection LISTENs to the cache channels of `api.coherence`: the caches of `engine` are on only
    while it is connected (cleared on every connect, since notifications sent meanwhile are lost).
    """
    backoff = 0.5
    channels = [JOBS_CHANNEL, SUBMISSIONS_CHANNEL, *coherence.CHANNELS]
    while True:
        try:
            dsn = make_conninfo(_libpq_dsn(database_url), **_KEEPALIVES)
            conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
            async with conn:
                for channel in channels:
                    await conn.execute(f"LISTEN {channel}")
                log.info("waker.listening", channels=channels)
                backoff = 0.5
                waker.listening = True
                if engine is not None:
                    coherence.set_reliable(engine, True)
                # Whatever happened while we were disconnected is picked up by the poll fallback; wake now.
                waker.fire(JOBS_CHANNEL)
                try:
                    async for note in conn.notifies():
                        if note.channel in coherence.CHANNELS:
                            coherence.on_notification(note.channel, note.payload)
                        elif note.channel == SUBMISSIONS_CHANNEL and note.payload.isdigit():
                            waker.fire(submission_channel(int(note.payload)))
                        else:
                            waker.fire(note.channel)
                finally:
                    waker.listening = False
                    if engine is not None:
                        coherence.set_reliable(engine, False)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database went away: keep trying, the poll fallback covers the gap
            log.warning("waker.listen_failed", error=f"{type(exc).__name__}: {exc}"[:200], retry_in_s=backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)


def get_waker(app: Any) -> Waker:
    """The app's waker (created on first use when the lifespan did not run, e.g. a bare ASGI mount)."""
    waker: Waker | None = getattr(app.state, "waker", None)
    if waker is None:
        waker = Waker()
        app.state.waker = waker
    return waker


@asynccontextmanager
async def waker_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the app's waker and, on PostgreSQL, the background LISTEN task."""
    waker = get_waker(app)
    waker.bind(asyncio.get_running_loop())
    task: asyncio.Task[None] | None = None
    database_url: str = app.state.settings.database_url
    if not app.state.settings.is_sqlite:
        engine: Engine | None = getattr(app.state, "engine", None)
        task = asyncio.create_task(_listen_forever(waker, database_url, engine), name="syllabus-waker")
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
