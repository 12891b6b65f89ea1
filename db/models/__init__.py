"""Every table of Syllabus, importable from one place (Alembic's autogenerate reads this)."""

from db.models.accounts import ApiToken, Learner
from db.models.base import metadata
from db.models.catalogue import (
    LinkCheck,
    Prerequisite,
    Resource,
    ResourceRating,
    ResourceTopic,
    Section,
    Topic,
)
from db.models.exercises import Exercise
from db.models.progress import ActivityEvent, ResourceProgress, TopicProgress, WeeklyGoal
from db.models.submissions import CiRun, Job, Submission, TestResult

__all__ = [
    "ActivityEvent",
    "ApiToken",
    "CiRun",
    "Exercise",
    "Job",
    "Learner",
    "LinkCheck",
    "Prerequisite",
    "Resource",
    "ResourceProgress",
    "ResourceRating",
    "ResourceTopic",
    "Section",
    "Submission",
    "TestResult",
    "Topic",
    "TopicProgress",
    "WeeklyGoal",
    "metadata",
]
