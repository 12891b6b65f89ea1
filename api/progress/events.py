"""The activity log: storing events idempotently, voiding, listing, and which events count toward figures.

Decisions:
- A batch is all or nothing: a duplicate id inside it is 400 (naming the ids), any id already stored with a
  different body (or by another learner, whose body is never revealed) is 409 naming the ids, and nothing
  is stored. Otherwise the answer is 201 if at least one event was created, 200 if every one was a repeat,
  with each event's outcome listed.
- `attempted`, `progressed` and `completed` are recorded by the server (submissions, progress updates) and
  refused from clients (422): weekly figures built on them cannot be forged by posting events.
- `voided` with object `{type: "event", id}` must name an event of the same learner (stored earlier or in the
  same batch) that is not itself a voiding event (422 otherwise). The target then drops out of every list
  and computed figure; voiding events never show in lists or count as activity. Voiding an event does not
  undo stored topic/resource state: change that with the progress routes.
- Study minutes come from `result.duration_minutes` (a number) or else `result.duration` (ISO 8601, days and
  smaller units, e.g. PT1H30M); server events for resources carry `result.minutes`, the positive increase of
  `minutes_spent`. One event adds at most 1,440 minutes. They are derived once, when the event is stored.
- An event counts toward weeks, days and goals by its `timestamp`, and only once that instant has passed.
"""

import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.activity import bump
from api.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, UnprocessableContent
from api.pagination import InvalidCursor, decode_cursor
from api.progress.schemas import EventCreate, EventObject, EventRead
from db.models import ActivityEvent
from db.types import utcnow

