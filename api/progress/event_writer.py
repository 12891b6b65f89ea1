"""Group commit for single new events: concurrent `POST .../events` share one transaction.

One writer thread per API process takes every event waiting in its queue, then in one transaction bumps
those learners' activity versions (api.activity, in id order), inserts the rows with `ON CONFLICT DO
NOTHING` and commits; only then does each request answer 201. Under load a batch holds as many events as
arrived during the previous commit, so the database sees one transaction per batch instead of one per
event, and requests wait on a future instead of taking a worker thread each.

Anything that is not plainly a new event (an id already stored, one repeated within the batch, a failed
transaction) comes back as `FALLBACK`, and the request takes the ordinary one-transaction path
(`events.store_events`), which decides between 200, 409 and a 503 for a database outage exactly as before.
"""

import asyncio
import queue
import threading
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from api.activity import bump
from api.progress.events import insert_new
from db.session import session_scope

log = structlog.get_logger(__name__)

CREATED = "created"
NO_LEARNER = "no_learner"
FALLBACK = "fallback"
MAX_BATCH = 256
# A request never waits on the writer longer than this; then it takes the ordinary path.
WAIT_S = 30.0


@dataclass
class _Pending:
    values: dict[str, Any]
    future: "asyncio.Future[str]"
    loop: asyncio.AbstractEventLoop


def _resolve(future: "asyncio.Future[str]", outcome: str) -> None:
    if not future.done():
        future.set_result(outcome)


class EventWriter:
    """The process's event writer thread and its queue."""

    def __init__(self, session_factory: sessionmaker[Session], *, max_batch: int = MAX_BATCH) -> None:
        self._factory = session_factory
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the thread is taking events."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (idempotent)."""
        if not self.running:
            self._thread = threading.Thread(target=self._run, name="event-writer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then end the thread."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    async def write(self, values: dict[str, Any]) -> str:
        """Queue one event row; `CREATED`, `NO_LEARNER` or `FALLBACK` once its batch has committed."""
        if not self.running:
            return FALLBACK
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        self._queue.put(_Pending(values, future, loop))
        try:
            return await asyncio.wait_for(asyncio.shield(future), WAIT_S)
        except TimeoutError:
            return FALLBACK

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            outcomes = self.write_batch([pending.values for pending in batch])
            for pending, outcome in zip(batch, outcomes, strict=True):
                pending.loop.call_soon_threadsafe(_resolve, pending.future, outcome)

    def write_batch(self, rows: list[dict[str, Any]]) -> list[str]:
        """One transaction for `rows`; an outcome per row, in order (the writer thread's unit of work)."""
        try:
            with session_scope(self._factory) as session:
                learners = bump(session, {values["learner_id"] for values in rows})
                firsts: dict[str, dict[str, Any]] = {}
                for values in rows:  # an id twice in one batch: the first is tried, the others fall back
                    if values["learner_id"] in learners:
                        firsts.setdefault(values["id"], values)
                new = insert_new(session, list(firsts.values())) if firsts else set()
        except Exception as exc:  # every request retries on its own path, which reports the error
            log.warning("events.batch_failed", events=len(rows), error=str(exc)[:200])
            return [FALLBACK] * len(rows)
        outcomes = []
        for values in rows:
            if values["learner_id"] not in learners:
                outcomes.append(NO_LEARNER)
            elif values["id"] in new and firsts.get(values["id"]) is values:
                outcomes.append(CREATED)
            else:
                outcomes.append(FALLBACK)
        return outcomes
