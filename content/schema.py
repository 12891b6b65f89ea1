"""Pydantic models of the curriculum files (sections, topics, resources) and the problem record."""

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from content.urls import normalize_url

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ResourceKind = Literal["video", "article", "course", "book", "interactive", "docs", "paper", "repo"]
Level = Literal["beginner", "intermediate", "advanced"]
# Files hold curated links only: proposals and rejections live in the database, not in review.
FileResourceStatus = Literal["approved", "archived"]


@dataclass(frozen=True)
class ContentProblem:
    """One problem found in a content file: which file, where in it, and what is wrong."""

    file: str
    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.location}: {self.message}" if self.location else f"{where}: {self.message}"


class _Spec(BaseModel):
    # Unknown keys are typos more often than intentions; refuse them so a reviewer sees them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class SectionSpec(_Spec):
    """One entry of ``sections.yaml``."""

    slug: Slug
    title: Text
    summary: str = ""
    position: int = Field(ge=0)


class PrerequisiteSpec(_Spec):
    """An edge ``this topic -> topic``: ``hard`` must come first, ``soft`` is recommended first."""

    topic: Slug
    kind: Literal["hard", "soft"] = "hard"


class TopicSpec(_Spec):
    """One entry of ``topics/<section>.yaml``.

    ``section`` defaults to the file's name and ``position`` (order within the section) to the entry's
    index; both are written explicitly only when they differ, which ``syllabus content export`` does for
    topics an admin placed by hand. Fields the database allows to be empty may be empty here too, so that
    every exported database loads again; the curriculum tests hold the shipped files to a higher bar.
    """

    id: int = Field(ge=1)
    slug: Slug
    title: Text
    summary: str = ""
    objectives: list[Text] = Field(default_factory=list)
    est_hours: float = Field(gt=0, le=500)
    prerequisites: list[PrerequisiteSpec] = Field(default_factory=list)
    section: Slug | None = None
    position: int | None = Field(default=None, ge=0)


class ResourceSpec(_Spec):
    """One entry of ``resources.yaml``."""

    id: int = Field(ge=1)
    url: Text
    title: Text
    kind: ResourceKind
    provider: Text | None = None
    is_free: bool
    level: Level | None = None
    est_minutes: int | None = Field(default=None, ge=1)
    topics: list[Slug] = Field(default_factory=list)
    status: FileResourceStatus = "approved"
    note: Text | None = None

    @field_validator("url")
    @classmethod
    def _normalizable(cls, url: str) -> str:
        normalize_url(url)  # raises ValueError with a readable message
        return url
