"""Learners and API tokens."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models import base as _base  # noqa: F401  (naming convention first)
from db.types import UTCDateTime, utcnow

ROLES = ("admin", "learner", "runner", "ci")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Learner(SQLModel, table=True):
    """A person working through the curriculum."""

    __tablename__ = "learner"

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(sa_type=sa.String(40), unique=True)
    display_name: str | None = Field(default=None, sa_type=sa.String(120))
    timezone: str = Field(default="UTC", sa_type=sa.String(64))
    week_start: str = Field(default="monday", sa_type=sa.String(10))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Bumped by every transaction that changes what the learner's dashboard shows (api.activity): a cached
    # dashboard is valid while this number is unchanged.
    activity_version: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"})

    __table_args__ = (
        sa.CheckConstraint(
            "week_start IN ('monday','tuesday','wednesday','thursday','friday','saturday','sunday')",
            name="week_start",
        ),
    )


class ApiToken(SQLModel, table=True):
    """An opaque bearer token; only its keyed hash is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(120))
    prefix: str = Field(sa_type=sa.String(16))
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    role: str = Field(sa_type=sa.String(16))
    learner_id: int | None = Field(default=None, foreign_key="learner.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("role IN ('admin','learner','runner','ci')", name="role"),
        sa.CheckConstraint(
            "(role IN ('learner','ci')) = (learner_id IS NOT NULL)", name="learner_bound_roles"
        ),
    )
