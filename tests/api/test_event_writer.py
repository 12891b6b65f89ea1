"""Group commit for single events (api.progress.event_writer), against the real database."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.activity import read_version
from api.progress import event_writer
from api.progress.event_writer import EventWriter
from api.progress.events import row_values
from db.models import ActivityEvent
from db.session import make_session_factory
from tests.api.test_progress_support import event_row
from tests.conftest import Actors


@pytest.fixture
def writer(engine: Engine) -> Iterator[EventWriter]:
    """A started writer on the test database."""
    w = EventWriter(make_session_factory(engine))
    w.start()
    yield w
    w.stop()


def _values(learner_id: int, event_id: str | None = None) -> dict[str, object]:
    row = event_row(learner_id, datetime.now(UTC), minutes=5.0)
    if event_id is not None:
        row.id = event_id
    return row_values(row)


async def _write_all(writer: EventWriter, rows: list[dict[str, object]]) -> list[str]:
    return list(await asyncio.gather(*(writer.write(values) for values in rows)))


def test_concurrent_events_are_stored_once_each_and_move_the_version(
    writer: EventWriter, actors: Actors, db: Session
) -> None:
    me, other = actors.learner.learner_id or 0, actors.other.learner_id or 0
    before = (read_version(db, me), read_version(db, other))
    db.rollback()
    rows = [_values(me) for _ in range(40)] + [_values(other) for _ in range(40)]
    outcomes = asyncio.run(_write_all(writer, rows))

    assert outcomes == [event_writer.CREATED] * 80
    stored = db.exec(select(ActivityEvent.id, ActivityEvent.learner_id)).all()
    assert sorted(stored) == sorted((str(r["id"]), r["learner_id"]) for r in rows)
    after = (read_version(db, me), read_version(db, other))
    assert after[0] is not None and before[0] is not None and after[0] > before[0]
    assert after[1] is not None and before[1] is not None and after[1] > before[1]


def test_one_batch_sorts_out_repeats_and_missing_learners(
    writer: EventWriter, actors: Actors, db: Session
) -> None:
    me = actors.learner.learner_id or 0
    twice = str(uuid.uuid4())
    first, again, lost = _values(me, twice), _values(me, twice), _values(987_654)
    assert writer.write_batch([first, again, lost, _values(me)]) == [
        event_writer.CREATED,
        event_writer.FALLBACK,  # the ordinary path answers 200 (same body) or 409
        event_writer.NO_LEARNER,
        event_writer.CREATED,
    ]
    assert db.exec(select(sa.func.count()).select_from(ActivityEvent)).one() == 2


def test_a_repeated_id_falls_back_to_the_ordinary_path(
    writer: EventWriter, actors: Actors, db: Session
) -> None:
    me = actors.learner.learner_id or 0
    values = _values(me)
    assert asyncio.run(_write_all(writer, [values])) == [event_writer.CREATED]
    assert asyncio.run(_write_all(writer, [values])) == [event_writer.FALLBACK]  # there: 200 or 409
    assert db.exec(select(sa.func.count()).select_from(ActivityEvent)).one() == 1


def test_a_failed_batch_writes_nothing_and_every_request_falls_back(
    writer: EventWriter, actors: Actors, db: Session
) -> None:
    me = actors.learner.learner_id or 0
    good = _values(me)
    bad = _values(me)
    bad["verb"] = None  # NOT NULL: the whole transaction fails
    assert writer.write_batch([good, bad]) == [event_writer.FALLBACK] * 2
    assert db.exec(select(sa.func.count()).select_from(ActivityEvent)).one() == 0


def test_a_stopped_writer_sends_requests_down_the_ordinary_path(engine: Engine, actors: Actors) -> None:
    idle = EventWriter(make_session_factory(engine))
    assert asyncio.run(idle.write(_values(actors.learner.learner_id or 0))) == event_writer.FALLBACK
