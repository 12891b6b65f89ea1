"""A learner's progress: per-topic and per-resource state, the activity log and weekly goals."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models import base as _base  # noqa: F401  (naming convention first)
from db.types import JSONType, UTCDateTime, utcnow

TOPIC_STATUSES = ("not_started", "in_progress", "completed", "skipped")


class TopicProgress(SQLModel, table=True):
    """Where a learner stands on one topic; counts in every path that contains the topic."""

    __tablename__ = "topic_progress"

    learner_id: int = Field(foreign_key="learner.id", primary_key=True, ondelete="CASCADE")
    topic_id: int = Field(foreign_key="topic.id", primary_key=True, ondelete="CASCADE", index=True)
    status: str = Field(default="not_started", sa_type=sa.String(16))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("status IN ('not_started','in_progress','completed','skipped')", name="status"),
    )


class ResourceProgress(SQLModel, table=True):
    """Whether a learner finished a resource and how long they spent on it."""

    __tablename__ = "resource_progress"

    learner_id: int = Field(foreign_key="learner.id", primary_key=True, ondelete="CASCADE")
    resource_id: int = Field(foreign_key="resource.id", primary_key=True, ondelete="CASCADE", index=True)
    completed: bool = False
    minutes_spent: int = 0
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActivityEvent(SQLModel, table=True):
    """An immutable xAPI-like statement; corrections are new events that void old ones. The one rewrite:
    its object id follows a topic or exercise slug renamed by content sync (content.renames)."""

    __tablename__ = "activity_event"

    id: str = Field(primary_key=True, sa_type=sa.String(36))
    learner_id: int = Field(foreign_key="learner.id", ondelete="CASCADE")
    verb: str = Field(sa_type=sa.String(40))
    object_type: str = Field(sa_type=sa.String(40))
    object_id: str = Field(sa_type=sa.String(120))
    result: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    # Minutes of study this event adds to weekly figures, derived once from `result` when it is stored
    # (events are immutable), so weekly sums run in SQL on both backends.
    minutes: float = Field(default=0, sa_column_kwargs={"server_default": "0"})
    timestamp: datetime = Field(sa_type=UTCDateTime)
    stored_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # sha256 of the canonical client body: a repeat with the same id compares against it (200 vs 409).
    body_hash: str = Field(sa_type=sa.String(64))

    __table_args__ = (
        sa.Index("ix_activity_event_learner_stored", "learner_id", "stored_at"),
        sa.Index("ix_activity_event_learner_timestamp", "learner_id", "timestamp"),
        sa.Index("ix_activity_event_voids", "verb", "object_id"),
    )


class WeeklyGoal(SQLModel, table=True):
    """Targets for one ISO week in the learner's timezone, fixed when the goal was set."""

    __tablename__ = "weekly_goal"

    learner_id: int = Field(foreign_key="learner.id", primary_key=True, ondelete="CASCADE")
    week: str = Field(primary_key=True, sa_type=sa.String(8))  # e.g. 2026-W48
    topics: list[str] = Field(default_factory=list, sa_type=JSONType)
    minutes: int | None = None
    exercises: int | None = None
    active_days: int | None = None
    # The zone and week start in force when the goal was set: changing them later doesn't rewrite history.
    timezone: str = Field(sa_type=sa.String(64))
    week_start: str = Field(default="monday", sa_type=sa.String(10))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
