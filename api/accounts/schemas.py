"""Request and response models for learners and tokens."""

import re
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Role = Literal["admin", "learner", "runner", "ci"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")


def validate_timezone(value: str) -> str:
    """An IANA zone name that this host knows."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {value!r} (e.g. 'Europe/Paris')") from exc
    return value


def normalize_handle(value: str) -> str:
    """Handles are case-insensitive: store them lowercase."""
    value = value.strip().lower()
    if not HANDLE_RE.match(value):
        raise ValueError("handle must be 2-40 lowercase letters, digits, '-' or '_', starting alphanumeric")
    return value


Timezone = Annotated[str, Field(max_length=64, examples=["Europe/Paris"]), AfterValidator(validate_timezone)]
Handle = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(normalize_handle)]


class LearnerCreate(BaseModel):
    """A new learner."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"handle": "ada", "display_name": "Ada", "timezone": "Europe/London"}]
        },
    )

    handle: Handle
    display_name: str | None = Field(default=None, max_length=120)
    timezone: Timezone = "UTC"
    week_start: Weekday = "monday"


class LearnerUpdate(BaseModel):
    """Fields a learner may change about themselves."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"timezone": "Pacific/Auckland"}]}
    )

    display_name: str | None = Field(default=None, max_length=120)
    timezone: Timezone | None = None
    week_start: Weekday | None = None


class LearnerRead(BaseModel):
    """A learner as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    handle: str
    display_name: str | None
    timezone: str
    week_start: str
    created_at: datetime
    updated_at: datetime


class SignupRequest(BaseModel):
    """Open sign-up: a handle and optional profile."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"handle": "grace"}]})

    handle: Handle
    display_name: str | None = Field(default=None, max_length=120)
    timezone: Timezone = "UTC"


class TokenCreate(BaseModel):
    """A token to mint; `learner_id` binds learner and ci tokens."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "ci", "name": "github-actions"}]},
    )

    role: Role
    name: str = Field(min_length=1, max_length=120)
    learner_id: int | None = None


class TokenRead(BaseModel):
    """A token's metadata; never the secret."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    role: Role
    learner_id: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """The one response that carries the secret."""

    token: str = Field(description="Shown once; store it now.")


class SignupResponse(BaseModel):
    """A new learner and their first token."""

    learner: LearnerRead
    token: str


class MeRead(BaseModel):
    """Who the bearer token speaks for."""

    role: Role
    token: TokenRead
    learner: LearnerRead | None = None
