"""The curriculum: sections, topics, prerequisite edges, resources and their ratings."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models import base as _base  # noqa: F401  (naming convention first)
from db.types import JSONType, UTCDateTime, utcnow

RESOURCE_KINDS = ("video", "article", "course", "book", "interactive", "docs", "paper", "repo")
RESOURCE_STATUSES = ("proposed", "approved", "rejected", "archived")
LINK_STATUSES = ("ok", "redirected", "broken", "unknown")


class Section(SQLModel, table=True):
    """A top-level part of the curriculum (mathematics, python, ...)."""

    __tablename__ = "section"

    slug: str = Field(primary_key=True, sa_type=sa.String(64))
    title: str = Field(sa_type=sa.String(200))
    summary: str = Field(default="", sa_type=sa.Text)
    position: int = 0


class Topic(SQLModel, table=True):
    """One node of the prerequisite graph; `id` is stable and never reused."""

    __tablename__ = "topic"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=sa.String(80), unique=True)
    title: str = Field(sa_type=sa.String(200))
    section: str = Field(foreign_key="section.slug", sa_type=sa.String(64), index=True)
    summary: str = Field(default="", sa_type=sa.Text)
    objectives: list[str] = Field(default_factory=list, sa_type=JSONType)
    est_hours: float = 1.0
    position: int = 0
    status: str = Field(default="active", sa_type=sa.String(16))
    content_hash: str | None = Field(default=None, sa_type=sa.String(64))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.CheckConstraint("status IN ('active','archived')", name="status"),)


class Prerequisite(SQLModel, table=True):
    """A directed edge: `topic_id` needs `prerequisite_id` first (hard) or preferably first (soft)."""

    __tablename__ = "prerequisite"

    topic_id: int = Field(foreign_key="topic.id", primary_key=True, ondelete="CASCADE")
    prerequisite_id: int = Field(foreign_key="topic.id", primary_key=True, ondelete="CASCADE", index=True)
    kind: str = Field(default="hard", sa_type=sa.String(8))

    __table_args__ = (
        sa.CheckConstraint("kind IN ('hard','soft')", name="kind"),
        sa.CheckConstraint("topic_id <> prerequisite_id", name="not_self"),
    )


class Resource(SQLModel, table=True):
    """A curated link (video, course, ...) with its review state and link health."""

    __tablename__ = "resource"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=sa.String(2048), unique=True)
    title: str = Field(sa_type=sa.String(300))
    kind: str = Field(sa_type=sa.String(16), index=True)
    provider: str | None = Field(default=None, sa_type=sa.String(200))
    is_free: bool = True
    level: str | None = Field(default=None, sa_type=sa.String(16))
    est_minutes: int | None = None
    note: str | None = Field(default=None, sa_type=sa.Text)
    status: str = Field(default="proposed", sa_type=sa.String(16), index=True)
    proposed_by_id: int | None = Field(
        default=None, foreign_key="learner.id", ondelete="SET NULL", index=True
    )
    reviewed_by: str | None = Field(default=None, sa_type=sa.String(120))
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    link_status: str = Field(default="unknown", sa_type=sa.String(16), index=True)
    http_status: int | None = None
    final_url: str | None = Field(default=None, sa_type=sa.String(2048))
    last_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consecutive_failures: int = 0
    content_hash: str | None = Field(default=None, sa_type=sa.String(64))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('video','article','course','book','interactive','docs','paper','repo')", name="kind"
        ),
        sa.CheckConstraint("status IN ('proposed','approved','rejected','archived')", name="status"),
        sa.CheckConstraint("link_status IN ('ok','redirected','broken','unknown')", name="link_status"),
    )


def _search_document(text: Any) -> Any:
    """The English tsvector of `text`, with literal arguments so that an expression index can match it."""
    return sa.func.to_tsvector(sa.literal_column("'english'::regconfig"), text)


# PostgreSQL full-text search documents. Resource search queries these exact expressions and migration
# 0003 indexes them (GIN, PostgreSQL only, so not declared on the tables: `alembic check` skips them by
# name). tests/api/test_resource_search_index.py shows the planner uses the indexes.
RESOURCE_SEARCH_DOCUMENT = _search_document(
    Resource.__table__.c.title  # type: ignore[attr-defined]
    + sa.literal_column("' '")
    + sa.func.coalesce(Resource.__table__.c.provider, sa.literal_column("''"))  # type: ignore[attr-defined]
)
TOPIC_SEARCH_DOCUMENT = _search_document(Topic.__table__.c.title)  # type: ignore[attr-defined]
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_resource_search", "ix_topic_search"})


class ResourceTopic(SQLModel, table=True):
    """Which topics a resource teaches (many-to-many)."""

    __tablename__ = "resource_topic"

    resource_id: int = Field(foreign_key="resource.id", primary_key=True, ondelete="CASCADE")
    topic_id: int = Field(foreign_key="topic.id", primary_key=True, ondelete="CASCADE", index=True)


class ResourceRating(SQLModel, table=True):
    """One learner's 1-5 star rating of a resource, replaceable."""

    __tablename__ = "resource_rating"

    resource_id: int = Field(foreign_key="resource.id", primary_key=True, ondelete="CASCADE")
    learner_id: int = Field(foreign_key="learner.id", primary_key=True, ondelete="CASCADE", index=True)
    stars: int
    comment: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),)


class LinkCheck(SQLModel, table=True):
    """One run of the link checker, started from the CLI or the admin route."""

    __tablename__ = "link_check"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="queued", sa_type=sa.String(16))
    requested_by: str | None = Field(default=None, sa_type=sa.String(120))
    total: int = 0
    checked: int = 0
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
