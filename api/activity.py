"""Learner activity versions: `learner.activity_version` moves in every transaction that changes what the
learner's dashboard shows, so a cached dashboard is valid exactly while the number is unchanged.

ORM writers need nothing special: a flush that adds, changes or deletes a row of `LEARNER_DATA` (or changes
the learner's own row) bumps the version in the same transaction, before the rows are written (so the
learner's row lock is always taken first). Core statements that bypass the ORM call `bump()` themselves.
Any replica reads the number with one indexed query, so this needs no cross-replica messaging.
"""

from collections.abc import Iterable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from api.async_db import AsyncDatabase
from db.models import ActivityEvent, Learner, ResourceProgress, Submission, TopicProgress, WeeklyGoal

LEARNER_DATA: tuple[type, ...] = (ActivityEvent, TopicProgress, ResourceProgress, WeeklyGoal, Submission)

_BUMPED = "activity_bumped"  # session.info: learner ids already bumped in this transaction
_LEARNER = Learner.__table__  # type: ignore[attr-defined]
_BUMP = (
    sa.update(_LEARNER)
    .where(_LEARNER.c.id.in_(sa.bindparam("ids", expanding=True)))
    .values(activity_version=_LEARNER.c.activity_version + 1)
    .returning(_LEARNER.c.id)
)
_READ = sa.select(_LEARNER.c.activity_version).where(_LEARNER.c.id == sa.bindparam("id"))
# The same two statements for api.async_db (PostgreSQL, event loop). Rows are locked in id order.
READ_SQL = "SELECT activity_version FROM learner WHERE id = %s"
BUMP_ONE_SQL = "UPDATE learner SET activity_version = activity_version + 1 WHERE id = %s RETURNING id"
BUMP_SQL = (
    "UPDATE learner SET activity_version = activity_version + 1 "
    "WHERE id IN (SELECT id FROM learner WHERE id = ANY(%s) ORDER BY id FOR UPDATE) RETURNING id"
)


def bump(session: Session, learner_ids: Iterable[int]) -> set[int]:
    """Move the learners' versions (once per transaction each); returns the ids that exist."""
    bumped: set[int] = session.info.setdefault(_BUMPED, set())
    wanted = set(learner_ids)
    pending = sorted(wanted - bumped)  # in id order: concurrent multi-learner bumps lock rows alike
    if not pending:
        return wanted
    found = set(session.connection().execute(_BUMP, {"ids": pending}).scalars())
    bumped.update(found)
    return (wanted - set(pending)) | found


def read_version(session: Session, learner_id: int) -> int | None:
    """The learner's current version, or None when there is no such learner (one statement)."""
    value = session.connection().execute(_READ, {"id": learner_id}).scalar()
    return None if value is None else int(value)


async def read_version_async(db: AsyncDatabase, learner_id: int) -> int | None:
    """`read_version` on the event loop (PostgreSQL)."""
    async with db.connection() as conn:
        row = await (await conn.execute(READ_SQL, (learner_id,))).fetchone()
    return None if row is None else int(row[0])  # type: ignore[call-overload]


def _changed_learners(session: Session) -> Iterable[int]:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, LEARNER_DATA):
            learner_id = getattr(obj, "learner_id", None)
            if learner_id is not None:
                yield learner_id
        elif isinstance(obj, Learner) and obj.id is not None and session.is_modified(obj):
            yield obj.id


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = set(_changed_learners(session))
    if changed:
        bump(session, changed)


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_BUMPED, None)


sa.event.listen(Session, "before_flush", _before_flush)
sa.event.listen(Session, "after_commit", _forget)
# Any rollback, a savepoint's too, may have taken a bump with it: bump again on the next write (an extra
# bump only costs a cached dashboard).
sa.event.listen(Session, "after_soft_rollback", _forget)
