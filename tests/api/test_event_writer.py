"""Group commit for single events (api.progress.event_writer), against the real PostgreSQL database."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import psycopg
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from api.activity import read_version
from api.async_db import AsyncDatabase
from api.progress import event_writer
from api.progress.event_writer import EventWriter
from api.progress.events import row_values
from api.settings import Settings
from db.models import ActivityEvent
from tests.api.test_progress_support import event_row
from tests.conftest import Actors

pytestmark = pytest.mark.postgres_only  # SQLite (one process) always takes the ordinary path
T = TypeVar("T")


def with_writer(settings: Settings, use: Callable[[EventWriter], Awaitable[T]]) -> T:
    """Run `use` with a started writer on the test database, on a fresh event loop."""

    async def main() -> T:
        db = AsyncDatabase(settings.database_url)
        await db.open()
        writer = EventWriter(db)
        writer.start()
        try:
            return await use(writer)
        finally:
            await writer.stop()
            await db.close()

    return asyncio.run(main())


def _values(learner_id: int, event_id: str | None = None) -> dict[str, object]:
    row = event_row(learner_id, datetime.now(UTC), minutes=5.0, result={"duration": "PT5M", "n": [1, None]})
    if event_id is not None:
        row.id = event_id
    return row_values(row)


def _count(db: Session) -> int:
    return db.exec(select(sa.func.count()).select_from(ActivityEvent)).one()


def test_concurrent_events_are_stored_once_each_and_move_the_version(
    settings: Settings, actors: Actors, db: Session
) -> None:
    me, other = actors.learner.learner_id or 0, actors.other.learner_id or 0
    before = (read_version(db, me) or 0, read_version(db, other) or 0)
    db.rollback()
    rows = [_values(me) for _ in range(40)] + [_values(other) for _ in range(40)]

    async def use(writer: EventWriter) -> list[str]:
        return list(await asyncio.gather(*(writer.write(values) for values in rows)))

    assert with_writer(settings, use) == [event_writer.CREATED] * 80
    stored = db.exec(select(ActivityEvent)).all()
    assert sorted((e.id, e.learner_id) for e in stored) == sorted((r["id"], r["learner_id"]) for r in rows)
    assert all(e.result == {"duration": "PT5M", "n": [1, None]} for e in stored)
    assert all(e.timestamp.tzinfo is not None and e.minutes == 5.0 for e in stored)
    assert (read_version(db, me) or 0) > before[0] and (read_version(db, other) or 0) > before[1]


def test_one_batch_sorts_out_repeats_and_missing_learners(
    settings: Settings, actors: Actors, db: Session
) -> None:
    me = actors.learner.learner_id or 0
    twice = str(uuid.uuid4())
    rows = [_values(me, twice), _values(me, twice), _values(987_654), _values(me)]
    outcomes = with_writer(settings, lambda writer: writer.write_batch(rows))
    assert outcomes == [
        event_writer.CREATED,
        event_writer.FALLBACK,  # the ordinary path answers 200 (same body) or 409
        event_writer.NO_LEARNER,
        event_writer.CREATED,
    ]
    assert _count(db) == 2


def test_a_repeated_id_falls_back_to_the_ordinary_path(
    settings: Settings, actors: Actors, db: Session
) -> None:
    values = _values(actors.learner.learner_id or 0)

    async def use(writer: EventWriter) -> list[str]:
        return [await writer.write(values), await writer.write(values)]

    assert with_writer(settings, use) == [event_writer.CREATED, event_writer.FALLBACK]
    assert _count(db) == 1


def test_a_failed_batch_writes_nothing_and_every_request_falls_back(
    settings: Settings, actors: Actors, db: Session
) -> None:
    good, bad = _values(actors.learner.learner_id or 0), _values(actors.learner.learner_id or 0)
    bad["verb"] = None  # NOT NULL: the whole transaction fails
    assert (
        with_writer(settings, lambda writer: writer.write_batch([good, bad])) == [event_writer.FALLBACK] * 2
    )
    assert _count(db) == 0


def test_a_stopped_writer_sends_requests_down_the_ordinary_path(settings: Settings, actors: Actors) -> None:
    idle = EventWriter(AsyncDatabase(settings.database_url))
    assert asyncio.run(idle.write(_values(actors.learner.learner_id or 0))) == event_writer.FALLBACK


def test_an_unreachable_database_is_an_error_not_a_fallback(settings: Settings, actors: Actors) -> None:
    """Every waiting request gets the connection error (a 503), within the pool's 2 s wait."""
    nowhere = settings.model_copy(update={"database_url": "postgresql://postgres@127.0.0.1:9/none"})
    with pytest.raises(psycopg.OperationalError):
        with_writer(nowhere, lambda writer: writer.write(_values(actors.learner.learner_id or 0)))
