"""Exercises: the coding tasks graded by the runner."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models import base as _base  # noqa: F401  (naming convention first)
from db.types import JSONType, UTCDateTime, utcnow


class Exercise(SQLModel, table=True):
    """A coding exercise; hidden tests and the reference solution are never served to learners."""

    __tablename__ = "exercise"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=sa.String(80), unique=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)
    title: str = Field(sa_type=sa.String(200))
    difficulty: str = Field(default="medium", sa_type=sa.String(16))
    instructions: str = Field(default="", sa_type=sa.Text)
    files: list[str] = Field(default_factory=list, sa_type=JSONType)
    starter_files: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    visible_tests: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    hidden_tests: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    reference_files: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    limits: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    points: int = 0
    position: int = 0
    status: str = Field(default="active", sa_type=sa.String(16))
    content_hash: str = Field(sa_type=sa.String(80))  # "sha256:" + 64 hex digits
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.CheckConstraint("status IN ('active','archived')", name="status"),)
