"""HTTP routes for topics, prerequisite edges and the topic graph."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from api.accounts.service import Principal, get_learner
from api.coherence import CatalogueCache
from api.deps import AdminPrincipal, CurrentPrincipal, SessionDep, commits, get_principal, learner_id_in_path
from api.errors import NotFound
from api.http_cache import check_if_match, etag_of, not_modified
from api.middleware import API_PREFIX
from api.pagination import CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from api.topics import service
from api.topics.schemas import (
    GraphRead,
    PrerequisitePut,
    PrerequisiteRead,
    TopicCreate,
    TopicListItem,
    TopicRead,
    TopicUpdate,
)
from db.session import session_scope

router = APIRouter(prefix=API_PREFIX, tags=["topics"])

MEDIA_TYPES = {
    "json": "application/json",
    "mermaid": "text/vnd.mermaid; charset=utf-8",
    "dot": "text/vnd.graphviz; charset=utf-8",
}


def _detail_response(session: SessionDep, topic: object, response: Response) -> TopicRead:
    """Serialize a topic and set its ETag."""
    read = service.topic_detail(session, topic)  # type: ignore[arg-type]
    response.headers["ETag"] = etag_of(read.model_dump(mode="json"))
    return read


# The graph is this router's first route: Starlette matches in order and it is the hottest read.
def _graph_cache(request: Request) -> service.GraphCache:
    """The app's graph cache, created on first use."""
    cache: service.GraphCache | None = getattr(request.app.state, "topic_graph_cache", None)
    if cache is None:
        cache = request.app.state.topic_graph_cache = service.GraphCache()
    return cache


def _overlay_learner(session: SessionDep, principal: Principal, learner_id: str) -> int:
    """The learner whose progress to overlay: self or (for admins) anyone; others are 404."""
    wanted = principal.learner_id if learner_id == "me" else learner_id_in_path(learner_id)
    allowed = principal.is_admin or (principal.role == "learner" and principal.learner_id == wanted)
    if wanted is None or not allowed:
        raise NotFound(f"learner {learner_id!r} not found")
    get_learner(session, wanted)
    return wanted


@router.get(
    "/graph",
    response_model=GraphRead,
    responses={
        200: {"content": {"text/vnd.mermaid": {}, "text/vnd.graphviz": {}}},
        304: {"description": "Not modified"},
    },
)
async def read_graph(
    principal: CurrentPrincipal,
    request: Request,
    format: Annotated[Literal["json", "mermaid", "dot"], Query()] = "json",
    learner_id: Annotated[
        str | None, Query(max_length=20, description="Overlay this learner's progress (`me`, self or admin).")
    ] = None,
) -> Response:
    """The prerequisite graph (nodes with layers, edges in learning order), as JSON, Mermaid or DOT."""
    if learner_id is not None:
        cache = _graph_cache(request)
        catalogue: CatalogueCache | None = getattr(request.app.state, "catalogue_cache", None)
        return await run_in_threadpool(
            _overlay_graph, principal, request, cache, catalogue, format, learner_id
        )
    return await _plain_graph(request, format)


async def serve_plain_graph(request: Request, _body: bytes) -> Response | None:
    """`GET /graph` without a query string, for its fast lane (api.fast_lane); None for anything else."""
    if request.method != "GET" or request.scope["query_string"]:
        return None
    await get_principal(request)  # the route's first step too: any query-less request fails alike
    return await _plain_graph(request, "json")


