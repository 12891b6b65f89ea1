"""HTTP routes of the runner protocol: claim (long poll), heartbeat, result."""

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import RunnerPrincipal, SessionDep, commits
from api.jobs import service
from api.jobs.schemas import ClaimedJob, ClaimRequest, HeartbeatRequest, LeaseRead, ResultAccepted, ResultPost
from api.jobs.waker import JOBS_CHANNEL, POLL_INTERVAL_S, get_waker, wait_for
from api.middleware import API_PREFIX
from api.settings import Settings
from db.session import session_scope

router = APIRouter(prefix=API_PREFIX, tags=["runner"])

_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The lease was lost (the job was requeued or finished under another lease)"}
}


def _claim_once(request: Request, runner_name: str | None) -> ClaimedJob | None:
    """Sweep expired leases, then try to lease one job, in one short transaction."""
    settings: Settings = request.app.state.settings
    waker = get_waker(request.app)
    with session_scope(request.app.state.session_factory) as session:
        service.sweep_expired_leases(session, waker=waker)
        return service.claim_next_job(
            session, runner_name=runner_name, lease_seconds=settings.job_lease_seconds
        )


@router.post(
    "/runner/jobs/claim",
    response_model=ClaimedJob,
    responses={204: {"description": "No job arrived within `wait` seconds"}},
)
async def claim_job(
    request: Request,
    principal: RunnerPrincipal,
    session: SessionDep,
    wait: Annotated[int, Query(ge=0, le=30, description="Long-poll up to this many seconds.")] = 0,
    body: Annotated[ClaimRequest | None, Body()] = None,
) -> Response:
    """Lease the oldest queued job, waiting up to `wait` seconds for one; 204 when none came."""
    # Authentication is done: release the request's connection before a wait that may last 30 s.
    await run_in_threadpool(session.commit)
    runner_name = (body.runner_name if body else None) or f"token-{principal.token_id}"
    waker = get_waker(request.app)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        # Subscribe before looking, so a job queued between the look and the wait still wakes us.
        with waker.subscribe(JOBS_CHANNEL) as woken:
            claimed = await run_in_threadpool(_claim_once, request, runner_name)
            if claimed is not None:
                return JSONResponse(claimed.model_dump(mode="json"))
            remaining = deadline - loop.time()
            if remaining <= 0 or await request.is_disconnected():
                return Response(status_code=status.HTTP_204_NO_CONTENT)
            await wait_for(woken, min(remaining, waker.fallback_poll_s(POLL_INTERVAL_S)))


@router.post("/runner/jobs/{job_id}/heartbeat", response_model=LeaseRead, responses=_CONFLICT)
@commits
def heartbeat(
    job_id: int, body: HeartbeatRequest, request: Request, session: SessionDep, _principal: RunnerPrincipal
) -> LeaseRead:
    """Extend the lease by the configured lease time; 409 when it was lost."""
    settings: Settings = request.app.state.settings
    return service.extend_lease(
        session, job_id=job_id, lease_id=body.lease_id, lease_seconds=settings.job_lease_seconds
    )


@router.post("/runner/jobs/{job_id}/result", response_model=ResultAccepted, responses=_CONFLICT)
@commits
def post_result(
    job_id: int, body: ResultPost, request: Request, session: SessionDep, _principal: RunnerPrincipal
) -> ResultAccepted:
    """Record the verdict; an identical repeat is 200 and changes nothing; 409 when the lease was lost."""
    return service.accept_result(session, job_id=job_id, post=body, waker=get_waker(request.app))
