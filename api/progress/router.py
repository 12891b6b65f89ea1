"""HTTP routes for progress, events, weekly goals, recommendations and the dashboard (self or admin)."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response, status
from pydantic import AwareDatetime

from api.deps import LearnerRefPath, SessionDep, in_one_trip, learner_ref
from api.fast_lane import json_body
from api.http_cache import not_modified
from api.middleware import API_PREFIX
from api.pagination import CursorQuery, LimitQuery, Page, encode_cursor
from api.progress import dashboard, event_writer, events, goals, recommend, topic_status_pg, tracking
from api.progress.catalogue import load_catalogue
from api.progress.mastery import load_statuses
from api.progress.schemas import (
    DashboardRead,
    EventBatchRead,
    EventCreate,
    EventOutcome,
    EventRead,
    GoalHistory,
    GoalRead,
    GoalUpdate,
    NextRead,
    PathRead,
    ProgressRead,
    ResourceProgressRead,
    ResourceProgressUpdate,
    TopicProgressRead,
    TopicProgressUpdate,
)

router = APIRouter(prefix=API_PREFIX, tags=["progress"])
WeekPath = Annotated[
    str, Path(description="An ISO week like `2026-W48`, or `current`.", examples=["current"])
]


# The hottest routes come first: Starlette tries routes in order (see api.app.DOMAIN_ROUTERS).
@router.get(
    "/learners/{learner_id}/dashboard",
    response_model=DashboardRead,
    responses={304: {"description": "Not modified (the ETag sent in If-None-Match is current)"}},
)
async def read_dashboard(learner: LearnerRefPath, request: Request) -> Response:
    """Current goal, streaks, next topics, mastery by section, recent activity and submissions in one call.

    Served from a per-learner cache while nothing it shows has changed (api.progress.dashboard_cache).
    """
    state = request.app.state
    rendered = await dashboard.current_dashboard(
        learner_id=learner.learner_id,
        cache=getattr(state, "dashboard_cache", None),
        catalogue=state.catalogue_cache,
        async_db=state.async_db,
        session_factory=state.session_factory,
    )
    if not_modified(request, rendered.etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": rendered.etag})
    return Response(rendered.body, media_type="application/json", headers={"ETag": rendered.etag})


@router.post(
    "/learners/{learner_id}/events",
    status_code=status.HTTP_201_CREATED,
    response_model=EventRead | EventBatchRead,
    responses={200: {"description": "Every event was already stored with the same body; nothing changed."}},
)
async def post_events(
    body: Annotated[EventCreate | list[EventCreate], Body()], learner: LearnerRefPath, request: Request
) -> Response:
    """Store one event (answered with it) or a list (answered with each outcome); 201 if any was created."""
    return await _store_events(request, learner.learner_id, body)


async def serve_single_event(request: Request, body: bytes) -> Response | None:
    """One well-formed event as JSON, for the route's fast lane (api.fast_lane); None for anything else."""
    event = json_body(request, body, EventCreate)
    if event is None:
        return None  # a batch, or not a valid event
    learner = await learner_ref(request, request.path_params["learner_id"])
    return await _store_events(request, learner.learner_id, event)


async def _store_events(request: Request, learner_id: int, body: EventCreate | list[EventCreate]) -> Response:
    state = request.app.state
    outcomes = await event_writer.store(
        body, learner_id=learner_id, writer=state.event_writer, session_factory=state.session_factory
    )
    created = sum(1 for outcome, _ in outcomes if outcome == "created")
    answer: EventRead | EventBatchRead = (
        EventBatchRead(
            items=[EventOutcome(id=e["id"], outcome=o, event=events.event_read(e)) for o, e in outcomes],
            created=created,
            unchanged=len(outcomes) - created,
        )
        if isinstance(body, list)
        else events.event_read(outcomes[0][1])
    )
    # Answered as is: no response-model pass over a value built just now.
    return Response(
        answer.model_dump_json(),
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        media_type="application/json",
    )


# The reads below load the learner (404), read and end the transaction in one worker-thread trip
# (`in_one_trip`): a pooled connection is never held while the request waits for another thread.
@router.get("/learners/{learner_id}/progress", response_model=ProgressRead)
async def read_progress(learner: LearnerRefPath, session: SessionDep) -> ProgressRead:
    """Every active topic's status and mastery, and per-section percent complete."""
    return await in_one_trip(
        session, lambda: tracking.progress_overview(session, learner_id=learner.check(session))
    )


@router.put("/learners/{learner_id}/topics/{slug}/progress", response_model=TopicProgressRead)
async def put_topic_progress(
    slug: str, body: TopicProgressUpdate, learner: LearnerRefPath, request: Request
) -> Response:
    """Set a topic's status; idempotent, and a real change logs a `progressed` event."""
    return await _put_topic_status(request, learner.learner_id, slug, body.status)


