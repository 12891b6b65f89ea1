"""Request and response models for curated resources, ratings and link checks."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ResourceKind = Literal["video", "article", "course", "book", "interactive", "docs", "paper", "repo"]
ResourceStatus = Literal["proposed", "approved", "rejected", "archived"]
LinkStatus = Literal["ok", "redirected", "broken", "unknown"]
Level = Literal["beginner", "intermediate", "advanced"]


class ResourceCreate(BaseModel):
    """A new resource: approved when an admin adds it, proposed when a learner does."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://www.3blue1brown.com/topics/linear-algebra?utm_source=x",
                    "title": "Essence of linear algebra",
                    "kind": "video",
                    "topics": ["linear-algebra"],
                    "provider": "3Blue1Brown",
                    "is_free": True,
                    "level": "beginner",
                    "est_minutes": 180,
                }
            ]
        },
    )

    url: str = Field(min_length=1, max_length=2048)
    title: str = Field(min_length=1, max_length=300)
    kind: ResourceKind
    topics: list[str] = Field(min_length=1, description="Slugs of the topics it teaches.")
    provider: str | None = Field(default=None, max_length=200)
    is_free: bool = True
    level: Level | None = None
    est_minutes: int | None = Field(default=None, ge=0)
    note: str | None = None


class ResourceUpdate(BaseModel):
    """Fields an admin may change; `status` follows the review workflow."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "approved"}]})

    url: str | None = Field(default=None, min_length=1, max_length=2048)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    kind: ResourceKind | None = None
    topics: list[str] | None = Field(default=None, min_length=1)
    provider: str | None = Field(default=None, max_length=200)
    is_free: bool | None = None
    level: Level | None = None
    est_minutes: int | None = Field(default=None, ge=0)
    note: str | None = None
    status: ResourceStatus | None = None


class ResourceRead(BaseModel):
    """A resource as the API shows it."""

    id: int
    url: str
    title: str
    kind: str
    provider: str | None
    is_free: bool
    level: str | None
    est_minutes: int | None
    note: str | None
    topics: list[str]
    status: str
    proposed_by_id: int | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    link_status: str
    http_status: int | None
    final_url: str | None
    last_checked_at: datetime | None
    consecutive_failures: int
    rating_avg: float | None
    rating_count: int
    created_at: datetime
    updated_at: datetime


class RatingPut(BaseModel):
    """A learner's rating of a resource."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"stars": 5, "comment": "The clearest intro I know."}]},
    )

    stars: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class RatingRead(BaseModel):
    """The caller's rating and the resource's new aggregate."""

    resource_id: int
    stars: int
    comment: str | None
    rating_avg: float | None
    rating_count: int


class LinkCheckStarted(BaseModel):
    """A link check accepted for background processing."""

    check_id: int


class LinkCheckRead(BaseModel):
    """Progress and outcome of a link check."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str = Field(
        description="queued, running, finished, failed, or interrupted (the API process stopped first)",
        examples=["running"],
    )
    requested_by: str | None
    total: int
    checked: int
    summary: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None
