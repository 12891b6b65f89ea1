"""HTTP routes for submissions: submit, read (long poll) and history."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from api.accounts.service import Principal
from api.deps import LearnerPrincipal, LearnerRefPath, SessionDep, allowed, get_principal, in_one_trip
from api.errors import Forbidden
from api.fast_lane import json_body
from api.jobs.waker import POLL_INTERVAL_S, get_waker, submission_channel, wait_for
from api.middleware import API_PREFIX
from api.pagination import CursorQuery, LimitQuery, Page
from api.submissions import accept_pg, service
from api.submissions.schemas import (
    SubmissionAccepted,
    SubmissionCreate,
    SubmissionRead,
    SubmissionSummary,
)
from db.models.submissions import SubmissionStatus
from db.session import session_scope

router = APIRouter(prefix=API_PREFIX, tags=["submissions"])

SUBMISSION_PATH = "/submissions/{submission_id}"

IDEMPOTENCY_KEY_MAX = 200
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_MAX,
        description="Repeat a submission safely: the same key returns the first submission (200).",
    ),
]


@router.post(
    "/exercises/{slug}/submissions",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmissionAccepted,
    responses={
        200: {
            "model": SubmissionAccepted,
            "description": "A repeat of an `Idempotency-Key`: the first submission",
        },
        409: {"description": "The `Idempotency-Key` was used for different files"},
        413: {"description": "Over the size or file-count cap"},
        422: {"description": "A file name the exercise does not list in its `files`"},
        429: {"description": "Over the per-learner rate; see `Retry-After`"},
    },
)
async def submit(
    slug: str,
    body: SubmissionCreate,
    request: Request,
    principal: LearnerPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Queue the files for grading (202 with `Location`); a repeated `Idempotency-Key` answers 200."""
    return await _submit(request, principal, slug, body, idempotency_key)


async def serve_submission(request: Request, body: bytes) -> Response | None:
    """A well-formed submission as JSON, for the route's fast lane (api.fast_lane); None for anything else."""
    keys = request.headers.getlist("idempotency-key")
    if len(keys) > 1 or (keys and not 1 <= len(keys[0]) <= IDEMPOTENCY_KEY_MAX):
        return None
    data = json_body(request, body, SubmissionCreate)
    if data is None:
        return None
    principal = allowed(await get_principal(request), ("learner",))
    return await _submit(request, principal, request.path_params["slug"], data, keys[0] if keys else None)


async def _submit(
    request: Request, principal: Principal, slug: str, data: SubmissionCreate, idempotency_key: str | None
) -> Response:
    learner_id = principal.learner_id
    if learner_id is None:
        raise Forbidden("submissions belong to a learner; use a learner token")
    state = request.app.state
    accepted, created = await accept_pg.queue_submission(
        db=state.async_db,
        session_factory=state.session_factory,
        exercise_slug=slug,
        learner_id=learner_id,
        data=data,
        idempotency_key=idempotency_key,
        settings=state.settings,
        waker=get_waker(request.app),
        announcer=state.job_announcer,
    )
    # Formatted, not `url_for`: finding a route by name walks every route (~7 % of this route's CPU).
    location = (
        request.scope.get("root_path", "") + API_PREFIX + SUBMISSION_PATH.format(submission_id=accepted.id)
    )
    return Response(
        accepted.model_dump_json(),
        status_code=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        media_type="application/json",
        headers={"Location": location},
    )


def _read(request: Request, submission_id: int, principal: Principal) -> SubmissionRead:
    with session_scope(request.app.state.session_factory) as session:
        return service.read_submission(session, submission_id=submission_id, principal=principal)


@router.get(SUBMISSION_PATH, response_model=SubmissionRead, name="get_submission")
async def get_submission(
    submission_id: int,
    request: Request,
    session: SessionDep,
    principal: LearnerPrincipal,
    wait: Annotated[
        int, Query(ge=0, le=60, description="Long-poll up to this many seconds for a final status.")
    ] = 0,
) -> SubmissionRead:
    """The submission and its result; with `wait`, answers as soon as it is final (or after `wait` s)."""
    await run_in_threadpool(session.commit)  # hold no connection while waiting
    waker = get_waker(request.app)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        with waker.subscribe(submission_channel(submission_id)) as woken:
            read = await run_in_threadpool(_read, request, submission_id, principal)
            remaining = deadline - loop.time()
            if service.is_final(read.status) or remaining <= 0 or await request.is_disconnected():
                return read
            await wait_for(woken, min(remaining, waker.fallback_poll_s(POLL_INTERVAL_S)))


@router.get("/learners/{learner_id}/submissions", response_model=Page[SubmissionSummary])
async def list_submissions(
    learner: LearnerRefPath,
    session: SessionDep,
    exercise: Annotated[str | None, Query(max_length=80, description="Only this exercise (slug).")] = None,
    status_: Annotated[
        SubmissionStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[SubmissionSummary]:
    """A learner's submissions, newest first."""
    items, next_cursor, total = await in_one_trip(
        session,
        lambda: service.list_submissions(
            session,
            learner_id=learner.check(session),
            exercise_slug=exercise,
            status=status_,
            limit=limit,
            cursor=cursor,
        ),
    )
    return Page(items=items, next_cursor=next_cursor, total=total)
