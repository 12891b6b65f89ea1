"""HTTP routes for exercises."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentPrincipal, SessionDep, commits
from api.exercises import service
from api.exercises.schemas import ExerciseRead, ExerciseSummary
from api.middleware import API_PREFIX
from api.pagination import CursorQuery, LimitQuery, Page

router = APIRouter(prefix=API_PREFIX, tags=["exercises"])


@router.get("/exercises", response_model=Page[ExerciseSummary])
@commits
def list_exercises(
    session: SessionDep,
    _principal: CurrentPrincipal,
    topic: Annotated[
        str | None, Query(max_length=80, description="Only this topic's exercises (slug).")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ExerciseSummary]:
    """Active exercises in curriculum order."""
    items, next_cursor, total = service.list_exercises(session, topic=topic, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor, total=total)


@router.get("/exercises/{slug}", response_model=ExerciseRead)
@commits
def get_exercise(slug: str, session: SessionDep, _principal: CurrentPrincipal) -> ExerciseRead:
    """One exercise with instructions, starter files and visible tests (never hidden tests or solutions)."""
    return service.read_exercise(session, slug=slug)
