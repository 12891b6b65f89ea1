"""`PUT .../topics/{slug}/progress` on the event loop (PostgreSQL): one transaction, two messages, no thread.

The rules are `tracking.set_topic_status`'s, which SQLite (and PostgreSQL while the catalogue cache is off
or not yet built) still takes. Here the work is a few statements on the event loop's pool (api.async_db)
in two round trips, each one multi-statement message with client-side binding (as in
api.submissions.accept_pg): BEGIN, the learner's version bump (the existence check and the learner's row
lock, so one learner's updates take turns, as in api.activity), the current row and the topic's best
scores in the first; the row and the `progressed` event (only when the status changes) and COMMIT in the
second. Pipeline mode did the same in two round trips but spun in psycopg's wait loop: a third of this
route's CPU (py-spy, bench/api).

Why hand-written SQL: through the ORM in a worker thread this route cost ~3.5 ms of CPU per request and
never got its p99 under 50 ms at 32 clients (bench/api); the same work here is a fraction of that.
"""

from datetime import datetime
from typing import Any, cast

import psycopg
from fastapi.concurrency import run_in_threadpool
from psycopg.types.json import Jsonb
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from api.activity import BUMP_ONE_SQL
from api.async_db import AsyncDatabase, next_row, next_rows
from api.coherence import CatalogueCache
from api.errors import NotFound
from api.progress.catalogue import Catalogue
from api.progress.events import EVENT_COLUMNS, QUOTED_EVENT_COLUMNS, server_event
from api.progress.mastery import BEST_RATIO_SQL, COUNTED_STATUSES, clamp_ratio, rate_topic
from api.progress.schemas import TopicProgressRead
from api.progress.tracking import set_topic_status as set_topic_status_orm
from api.progress.tracking import topic_progress_read
from db.session import session_scope
from db.types import utcnow

_CURRENT = "SELECT status, updated_at FROM topic_progress WHERE learner_id = %s AND topic_id = %s"
_BEST = (
    f"SELECT exercise_id, max({BEST_RATIO_SQL}) FROM submission "
    "WHERE learner_id = %s AND status = ANY(%s) AND exercise_id = ANY(%s) GROUP BY exercise_id"
)
_UPSERT = (
    "INSERT INTO topic_progress (learner_id, topic_id, status, updated_at) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (learner_id, topic_id) DO UPDATE SET status = excluded.status, "
    "updated_at = excluded.updated_at"
)
_INSERT_EVENT = (
    f"INSERT INTO activity_event ({QUOTED_EVENT_COLUMNS}) VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})"
)
_READS = f"BEGIN; {BUMP_ONE_SQL}; {_CURRENT}"
_READS_WITH_BEST = f"{_READS}; {_BEST}"
_WRITES = f"{_UPSERT}; {_INSERT_EVENT}; COMMIT"


def _event_params(values: dict[str, Any]) -> list[Any]:
    return [Jsonb(values[c]) if c == "result" and values[c] is not None else values[c] for c in EVENT_COLUMNS]


Cached = tuple[Catalogue, dict[int, list[int]]]


async def put_topic_status(
    *,
    db: AsyncDatabase | None,
    catalogue: CatalogueCache | None,
    session_factory: sessionmaker[Session],
    learner_id: int,
    slug: str,
    status: str,
) -> TopicProgressRead:
    """Set a topic's status: on the event loop when this path can serve, else in one worker-thread trip."""
    cached = _cached(catalogue) if db is not None else None
    if db is not None and cached is not None:
        try:
            return await set_topic_status(db, cached, learner_id=learner_id, slug=slug, status=status)
        except psycopg.IntegrityError:
            pass  # the topic was removed meanwhile: the ordinary path gives the answer

    def ordinary() -> TopicProgressRead:
        with session_scope(session_factory) as session:
            return set_topic_status_orm(session, learner_id=learner_id, slug=slug, status=status)

    return await run_in_threadpool(ordinary)


def _cached(catalogue: CatalogueCache | None) -> Cached | None:
    """The catalogue and the topics' exercises, when both are cached for the current catalogue (no I/O)."""
    if catalogue is None:
        return None
    topics, exercises = catalogue.peek("progress.catalogue"), catalogue.peek("progress.exercises_by_topic")
    return None if topics is None or exercises is None else (topics, exercises)


async def set_topic_status(
    db: AsyncDatabase, cached: Cached, *, learner_id: int, slug: str, status: str
) -> TopicProgressRead:
    """`tracking.set_topic_status` in one transaction of two round trips on the event loop (raises
    `psycopg.IntegrityError` if the topic vanished meanwhile)."""
    catalogue, exercises_by_topic = cached
    topic = catalogue.by_slug(slug)
    exercise_ids = exercises_by_topic.get(topic.id, [])
    async with db.script_cursor() as cursor:
        reads = (learner_id, learner_id, topic.id)
        if exercise_ids:
            await cursor.execute(_READS_WITH_BEST, (*reads, learner_id, COUNTED_STATUSES, exercise_ids))
        else:
            await cursor.execute(_READS, reads)
        if await next_row(cursor) is None:  # next_row: past BEGIN, to the version bump
            raise NotFound(f"learner {learner_id} not found")
        row = await next_row(cursor)
        best = {cast(int, e): clamp_ratio(r) for e, r in await next_rows(cursor)} if exercise_ids else {}
        previous, updated_at = (
            (str(row[0]), cast(datetime, row[1])) if row is not None else ("not_started", None)
        )
        changed = status != previous
        if changed:
            updated_at = utcnow()
            event = server_event(
                learner_id=learner_id,
                verb="progressed",
                object_type="topic",
                object_id=topic.slug,
                result={"status": status, "previous": previous},
                at=updated_at,
            )
            await cursor.execute(_WRITES, (learner_id, topic.id, status, updated_at, *_event_params(event)))
        else:
            await cursor.execute("COMMIT")  # the version bump stands, as on the ORM path
    rating = rate_topic(exercise_ids, best, status)
    return topic_progress_read(topic, status, rating, updated_at=updated_at, changed=changed)