SERVER_VERBS = frozenset({"attempted", "progressed", "completed"})
VOIDED = "voided"
MAX_BATCH = 100
MAX_RESULT_BYTES = 8_192
MAX_EVENT_MINUTES = 1_440.0
_DURATION_RE = re.compile(
    r"^P(?!$)(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


class DuplicateEventId(BadRequest):
    """One batch holds the same event id more than once."""

    code = "duplicate-event-id"


class EventConflict(Conflict):
    """An event id is already stored with a different body (or belongs to someone else)."""

    code = "event-conflict"


class InvalidEvent(UnprocessableContent):
    """An event is well-formed JSON but cannot be stored (reserved verb, bad void target, bad duration)."""

    code = "invalid-event"


class TooManyEvents(PayloadTooLarge):
    """A batch over the size cap."""

    code = "too-many-events"


# One encoder for canonical JSON (sorted keys, no spaces): reused, it skips building an encoder per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode
_CANONICAL_BODY = '{{"id":{},"object":{{"id":{},"type":{}}},"result":{},"timestamp":{},"verb":{}}}'


def canonical_json(value: Any) -> str:
    """`value` as canonical JSON text (what body hashes and the result size cap are computed on)."""
    return _CANONICAL(value)


def body_hash(
    *,
    event_id: str,
    verb: str,
    object_type: str,
    object_id: str,
    result: Any,
    timestamp: Any,
    result_json: str | None = None,
) -> str:
    """sha256 of the canonical body, so a repeat is recognised whatever its key order or offset notation.

    The canonical body is `{"id","object":{"id","type"},"result","timestamp","verb"}` as canonical JSON,
    assembled from its parts so that `result_json` (the result's canonical JSON, if the caller has it) is
    not encoded twice.
    """
    stamp = timestamp.astimezone(UTC).isoformat() if isinstance(timestamp, datetime) else None
    parts = (
        _CANONICAL(event_id),
        _CANONICAL(object_id),
        _CANONICAL(object_type),
        _CANONICAL(result) if result_json is None else result_json,
        _CANONICAL(stamp),
        _CANONICAL(verb),
    )
    canonical = '{{"id":{},"object":{{"id":{},"type":{}}},"result":{},"timestamp":{},"verb":{}}}'.format(
        *parts
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def duration_minutes(value: str) -> float:
    """Minutes in an ISO 8601 duration made of weeks, days, hours, minutes and seconds."""
    match = _DURATION_RE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not an ISO 8601 duration in days or smaller units (e.g. PT1H30M)")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["w"] * 10_080 + parts["d"] * 1_440 + parts["h"] * 60 + parts["m"] + parts["s"] / 60


def minutes_of(result: dict[str, Any] | None) -> float:
    """Study minutes a client event's result adds (see the module docstring)."""
    if not result:
        return 0.0
    if "duration_minutes" in result:
        value = result["duration_minutes"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError("result.duration_minutes must be a non-negative number")
        minutes = float(value)
    elif "duration" in result:
        if not isinstance(result["duration"], str):
            raise ValueError("result.duration must be an ISO 8601 duration string")
        minutes = duration_minutes(result["duration"])
    else:
        return 0.0
    if minutes > MAX_EVENT_MINUTES:
        raise ValueError(f"one event records at most {MAX_EVENT_MINUTES:.0f} minutes of study")
    return round(minutes, 2)


def event_read(event: ActivityEvent | Mapping[str, Any]) -> EventRead:
    """The API view of a stored event (a row, or its column values)."""
    values = event if isinstance(event, Mapping) else row_values(event)
    return EventRead(
        id=values["id"],
        verb=values["verb"],
        object=EventObject(type=values["object_type"], id=values["object_id"]),
        result=values["result"],
        timestamp=values["timestamp"].astimezone(UTC),
        stored=values["stored_at"].astimezone(UTC),
        minutes=values["minutes"],
    )


def server_event(
    *,
    learner_id: int,
    verb: str,
    object_type: str,
    object_id: str,
    result: dict[str, Any] | None,
    at: datetime,
    minutes: float = 0.0,
) -> dict[str, Any]:
    """The column values of a server-generated event (its id is a fresh uuid4)."""
    event_id = str(uuid.uuid4())
    return {
        "id": event_id,
        "learner_id": learner_id,
        "verb": verb,
        "object_type": object_type,
        "object_id": object_id,
        "result": result,
        "minutes": minutes,
        "timestamp": at,
        "stored_at": utcnow(),
        "body_hash": body_hash(
            event_id=event_id,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            result=result,
            timestamp=at,
        ),
    }


def record_event(
    session: Session,
    *,
    learner_id: int,
    verb: str,
    object_type: str,
    object_id: str,
    result: dict[str, Any] | None,
    at: datetime,
    minutes: float = 0.0,
) -> ActivityEvent:
    """Append a server-generated event to the session (see `server_event`)."""
    event = ActivityEvent(
        **server_event(
            learner_id=learner_id,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            result=result,
            at=at,
            minutes=minutes,
        )
    )
    session.add(event)
    session.flush()
    return event


def record_submission_event(
    session: Session,
    *,
    learner_id: int,
    exercise_slug: str,
    topic_id: int,
    submission_id: int,
    status: str,
    score: float,
    max_score: float,
    at: datetime,
) -> None:
    """Log a submission that reached a final status (called in the submission's own transaction)."""
    record_event(
        session,
        learner_id=learner_id,
        verb="attempted",
        object_type="exercise",
        object_id=exercise_slug,
        result={
            "success": status == "passed",
            "score": score,
            "max_score": max_score,
            "submission_id": submission_id,
            "topic_id": topic_id,
        },
        at=at,
    )


def not_voided(event: Any = ActivityEvent) -> sa.ColumnElement[bool]:
    """No voiding event points at `event`.

    Voiding events are checked to target the same learner when stored, so the lookup is by target id alone:
    that keeps it on `ix_activity_event_voids` (a learner_id term lets SQLite pick the learner index and
    rescan the whole history per event).
    """
    void = aliased(ActivityEvent)
    return ~sa.exists().where(
        col(void.verb) == VOIDED,
        col(void.object_id) == event.id,
        col(void.object_type) == "event",
    )


def counted(learner_id: int, now: datetime, event: Any = ActivityEvent) -> list[sa.ColumnElement[bool]]:
    """Conditions for an event that counts toward figures: the learner's, happened by `now`, not voided."""
    return [
        event.learner_id == learner_id,
        event.verb != VOIDED,
        event.timestamp <= now,
        not_voided(event),
    ]


def _check_batch(events: Sequence[EventCreate]) -> None:
    """Refuse oversized batches, repeated ids and events clients may not post."""
    if len(events) > MAX_BATCH:
        raise TooManyEvents(f"a batch holds at most {MAX_BATCH} events, got {len(events)}", limit=MAX_BATCH)
    seen: set[str] = set()
    repeated: list[str] = []
    for event in events:
        eid = str(event.id)
        if eid in seen and eid not in repeated:
            repeated.append(eid)
        seen.add(eid)
    if repeated:
        raise DuplicateEventId(f"the batch holds event id {', '.join(repeated)} more than once", ids=repeated)
    for index, event in enumerate(events):
        if event.verb in SERVER_VERBS:
            raise InvalidEvent(
                f"[{index}].verb: {event.verb!r} is recorded by the server; use the progress routes",
                field="verb",
                id=str(event.id),
            )
        if event.verb == VOIDED:
            if event.object.type != "event":
                raise InvalidEvent(
                    f"[{index}].object.type: a voided event points at an event", id=str(event.id)
                )
            try:
                uuid.UUID(event.object.id)
            except ValueError as exc:
                raise InvalidEvent(f"[{index}].object.id: not an event id", id=str(event.id)) from exc


def _check_void_targets(
    session: Session, *, learner_id: int, events: Sequence[EventCreate], new_ids: set[str]
) -> None:
    """A voiding event must name an earlier event of the same learner that is not itself a voiding."""
    targets = {str(uuid.UUID(e.object.id)) for e in events if e.verb == VOIDED}
    if not targets:
        return
    stored = dict(
        session.exec(
            select(ActivityEvent.id, ActivityEvent.verb).where(
                col(ActivityEvent.id).in_(targets), ActivityEvent.learner_id == learner_id
            )
        ).all()
    )
    batch_verbs = {str(e.id): e.verb for e in events if str(e.id) in new_ids}
    bad = sorted(t for t in targets if stored.get(t, batch_verbs.get(t)) in (None, VOIDED))
    if bad:
        raise InvalidEvent(
            f"voided: no event of this learner (other than a voiding one) has id {', '.join(bad)}", ids=bad
        )


def prepare_events(events: Sequence[EventCreate], *, learner_id: int, now: datetime) -> list[dict[str, Any]]:
    """Check a batch (no I/O) and build its rows' column values, in request order."""
    _check_batch(events)
    prepared: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        eid = str(event.id)
        result_json = canonical_json(event.result)
        if len(result_json) > MAX_RESULT_BYTES:  # ASCII only (escaped), so characters are bytes
            raise InvalidEvent(f"[{index}].result: larger than {MAX_RESULT_BYTES} bytes as JSON", id=eid)
        try:
            minutes = minutes_of(event.result)
        except ValueError as exc:
            raise InvalidEvent(f"[{index}].result: {exc}", id=eid) from exc
        prepared.append(
            {
                "id": eid,
                "learner_id": learner_id,
                "verb": event.verb,
                "object_type": event.object.type,
                "object_id": str(uuid.UUID(event.object.id)) if event.verb == VOIDED else event.object.id,
                "result": event.result,
                "minutes": minutes,
                "timestamp": event.timestamp.astimezone(UTC) if event.timestamp else now,
                "stored_at": now,
                "body_hash": body_hash(
                    event_id=eid,
                    verb=event.verb,
                    object_type=event.object.type,
                    object_id=event.object.id,
                    result=event.result,
                    timestamp=event.timestamp,
                    result_json=result_json,
                ),
            }
        )
    return prepared


def store_events(
    session: Session, *, learner_id: int, events: Sequence[EventCreate]
) -> list[tuple[str, dict[str, Any]]]:
    """Store a batch idempotently; (`created` | `unchanged`, the event's column values) per event, in order.

    The first statement bumps the learner's activity version (api.activity): it is also the check that the
    learner exists, and it takes the learner's row lock before any event row.
    """
    prepared = prepare_events(events, learner_id=learner_id, now=utcnow())
    if not bump(session, [learner_id]):
        raise NotFound(f"learner {learner_id} not found")
    ids = [values["id"] for values in prepared]
    candidates = {values["id"]: values for values in prepared}
    # Insert first, skipping ids already stored: a batch of new events (the usual case) costs one statement.
    # Anything refused below raises, and the request's rollback takes the inserted rows with it.
    new_ids = insert_new(session, list(candidates.values()))
    repeats = [eid for eid in ids if eid not in new_ids]
    existing: dict[str, dict[str, Any]] = {}
    if repeats:
        existing = {
            row.id: row_values(row)
            for row in session.exec(select(ActivityEvent).where(col(ActivityEvent.id).in_(repeats)))
        }
    conflicts = [
        eid
        for eid, values in candidates.items()
        if eid in existing
        and (existing[eid]["learner_id"] != learner_id or existing[eid]["body_hash"] != values["body_hash"])
    ]
    if conflicts:
        raise EventConflict(
            f"event id {', '.join(conflicts)} is already stored with a different body; "
            "corrections are new events that void old ones",
            ids=conflicts,
        )
    vanished = sorted(eid for eid in repeats if eid not in existing)
    if vanished:  # skipped as stored, yet not visible: a concurrent transaction holds it
        raise EventConflict("an event id in this batch was stored concurrently; retry", ids=vanished)
    _check_void_targets(session, learner_id=learner_id, events=events, new_ids=new_ids)
    return [("unchanged", existing[eid]) if eid in existing else ("created", candidates[eid]) for eid in ids]


_INSERT_NEW: dict[str, Any] = {}
_EVENT_TABLE = ActivityEvent.__table__  # type: ignore[attr-defined]
EVENT_COLUMNS: tuple[str, ...] = tuple(column.name for column in _EVENT_TABLE.columns)
QUOTED_EVENT_COLUMNS = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)  # for raw SQL (api.async_db paths)


def row_values(row: ActivityEvent) -> dict[str, Any]:
    """An event row as the column values `insert_new` takes."""
    return {name: getattr(row, name) for name in EVENT_COLUMNS}


def insert_new(session: Session, values: list[dict[str, Any]]) -> set[str]:
    """INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id: the ids that were new (one round trip).

    One statement object per dialect with bound parameters, so SQLAlchemy compiles it once per process.
    """
    dialect = session.get_bind().dialect.name
    statement = _INSERT_NEW.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(_EVENT_TABLE).on_conflict_do_nothing(index_elements=["id"]).returning(_EVENT_TABLE.c.id)
        )
        _INSERT_NEW[dialect] = statement
    result = session.execute(statement, values if len(values) > 1 else values[0])
    return set(result.scalars())


def parse_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The (stored, id) key of the last event of the previous page."""
    key = decode_cursor(cursor, arity=2)
    if key is None:
        return None
    try:
        stored = datetime.fromisoformat(str(key[0]))
    except ValueError as exc:
        raise InvalidCursor("cursor: not a cursor issued by this API") from exc
    if stored.tzinfo is None:
        raise InvalidCursor("cursor: not a cursor issued by this API")
    return stored, str(key[1])


def list_events(
    session: Session,
    *,
    learner_id: int,
    since: datetime | None,
    until: datetime | None,
    verb: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[ActivityEvent]:
    """Events by (stored, id), voided and voiding ones left out; `since` exclusive, `until` inclusive."""
    query = select(ActivityEvent).where(
        ActivityEvent.learner_id == learner_id, ActivityEvent.verb != VOIDED, not_voided()
    )
    if since is not None:
        query = query.where(ActivityEvent.stored_at > since)
    if until is not None:
        query = query.where(ActivityEvent.stored_at <= until)
    if verb is not None:
        query = query.where(ActivityEvent.verb == verb)
    if after is not None:
        stored, last_id = after
        query = query.where(
            sa.or_(
                col(ActivityEvent.stored_at) > stored,
                sa.and_(col(ActivityEvent.stored_at) == stored, col(ActivityEvent.id) > last_id),
            )
        )
    query = query.order_by(col(ActivityEvent.stored_at), col(ActivityEvent.id)).limit(limit)
    return list(session.exec(query).all())


def recent_events(session: Session, *, learner_id: int, now: datetime, limit: int) -> list[ActivityEvent]:
    """The latest counted events by when they happened."""
    query = (
        select(ActivityEvent)
        .where(*counted(learner_id, now))
        .order_by(col(ActivityEvent.timestamp).desc(), col(ActivityEvent.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())
