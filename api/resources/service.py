"""Resource logic: visibility, search, the review workflow, duplicate refusal and ratings.

Review workflow (who/when recorded in `reviewed_by` / `reviewed_at` on every status change):

    proposed -> approved | rejected
    approved -> archived
    rejected -> approved   (a reviewer may reconsider)
    archived -> approved   (a retired link may be restored)

Setting the current status again is a no-op; any other move is a 409 naming `from` and `to`.
Search (`q`): PostgreSQL full-text search (`websearch_to_tsquery` against title, provider and topic
titles, read from GIN indexes); SQLite a case-insensitive substring match over the same fields.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.accounts.service import Principal
from api.errors import Conflict, NotFound, UnprocessableContent
from api.resources.schemas import RatingPut, RatingRead, ResourceCreate, ResourceRead, ResourceUpdate
from content.urls import normalize_url
from db.models import Resource, ResourceRating, ResourceTopic, Topic
from db.models.catalogue import RESOURCE_SEARCH_DOCUMENT, TOPIC_SEARCH_DOCUMENT
from db.types import utcnow

TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"approved", "rejected"}),
    "approved": frozenset({"archived"}),
    "rejected": frozenset({"approved"}),
    "archived": frozenset({"approved"}),
}


class ResourceNotFound(NotFound):
    """No resource with this id that the caller may see."""

    code = "resource-not-found"


class DuplicateResource(Conflict):
    """Another resource already has this (normalized) URL."""

    code = "duplicate-resource"


class InvalidTransition(Conflict):
    """The review workflow does not allow this status change."""

    code = "invalid-status-transition"


class ResourceNotApproved(Conflict):
    """Only approved resources can be rated."""

    code = "resource-not-approved"


class InvalidResourceField(UnprocessableContent):
    """A field names an unknown topic or is not a usable URL."""

    code = "invalid-resource-field"


def principal_label(principal: Principal) -> str:
    """Who did it, as stored in `reviewed_by` / `requested_by`."""
    if principal.learner_id is not None:
        return f"{principal.role}:learner-{principal.learner_id}"
    return f"{principal.role}:token-{principal.token_id}"


def _normalized(url: str) -> str:
    try:
        return normalize_url(url)
    except ValueError as exc:
        raise InvalidResourceField(f"url: {exc}", field="url") from exc


def _topic_ids(session: Session, slugs: Sequence[str]) -> list[int]:
    """Ids of active topics, in the order given; 422 naming the first unknown slug."""
    wanted = list(dict.fromkeys(slugs))
    found = dict(
        session.exec(
            select(Topic.slug, Topic.id).where(col(Topic.slug).in_(wanted), Topic.status == "active")
        ).all()
    )
    for slug in wanted:
        if slug not in found:
            raise InvalidResourceField(f"topics: unknown topic {slug!r}", field="topics", slug=slug)
    return [found[slug] for slug in wanted if found[slug] is not None]  # type: ignore[misc]


def _refuse_duplicate(session: Session, url: str, *, exclude_id: int | None = None) -> None:
    existing = session.exec(select(Resource.id).where(Resource.url == url)).first()
    if existing is not None and existing != exclude_id:
        raise DuplicateResource(
            f"url: {url} is already resource {existing}", field="url", existing_id=existing
        )


def _visible(principal: Principal) -> Any:
    """The WHERE clause of what a caller may see: admins all, others approved plus their own proposals."""
    if principal.is_admin:
        return sa.true()
    if principal.role == "learner" and principal.learner_id is not None:
        return sa.or_(
            col(Resource.status) == "approved", col(Resource.proposed_by_id) == principal.learner_id
        )
    return col(Resource.status) == "approved"


def get_resource(session: Session, *, resource_id: int, principal: Principal) -> Resource:
    """A resource the caller may see, or 404."""
    resource = session.exec(select(Resource).where(Resource.id == resource_id, _visible(principal))).first()
    if resource is None:
        raise ResourceNotFound(f"resource {resource_id} not found")
    return resource


def to_read(session: Session, resources: Sequence[Resource]) -> list[ResourceRead]:
    """Serialize resources with their topic slugs and rating aggregates (two queries for the lot)."""
    ids = [r.id for r in resources if r.id is not None]
    slugs: dict[int, list[str]] = {}
    ratings: dict[int, tuple[float | None, int]] = {}
    if ids:
        for resource_id, slug in session.exec(
            select(ResourceTopic.resource_id, Topic.slug)
            .join(Topic, col(Topic.id) == ResourceTopic.topic_id)
            .where(col(ResourceTopic.resource_id).in_(ids))
            .order_by(col(Topic.position), col(Topic.id))
        ).all():
            slugs.setdefault(resource_id, []).append(slug)
        rows = session.execute(
            sa.select(
                col(ResourceRating.resource_id), sa.func.avg(col(ResourceRating.stars)), sa.func.count()
            )
            .where(col(ResourceRating.resource_id).in_(ids))
            .group_by(col(ResourceRating.resource_id))
        ).all()
        ratings = {rid: (round(float(avg), 2), int(count)) for rid, avg, count in rows}
    out = []
    for r in resources:
        avg, count = ratings.get(r.id or 0, (None, 0))
        out.append(
            ResourceRead.model_validate(
                {
                    **r.model_dump(),
                    "topics": slugs.get(r.id or 0, []),
                    "rating_avg": avg,
                    "rating_count": count,
                }
            )
        )
    return out


def list_resources(
    session: Session,
    *,
    principal: Principal,
    topic: str | None,
    kind: str | None,
    status: str | None,
    is_free: bool | None,
    link_status: str | None,
    min_failures: int | None,
    q: str | None,
    after_id: int | None,
    limit: int,
) -> tuple[list[Resource], int]:
    """Up to `limit` visible resources after `after_id` (by id) matching the filters, and the total."""
    query = select(Resource).where(_visible(principal))
    if topic:
        query = query.where(
            col(Resource.id).in_(
                select(ResourceTopic.resource_id)
                .join(Topic, col(Topic.id) == ResourceTopic.topic_id)
                .where(Topic.slug == topic)
            )
        )
    for column, value in (
        (Resource.kind, kind),
        (Resource.status, status),
        (Resource.is_free, is_free),
        (Resource.link_status, link_status),
    ):
        if value is not None:
            query = query.where(col(column) == value)
    if min_failures is not None:
        query = query.where(col(Resource.consecutive_failures) >= min_failures)
    if q and q.strip():
        query = query.where(_search(session, q.strip()))
    total = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    if after_id is not None:
        query = query.where(col(Resource.id) > after_id)
    return list(session.exec(query.order_by(col(Resource.id)).limit(limit)).all()), total


def _search(session: Session, q: str) -> Any:
    """Full-text search on PostgreSQL, substring match elsewhere; over title, provider and topic titles."""
    topic_title = select(ResourceTopic.resource_id).join(Topic, col(Topic.id) == ResourceTopic.topic_id)
    if session.get_bind().dialect.name == "postgresql":
        query = sa.func.websearch_to_tsquery(sa.literal_column("'english'::regconfig"), q)
        # A UNION of two index reads: `title_hit OR id IN (topic_hit)` cannot use the resource index.
        title_hit = select(Resource.id).where(RESOURCE_SEARCH_DOCUMENT.op("@@")(query))
        topic_hit = topic_title.where(TOPIC_SEARCH_DOCUMENT.op("@@")(query))
        return col(Resource.id).in_(sa.union(title_hit, topic_hit))
    needle = q.lower()
    topic_hit = topic_title.where(sa.func.lower(col(Topic.title)).contains(needle, autoescape=True))
    return sa.or_(
        sa.func.lower(col(Resource.title)).contains(needle, autoescape=True),
        sa.func.lower(sa.func.coalesce(col(Resource.provider), "")).contains(needle, autoescape=True),
        col(Resource.id).in_(topic_hit),
    )


def _set_topics(session: Session, resource: Resource, topic_ids: Sequence[int]) -> None:
    session.execute(sa.delete(ResourceTopic).where(col(ResourceTopic.resource_id) == resource.id))
    for topic_id in topic_ids:
        session.add(ResourceTopic(resource_id=resource.id or 0, topic_id=topic_id))


def create_resource(session: Session, *, data: ResourceCreate, principal: Principal) -> Resource:
    """Insert a resource: admins' are approved at once, learners' wait as proposals."""
    url = _normalized(data.url)
    topic_ids = _topic_ids(session, data.topics)
    _refuse_duplicate(session, url)
    resource = Resource(**data.model_dump(exclude={"url", "topics"}), url=url)
    if principal.is_admin:
        resource.status, resource.reviewed_by, resource.reviewed_at = (
            "approved",
            principal_label(principal),
            utcnow(),
        )
    else:
        resource.status, resource.proposed_by_id = "proposed", principal.learner_id
    session.add(resource)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent insert of the same URL won the race
        raise DuplicateResource(f"url: {url} already exists", field="url") from exc
    _set_topics(session, resource, topic_ids)
    session.flush()
    return resource


def update_resource(
    session: Session, *, resource: Resource, data: ResourceUpdate, principal: Principal
) -> Resource:
    """Apply an admin's changes; a status change must follow the workflow and records the reviewer."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("url", "title", "kind", "is_free", "status", "topics"):
        if name in changes and changes[name] is None:
            raise InvalidResourceField(f"{name}: may not be null", field=name)
    if "url" in changes:
        changes["url"] = _normalized(changes["url"])
        _refuse_duplicate(session, changes["url"], exclude_id=resource.id)
    if "topics" in changes:
        _set_topics(session, resource, _topic_ids(session, changes.pop("topics")))
    new_status = changes.pop("status", None)
    if new_status is not None and new_status != resource.status:
        if new_status not in TRANSITIONS[resource.status]:
            raise InvalidTransition(
                f"status: cannot move from {resource.status!r} to {new_status!r}",
                field="status",
                **{"from": resource.status, "to": new_status},
            )
        resource.status = new_status
        resource.reviewed_by, resource.reviewed_at = principal_label(principal), utcnow()
    for name, value in changes.items():
        setattr(resource, name, value)
    resource.version += 1
    resource.updated_at = utcnow()
    session.add(resource)
    session.flush()
    return resource


def delete_resource(session: Session, *, resource: Resource) -> None:
    """Delete a resource with its topic links and ratings (admin; archiving is the softer option)."""
    session.delete(resource)
    session.flush()


def rate_resource(session: Session, *, resource: Resource, learner_id: int, data: RatingPut) -> RatingRead:
    """Set (or replace) a learner's rating of an approved resource."""
    if resource.status != "approved":
        raise ResourceNotApproved(
            f"resource {resource.id} is {resource.status}; only approved ones can be rated"
        )
    assert resource.id is not None
    rating = session.get(ResourceRating, (resource.id, learner_id))
    if rating is None:
        rating = ResourceRating(
            resource_id=resource.id, learner_id=learner_id, stars=data.stars, comment=data.comment
        )
    else:
        rating.stars, rating.comment, rating.updated_at = data.stars, data.comment, utcnow()
    session.add(rating)
    session.flush()
    read = to_read(session, [resource])[0]
    return RatingRead(
        resource_id=resource.id,
        stars=rating.stars,
        comment=rating.comment,
        rating_avg=read.rating_avg,
        rating_count=read.rating_count,
    )
