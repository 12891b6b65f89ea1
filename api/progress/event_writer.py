"""Group commit for single new events: concurrent `POST .../events` share one transaction (PostgreSQL).

One writer task per API process takes every event waiting in its queue and, on the event loop's pool
(api.async_db), bumps those learners' activity versions (api.activity, rows locked in id order) and
inserts the rows (`INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING`) in one statement: one round
trip and one transaction, however busy the event loop is. Only then does each request answer 201. Under
load a batch holds what arrived during the previous one, so the database sees one transaction per batch
instead of one per event, and no request takes a worker thread.

Anything that is not plainly a new event (an id already stored, one repeated within the batch, a failed
transaction) comes back as `FALLBACK`, and the request takes the ordinary one-transaction path
(`events.store_events`), which decides between 200 and 409 as before; an unreachable database is a 503.
SQLite (one process, one writer) always takes the ordinary path.
"""

import asyncio
import contextlib
import json
from datetime import datetime
from typing import Any

import psycopg
import structlog
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from api.activity import BUMP_SQL
from api.async_db import AsyncDatabase
from api.errors import BadRequest, NotFound
from api.progress.events import EVENT_COLUMNS, QUOTED_EVENT_COLUMNS, VOIDED, prepare_events, store_events
from api.progress.schemas import EventCreate
from db.session import session_scope
from db.types import utcnow

log = structlog.get_logger(__name__)

CREATED = "created"
NO_LEARNER = "no_learner"
FALLBACK = "fallback"
MAX_BATCH = 256

# The batch travels as ONE JSON parameter (a JSON array of rows, read by jsonb_to_recordset): encoding it
# is one C-level json.dumps, where one array parameter per column cost psycopg ~15 us of Python per row.
_COLUMN_TYPES = {
    "id": "text",
    "learner_id": "int",
    "verb": "text",
    "object_type": "text",
    "object_id": "text",
    "result": "jsonb",
    "minutes": "float8",
    "timestamp": "timestamptz",
    "stored_at": "timestamptz",
    "body_hash": "text",
}
assert tuple(_COLUMN_TYPES) == EVENT_COLUMNS, "activity_event changed: update the writer's INSERT"
_RECORD = ", ".join(f'"{c}" {t}' for c, t in _COLUMN_TYPES.items())
# The whole batch is one statement, so one round trip and (in autocommit) one transaction: bump the
# learners' versions (rows locked in id order), insert the events of learners that exist, skip stored ids.
_BATCH_SQL = (
    f"WITH bumped AS ({BUMP_SQL}), "
    f"inserted AS (INSERT INTO activity_event ({QUOTED_EVENT_COLUMNS}) SELECT {QUOTED_EVENT_COLUMNS} "
    f"FROM jsonb_to_recordset(%s::jsonb) AS t({_RECORD}) WHERE learner_id IN (SELECT id FROM bumped) "
    "ON CONFLICT (id) DO NOTHING RETURNING id) "
    "SELECT 'learner', id::text FROM bumped UNION ALL SELECT 'event', id FROM inserted"
)

Pending = tuple[dict[str, Any], "asyncio.Future[str]"]


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _rows_json(rows: list[dict[str, Any]]) -> str:
    """The rows as the batch's JSON parameter (instants in ISO 8601 with their offset)."""
    return json.dumps(rows, default=_iso)


class EventWriter:
    """The process's writer task and its queue."""

    def __init__(self, db: AsyncDatabase, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: asyncio.Queue[Pending | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the task is taking events."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the task on the running loop (idempotent)."""
        if not self.running:
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._run(), name="event-writer")

    async def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then end the task."""
        task, self._task = self._task, None
        if task is not None:
            self._queue.put_nowait(None)
            # On a timeout wait_for cancels the task; _run answers every waiting request on its way out.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(task, timeout)

    async def write(self, values: dict[str, Any]) -> str:
        """Queue one event row; `CREATED`, `NO_LEARNER` or `FALLBACK` once its batch has committed.

        Raises `psycopg.OperationalError` (a 503) when the database cannot be reached."""
        if not self.running:
            return FALLBACK
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((values, future))
        return await future

    async def _run(self) -> None:
        batch: list[Pending] = []
        try:
            while True:
                first = await self._queue.get()
                if first is None:
                    return
                batch = [first]
                stopping = False
                while len(batch) < self._max_batch and not self._queue.empty():
                    item = self._queue.get_nowait()
                    if item is None:
                        stopping = True
                        break
                    batch.append(item)
                try:
                    outcomes = await self.write_batch([values for values, _ in batch])
                except psycopg.OperationalError as exc:  # the database is unreachable: each request is a 503
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                else:
                    for (_, future), outcome in zip(batch, outcomes, strict=True):
                        if not future.done():
                            future.set_result(outcome)
                batch = []
                if stopping:
                    return
        finally:
            # Whatever ends the task (stop, cancellation, a bug), no request is left waiting: the ones in
            # hand and the ones still queued take the ordinary path.
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is not None:
                    batch.append(item)
            for _, future in batch:
                if not future.done():
                    future.set_result(FALLBACK)

    async def write_batch(self, rows: list[dict[str, Any]]) -> list[str]:
        """One transaction for `rows`; an outcome per row, in order (the writer's unit of work)."""
        firsts: dict[str, dict[str, Any]] = {}
        for row in rows:  # an id twice in one batch: the first is tried, the others fall back
            firsts.setdefault(row["id"], row)
        learner_ids = sorted({row["learner_id"] for row in rows})
        try:
            async with self._db.connection() as conn:
                cursor = await conn.execute(_BATCH_SQL, [learner_ids, _rows_json(list(firsts.values()))])
                found = await cursor.fetchall()
            learners = {int(str(value)) for kind, value in found if kind == "learner"}
            new = {value for kind, value in found if kind == "event"}
        except psycopg.OperationalError:
            raise
        except Exception as exc:  # every request retries on its own path, which reports the error
            log.warning("events.batch_failed", events=len(rows), error=str(exc)[:200])
            return [FALLBACK] * len(rows)
        outcomes = []
        for row in rows:
            if row["learner_id"] not in learners:
                outcomes.append(NO_LEARNER)
            elif row["id"] in new and firsts.get(row["id"]) is row:
                outcomes.append(CREATED)
            else:
                outcomes.append(FALLBACK)
        return outcomes


async def store(
    body: EventCreate | list[EventCreate],
    *,
    learner_id: int,
    writer: EventWriter | None,
    session_factory: sessionmaker[Session],
) -> list[tuple[str, dict[str, Any]]]:
    """Store what a `POST .../events` carries; (`created` | `unchanged`, column values) per event.

    A single new event goes through the group commit; anything the writer hands back, and every batch or
    voiding event, takes the ordinary path: one transaction, committed in one worker-thread trip.
    """
    if writer is not None and isinstance(body, EventCreate) and body.verb != VOIDED:
        (values,) = prepare_events([body], learner_id=learner_id, now=utcnow())
        outcome = await writer.write(values)
        if outcome == CREATED:
            return [("created", values)]
        if outcome == NO_LEARNER:
            raise NotFound(f"learner {learner_id} not found")
    batch = body if isinstance(body, list) else [body]
    if not batch:
        raise BadRequest("an empty list holds no events")

    def ordinary() -> list[tuple[str, dict[str, Any]]]:
        with session_scope(session_factory) as session:
            return store_events(session, learner_id=learner_id, events=batch)

    return await run_in_threadpool(ordinary)
