"""Request and response models for topics, prerequisite edges and the topic graph."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EdgeKind = Literal["hard", "soft"]
Slug = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")


class TopicCreate(BaseModel):
    """A new topic (admin)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "attention",
                    "title": "Attention mechanisms",
                    "section": "nlp",
                    "summary": "Weighting inputs by relevance.",
                    "objectives": ["Explain scaled dot-product attention"],
                    "est_hours": 4,
                    "prerequisites": ["rnns"],
                }
            ]
        },
    )

    slug: str = Slug
    title: str = Field(min_length=1, max_length=200)
    section: str = Field(min_length=1, max_length=64)
    summary: str = ""
    objectives: list[str] = Field(default_factory=list)
    est_hours: float = Field(default=1.0, ge=0, le=1000)
    position: int = 0
    prerequisites: list[str] = Field(default_factory=list, description="Slugs of hard prerequisites.")


class TopicUpdate(BaseModel):
    """Fields an admin may change; all optional. `status: active` restores an archived topic."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Attention", "est_hours": 5}]}
    )

    title: str | None = Field(default=None, min_length=1, max_length=200)
    section: str | None = Field(default=None, min_length=1, max_length=64)
    summary: str | None = None
    objectives: list[str] | None = None
    est_hours: float | None = Field(default=None, ge=0, le=1000)
    position: int | None = None
    status: Literal["active", "archived"] | None = None


class TopicListItem(BaseModel):
    """A topic in a list."""

    slug: str
    title: str
    section: str
    section_title: str
    summary: str
    est_hours: float
    prerequisites: list[str]


class PrerequisiteRef(BaseModel):
    """One prerequisite edge seen from the topic that needs it."""

    slug: str
    title: str
    kind: EdgeKind


class TopicResourceRef(BaseModel):
    """An approved resource attached to a topic."""

    id: int
    title: str
    url: str
    kind: str
    provider: str | None
    is_free: bool
    level: str | None
    est_minutes: int | None
    link_status: str


class TopicExerciseRef(BaseModel):
    """An active exercise for a topic."""

    slug: str
    title: str
    points: int


class TopicRead(TopicListItem):
    """A topic with everything a page about it needs."""

    id: int
    status: str
    objectives: list[str]
    position: int
    version: int
    prerequisite_edges: list[PrerequisiteRef]
    resources: list[TopicResourceRef]
    exercises: list[TopicExerciseRef]
    unlocks: list[str] = Field(description="Active topics that list this one as a prerequisite.")


class PrerequisitePut(BaseModel):
    """The kind of a prerequisite edge."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"kind": "soft"}]})

    kind: EdgeKind = "hard"


class PrerequisiteRead(BaseModel):
    """A prerequisite edge: `topic` needs `prerequisite` first."""

    topic: str
    prerequisite: str
    kind: EdgeKind


class GraphNode(BaseModel):
    """A topic in the graph; `layer` is the longest path from a root (roots are 0)."""

    slug: str
    title: str
    section: str
    layer: int
    status: str | None = None
    mastery: str | None = None


class GraphEdge(BaseModel):
    """`from` is learned before `to`."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    kind: EdgeKind


class GraphRead(BaseModel):
    """The whole prerequisite graph of active topics."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
