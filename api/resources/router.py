"""HTTP routes for resources, ratings and link checks."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response, status

from api.deps import AdminPrincipal, CurrentPrincipal, LearnerPrincipal, SessionDep, commits
from api.errors import Forbidden, NotFound
from api.http_cache import check_if_match, etag_of
from api.middleware import API_PREFIX
from api.pagination import CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from api.resources import link_check, service
from api.resources.schemas import (
    LinkCheckRead,
    LinkCheckStarted,
    LinkStatus,
    RatingPut,
    RatingRead,
    ResourceCreate,
    ResourceKind,
    ResourceRead,
    ResourceStatus,
    ResourceUpdate,
)
from db.models import LinkCheck

router = APIRouter(prefix=API_PREFIX, tags=["resources"])


class LinkCheckNotFound(NotFound):
    """No link check with this id."""

    code = "link-check-not-found"


def _read(session: SessionDep, resource: object, response: Response) -> ResourceRead:
    """Serialize one resource and set its ETag."""
    read = service.to_read(session, [resource])[0]  # type: ignore[list-item]
    response.headers["ETag"] = etag_of(read.model_dump(mode="json"))
    return read


@router.get("/resources", response_model=Page[ResourceRead])
@commits
def list_resources(
    principal: CurrentPrincipal,
    session: SessionDep,
    topic: Annotated[str | None, Query(max_length=80, description="A topic slug.")] = None,
    kind: ResourceKind | None = None,
    status: ResourceStatus | None = None,
    is_free: bool | None = None,
    link_status: LinkStatus | None = None,
    min_failures: Annotated[
        int | None, Query(ge=1, description="At least this many failed checks in a row.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Search title, provider and topic titles.")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ResourceRead]:
    """Resources the caller may see (non-admins: approved ones plus their own proposals), by id."""
    after = decode_cursor(cursor, arity=1)
    rows, total = service.list_resources(
        session,
        principal=principal,
        topic=topic,
        kind=kind,
        status=status,
        is_free=is_free,
        link_status=link_status,
        min_failures=min_failures,
        q=q,
        after_id=int(after[0]) if after else None,
        limit=limit + 1,
    )
    page = rows[:limit]
    next_cursor = encode_cursor([page[-1].id]) if len(rows) > limit else None
    return Page(items=service.to_read(session, page), next_cursor=next_cursor, total=total)


@router.post("/resources", status_code=status.HTTP_201_CREATED, response_model=ResourceRead)
@commits
def create_resource(
    body: ResourceCreate, principal: LearnerPrincipal, session: SessionDep, response: Response
) -> ResourceRead:
    """Add a resource (admin: approved) or propose one (learner); 409 with `existing_id` on a duplicate."""
    resource = service.create_resource(session, data=body, principal=principal)
    response.headers["Location"] = f"/api/v1/resources/{resource.id}"
    return _read(session, resource, response)


@router.post("/resources/link-check", status_code=status.HTTP_202_ACCEPTED, response_model=LinkCheckStarted)
@commits
def start_link_check(
    principal: AdminPrincipal,
    session: SessionDep,
    request: Request,
    background: BackgroundTasks,
    resource_id: Annotated[int | None, Query(description="Check only this resource (any status).")] = None,
) -> LinkCheckStarted:
    """Start checking every approved link (or one) in the background; poll `/resources/link-checks/{id}`.

    Each API process runs its checks one at a time: a check started while another runs is `queued`.
    """
    if resource_id is not None:
        service.get_resource(session, resource_id=resource_id, principal=principal)
    check = link_check.start_link_check(
        session, requested_by=service.principal_label(principal), resource_id=resource_id
    )
    assert check.id is not None
    # Background tasks run after the response, hence after the request's commit: the row is visible.
    background.add_task(request.app.state.link_checks.start, check.id)
    return LinkCheckStarted(check_id=check.id)


@router.get("/resources/link-checks/{check_id}", response_model=LinkCheckRead)
@commits
def read_link_check(check_id: int, _: AdminPrincipal, session: SessionDep) -> LinkCheckRead:
    """Status (queued, running, finished, failed, interrupted), progress (`checked` of `total`) and counts."""
    check = session.get(LinkCheck, check_id)
    if check is None:
        raise LinkCheckNotFound(f"link check {check_id} not found")
    return LinkCheckRead.model_validate(check)


@router.get("/resources/{resource_id}", response_model=ResourceRead)
@commits
def read_resource(
    resource_id: int, principal: CurrentPrincipal, session: SessionDep, response: Response
) -> ResourceRead:
    """One resource (another learner's proposal is 404)."""
    return _read(
        session, service.get_resource(session, resource_id=resource_id, principal=principal), response
    )


@router.patch("/resources/{resource_id}", response_model=ResourceRead)
@commits
def update_resource(
    resource_id: int,
    body: ResourceUpdate,
    principal: AdminPrincipal,
    session: SessionDep,
    request: Request,
    response: Response,
) -> ResourceRead:
    """Edit or review a resource (admin); honours `If-Match`; 409 on a move the workflow forbids."""
    resource = service.get_resource(session, resource_id=resource_id, principal=principal)
    check_if_match(request, etag_of(service.to_read(session, [resource])[0].model_dump(mode="json")))
    resource = service.update_resource(session, resource=resource, data=body, principal=principal)
    return _read(session, resource, response)


@router.delete("/resources/{resource_id}", status_code=status.HTTP_204_NO_CONTENT)
@commits
def delete_resource(resource_id: int, principal: AdminPrincipal, session: SessionDep) -> Response:
    """Delete a resource (admin)."""
    resource = service.get_resource(session, resource_id=resource_id, principal=principal)
    service.delete_resource(session, resource=resource)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/resources/{resource_id}/rating", response_model=RatingRead)
@commits
def rate_resource(
    resource_id: int, body: RatingPut, principal: CurrentPrincipal, session: SessionDep
) -> RatingRead:
    """Rate a resource 1-5 (learners only; one rating per learner, replaceable)."""
    if principal.role != "learner" or principal.learner_id is None:
        raise Forbidden(f"a {principal.role} token has no learner to rate as")
    resource = service.get_resource(session, resource_id=resource_id, principal=principal)
    return service.rate_resource(session, resource=resource, learner_id=principal.learner_id, data=body)