async def _plain_graph(request: Request, format: str) -> Response:
    """The graph in `format`; an unchanged catalogue (cached version, api.coherence) costs no I/O."""
    cache = _graph_cache(request)
    catalogue: CatalogueCache | None = getattr(request.app.state, "catalogue_cache", None)
    graph = cache.cached(catalogue)
    if graph is None:
        graph = await run_in_threadpool(_load_graph, request, cache, catalogue)
    body, etag = graph.render(format)
    if not_modified(request, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(body, headers={"ETag": etag}, media_type=MEDIA_TYPES[format])


def _load_graph(
    request: Request, cache: service.GraphCache, catalogue: CatalogueCache | None
) -> service.BuiltGraph:
    """The graph from the database (a cache miss), in a worker thread."""
    with session_scope(request.app.state.session_factory) as session:
        return cache.get(session, catalogue)


def _overlay_graph(
    principal: Principal,
    request: Request,
    cache: service.GraphCache,
    catalogue: CatalogueCache | None,
    format: str,
    learner_id: str,
) -> Response:
    """The graph with a learner's progress on it (read in a worker thread)."""
    with session_scope(request.app.state.session_factory) as session:
        graph = cache.get(session, catalogue)
        wanted = _overlay_learner(session, principal, learner_id)
        document = service.overlay_progress(session, graph=graph, learner_id=wanted)
    etag = etag_of([format, document])
    if not_modified(request, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(
        service.serialize_graph(document, fmt=format),
        headers={"ETag": etag},
        media_type=MEDIA_TYPES[format],
    )


@router.get("/topics", response_model=Page[TopicListItem])
async def list_topics(
    _: CurrentPrincipal,
    request: Request,
    section: Annotated[str | None, Query(max_length=64, examples=["mathematics"])] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Substring of title, summary or slug.")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[TopicListItem]:
    """Active topics in curriculum order."""
    after = decode_cursor(cursor, arity=3)
    catalogue: CatalogueCache | None = getattr(request.app.state, "catalogue_cache", None)
    # An unchanged catalogue (api.coherence) is answered on the event loop with no I/O.
    listing: service.TopicListing | None = catalogue.peek(service.LISTING) if catalogue is not None else None
    if listing is None:
        listing = await run_in_threadpool(_load_listing, request)
    items, last_key, total = listing.page(section=section, q=q, after=after, limit=limit)
    return Page(items=items, next_cursor=encode_cursor(last_key) if last_key else None, total=total)


def _load_listing(request: Request) -> service.TopicListing:
    """The topic listing from the database (a cache miss), in a worker thread."""
    with session_scope(request.app.state.session_factory) as session:
        return service.topic_listing(session)


@router.post("/topics", status_code=status.HTTP_201_CREATED, response_model=TopicRead)
@commits
def create_topic(body: TopicCreate, _: AdminPrincipal, session: SessionDep, response: Response) -> TopicRead:
    """Create a topic (admin); 409 on a duplicate slug."""
    topic = service.create_topic(session, data=body)
    response.headers["Location"] = f"/api/v1/topics/{topic.slug}"
    return _detail_response(session, topic, response)


@router.get("/topics/{slug}", response_model=TopicRead, responses={304: {"description": "Not modified"}})
@commits
def read_topic(
    slug: str, principal: CurrentPrincipal, session: SessionDep, request: Request, response: Response
) -> TopicRead | Response:
    """A topic with its objectives, approved resources, exercises and the topics it unlocks."""
    topic = service.get_topic(session, slug, include_archived=principal.is_admin)
    read = service.topic_detail(session, topic)
    etag = etag_of(read.model_dump(mode="json"))
    if not_modified(request, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return read


@router.patch("/topics/{slug}", response_model=TopicRead)
@commits
def update_topic(
    slug: str, body: TopicUpdate, _: AdminPrincipal, session: SessionDep, request: Request, response: Response
) -> TopicRead:
    """Change a topic (admin); honours `If-Match` (412 when stale)."""
    topic = service.get_topic(session, slug, include_archived=True)
    check_if_match(request, service.topic_etag(session, topic))
    topic = service.update_topic(session, topic=topic, data=body)
    return _detail_response(session, topic, response)


@router.delete("/topics/{slug}", status_code=status.HTTP_204_NO_CONTENT)
@commits
def delete_topic(
    slug: str,
    _: AdminPrincipal,
    session: SessionDep,
    force: Annotated[bool, Query(description="Also drop the edges of topics that depend on it.")] = False,
) -> Response:
    """Archive a topic (admin); 409 while active topics depend on it, unless `force=true`."""
    topic = service.get_topic(session, slug, include_archived=True)
    service.archive_topic(session, topic=topic, force=force)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/topics/{slug}/prerequisites/{prereq_slug}",
    response_model=PrerequisiteRead,
    responses={201: {"model": PrerequisiteRead, "description": "Edge created"}},
)
@commits
def put_prerequisite(
    slug: str,
    prereq_slug: str,
    _: AdminPrincipal,
    session: SessionDep,
    response: Response,
    body: PrerequisitePut | None = None,
) -> PrerequisiteRead:
    """Make `slug` require `prereq_slug` (admin, idempotent); 409 naming the cycle it would close."""
    kind = (body or PrerequisitePut()).kind
    topic = service.get_topic(session, slug)
    prerequisite = service.get_topic(session, prereq_slug)
    if service.put_prerequisite(session, topic=topic, prerequisite=prerequisite, kind=kind):
        response.status_code = status.HTTP_201_CREATED
    return PrerequisiteRead(topic=topic.slug, prerequisite=prerequisite.slug, kind=kind)


@router.delete("/topics/{slug}/prerequisites/{prereq_slug}", status_code=status.HTTP_204_NO_CONTENT)
@commits
def delete_prerequisite(slug: str, prereq_slug: str, _: AdminPrincipal, session: SessionDep) -> Response:
    """Remove a prerequisite edge (admin, idempotent)."""
    topic = service.get_topic(session, slug, include_archived=True)
    prerequisite = service.get_topic(session, prereq_slug, include_archived=True)
    service.delete_prerequisite(session, topic=topic, prerequisite=prerequisite)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
