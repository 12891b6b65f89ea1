"""Request and response models for progress, events, goals, mastery, recommendations and the dashboard."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TopicStatus = Literal["not_started", "in_progress", "completed", "skipped"]
Mastery = Literal["not_started", "attempted", "familiar", "proficient", "mastered"]
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_.:/-]*$"


# --- topic and resource progress -------------------------------------------------------------------


class TopicProgressUpdate(BaseModel):
    """The new status of one topic."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "in_progress"}]})

    status: TopicStatus


class TopicProgressRead(BaseModel):
    """One topic's state for a learner, with mastery and the rule that set it."""

    slug: str
    title: str
    section: str
    status: TopicStatus
    mastery: Mastery
    mastery_reason: str
    updated_at: datetime | None = Field(description="When the status last changed; null if never set.")
    changed: bool | None = Field(default=None, description="On PUT: whether this request changed anything.")


class SectionProgress(BaseModel):
    """Share of a section's active topics the learner completed."""

    section: str
    title: str
    topics: int
    completed: int
    percent_complete: float


class ProgressRead(BaseModel):
    """Every active topic's state plus per-section completion."""

    topics: list[TopicProgressRead]
    sections: list[SectionProgress]


class ResourceProgressUpdate(BaseModel):
    """Whether the resource is finished and (optionally) the total minutes spent on it so far."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"completed": True, "minutes_spent": 45}]}
    )

    completed: bool
    minutes_spent: int | None = Field(
        default=None, ge=0, le=100_000, description="Total minutes so far (not a delta); omitted = unchanged."
    )


class ResourceProgressRead(BaseModel):
    """One resource's state for a learner."""

    resource_id: int
    title: str
    completed: bool
    minutes_spent: int
    completed_at: datetime | None
    updated_at: datetime
    changed: bool


# --- events ----------------------------------------------------------------------------------------


class EventObject(BaseModel):
    """What the event is about: `{type: topic|resource|exercise|event|..., id}`."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1, max_length=40, pattern=NAME_PATTERN, examples=["resource"])
    id: str = Field(min_length=1, max_length=120, examples=["42"])


class EventCreate(BaseModel):
    """One xAPI-like statement; the client chooses its UUID so retries are safe."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2b8c1e-6a0d-4d7e-9a55-0c6f1d2e9b10",
                    "verb": "experienced",
                    "object": {"type": "resource", "id": "42"},
                    "result": {"duration": "PT25M"},
                    "timestamp": "2026-11-28T20:15:00+13:00",
                },
                {
                    "id": "8d7e1f0a-2b3c-4d5e-8f90-1a2b3c4d5e6f",
                    "verb": "voided",
                    "object": {"type": "event", "id": "3f2b8c1e-6a0d-4d7e-9a55-0c6f1d2e9b10"},
                },
            ]
        },
    )

    id: UUID
    verb: str = Field(min_length=1, max_length=40, pattern=NAME_PATTERN)
    object: EventObject
    result: dict[str, Any] | None = Field(
        default=None,
        description="Free-form; `duration_minutes` (number) or `duration` (ISO 8601, e.g. PT1H30M) add "
        "study minutes to weekly goals.",
    )
    timestamp: AwareDatetime | None = Field(default=None, description="When it happened; defaults to now.")


class EventRead(BaseModel):
    """A stored event; `stored` is the server's time."""

    id: str
    verb: str
    object: EventObject
    result: dict[str, Any] | None
    timestamp: datetime
    stored: datetime
    minutes: float = Field(description="Study minutes this event adds to weekly figures.")


class EventOutcome(BaseModel):
    """What happened to one event of a batch."""

    id: str
    outcome: Literal["created", "unchanged"]
    event: EventRead


class EventBatchRead(BaseModel):
    """A batch's per-event outcomes (201 if any event was created, else 200)."""

    items: list[EventOutcome]
    created: int
    unchanged: int


# --- goals -----------------------------------------------------------------------------------------


class GoalUpdate(BaseModel):
    """A week's targets; every target is optional but at least one must be set."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"topics": ["linear-algebra-basics"], "minutes": 240, "exercises": 2, "active_days": 4}
            ]
        },
    )

    topics: list[str] | None = Field(default=None, max_length=50)
    minutes: int | None = Field(default=None, ge=1, le=10_080)
    exercises: int | None = Field(default=None, ge=1, le=1_000)
    active_days: int | None = Field(default=None, ge=1, le=7)


class CountProgress(BaseModel):
    """A numeric target and what the learner reached."""

    target: float
    value: float
    met: bool


class TopicsProgress(BaseModel):
    """The target topics, which are completed, which are not."""

    target: list[str]
    completed: list[str]
    remaining: list[str]
    met: bool


class GoalProgress(BaseModel):
    """Progress against each target that was set."""

    topics: TopicsProgress | None = None
    minutes: CountProgress | None = None
    exercises: CountProgress | None = None
    active_days: CountProgress | None = None


class GoalRead(BaseModel):
    """A weekly goal, the calendar it is counted in, its progress and whether it is met."""

    week: str
    timezone: str
    week_start: str
    starts_at: datetime
    ends_at: datetime
    status: Literal["current", "past", "future"]
    topics: list[str]
    minutes: int | None
    exercises: int | None
    active_days: int | None
    progress: GoalProgress
    met: bool
    created_at: datetime
    updated_at: datetime


class GoalHistory(BaseModel):
    """Goals newest week first, with streaks of weeks met."""

    items: list[GoalRead]
    next_cursor: str | None = None
    total: int
    current_week: str
    streak_weeks: int
    longest_streak_weeks: int


# --- recommendations -------------------------------------------------------------------------------


class NextTopic(BaseModel):
    """A topic the learner can start (or continue) now."""

    slug: str
    title: str
    section: str
    est_hours: float
    status: TopicStatus
    reason: str


class LockedTopic(BaseModel):
    """A topic still waiting for hard prerequisites."""

    slug: str
    title: str
    section: str
    unmet_prerequisites: list[str]


class NextRead(BaseModel):
    """What to study next, and what is still locked."""

    items: list[NextTopic]
    locked: list[LockedTopic]


class PathStep(BaseModel):
    """One topic on the way to a target."""

    slug: str
    title: str
    section: str
    est_hours: float
    status: TopicStatus
    unlocked: bool
    reason: str


class PathRead(BaseModel):
    """The not-yet-done topics needed for `target`, in a valid order."""

    target: str
    items: list[PathStep]
    total_est_hours: float


# --- dashboard -------------------------------------------------------------------------------------


class SectionMastery(BaseModel):
    """How far a section's topics are mastered."""

    section: str
    title: str
    topics: int
    counts: dict[str, int]
    percent_proficient: float = Field(description="Topics at proficient or mastered, in percent.")
    percent_mastered: float


class RecentSubmission(BaseModel):
    """A submission summary for the dashboard."""

    id: int
    exercise_slug: str
    exercise_title: str
    topic_id: int
    status: str
    score: float | None
    max_score: float | None
    source: str
    created_at: datetime
    finished_at: datetime | None


class DashboardRead(BaseModel):
    """Everything a front end's home screen needs, in one call."""

    learner_id: int
    timezone: str
    week_start: str
    current_week: str
    current_goal: GoalRead | None
    streak_weeks: int
    longest_streak_weeks: int
    next_topics: list[NextTopic]
    mastery_by_section: list[SectionMastery]
    recent_activity: list[EventRead]
    recent_submissions: list[RecentSubmission]