async def serve_topic_status(request: Request, body: bytes) -> Response | None:
    """A well-formed status as JSON, for the route's fast lane (api.fast_lane); None for anything else."""
    update = json_body(request, body, TopicProgressUpdate)
    if update is None:
        return None
    learner = await learner_ref(request, request.path_params["learner_id"])
    return await _put_topic_status(request, learner.learner_id, request.path_params["slug"], update.status)


async def _put_topic_status(request: Request, learner_id: int, slug: str, new_status: str) -> Response:
    state = request.app.state
    read = await topic_status_pg.put_topic_status(
        db=state.async_db,
        catalogue=state.catalogue_cache,
        session_factory=state.session_factory,
        learner_id=learner_id,
        slug=slug,
        status=new_status,
    )
    return Response(read.model_dump_json(), media_type="application/json")


@router.put("/learners/{learner_id}/resources/{resource_id}/progress", response_model=ResourceProgressRead)
async def put_resource_progress(
    resource_id: int, body: ResourceProgressUpdate, learner: LearnerRefPath, session: SessionDep
) -> ResourceProgressRead:
    """Mark a resource completed (or not) and record total minutes; idempotent."""
    # Write and commit in one worker-thread trip: neither a pooled connection nor the learner's row lock
    # (api.activity) is held while the request waits for a free thread.
    return await in_one_trip(
        session,
        lambda: tracking.set_resource_progress(
            session,
            learner_id=learner.learner_id,
            resource_id=resource_id,
            completed=body.completed,
            minutes_spent=body.minutes_spent,
        ),
    )


@router.get("/learners/{learner_id}/events", response_model=Page[EventRead])
async def list_events(
    learner: LearnerRefPath,
    session: SessionDep,
    since: Annotated[
        AwareDatetime | None, Query(description="Only events stored after this instant.")
    ] = None,
    until: Annotated[
        AwareDatetime | None, Query(description="Only events stored at or before this instant.")
    ] = None,
    verb: Annotated[str | None, Query(max_length=40)] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[EventRead]:
    """The learner's events in stored order; voided and voiding events are left out."""
    after = events.parse_cursor(cursor)
    rows = await in_one_trip(
        session,
        lambda: events.list_events(
            session,
            learner_id=learner.check(session),
            since=since,
            until=until,
            verb=verb,
            after=after,
            limit=limit + 1,
        ),
    )
    page = rows[:limit]
    next_cursor = encode_cursor([page[-1].stored_at.isoformat(), page[-1].id]) if len(rows) > limit else None
    return Page(items=[events.event_read(e) for e in page], next_cursor=next_cursor)


@router.get("/learners/{learner_id}/next", response_model=NextRead)
async def read_next(learner: LearnerRefPath, session: SessionDep) -> NextRead:
    """Unlocked topics not yet done, in prerequisite order, with reasons; locked ones with what they need."""

    def work() -> NextRead:
        rows = load_statuses(session, learner_id=learner.check(session))
        statuses = {topic_id: row.status for topic_id, row in rows.items()}
        return recommend.next_topics(load_catalogue(session), statuses)

    return await in_one_trip(session, work)


@router.get("/learners/{learner_id}/path", response_model=PathRead)
async def read_path(
    learner: LearnerRefPath,
    session: SessionDep,
    target: Annotated[str, Query(min_length=1, max_length=80, description="The topic slug to reach.")],
) -> PathRead:
    """The not-yet-done topics needed to reach `target`, in a valid order, with total estimated hours."""

    def work() -> PathRead:
        rows = load_statuses(session, learner_id=learner.check(session))
        statuses = {topic_id: row.status for topic_id, row in rows.items()}
        return recommend.path_to(load_catalogue(session), statuses, target_slug=target)

    return await in_one_trip(session, work)


@router.put("/learners/{learner_id}/goals/{week}", response_model=GoalRead)
async def put_goal(
    week: WeekPath, body: GoalUpdate, learner: LearnerRefPath, session: SessionDep
) -> GoalRead:
    """Set (or replace) the targets of the current or a future week."""
    return await in_one_trip(
        session, lambda: goals.set_goal(session, learner=learner.load(session), week=week, data=body)
    )


@router.get("/learners/{learner_id}/goals/{week}", response_model=GoalRead)
async def read_goal(week: WeekPath, learner: LearnerRefPath, session: SessionDep) -> GoalRead:
    """A week's goal with progress against each target and whether it is met."""
    return await in_one_trip(
        session, lambda: goals.get_goal(session, learner=learner.load(session), week=week)
    )


@router.get("/learners/{learner_id}/goals", response_model=GoalHistory)
async def list_goals(
    learner: LearnerRefPath, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> GoalHistory:
    """Goal history newest week first, with the current and the longest streak of weeks met."""
    return await in_one_trip(
        session,
        lambda: goals.goal_history(session, learner=learner.load(session), limit=limit, cursor=cursor),
    )
