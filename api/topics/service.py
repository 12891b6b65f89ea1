"""Topic logic: listing, detail documents, curation, prerequisite edges and the cached topic graph.

Every change made here bumps the changed topic's `version` and `updated_at` (a prerequisite edge counts
as a change of the topic that needs it); the graph cache keys on an aggregate of those columns plus a
checksum of the edge table, so edits made elsewhere (content sync) invalidate it as well.
"""

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from api.coherence import CatalogueCache, cached_catalogue_value
from api.errors import Conflict, NotFound, UnprocessableContent
from api.http_cache import etag_of
from api.pagination import InvalidCursor
from api.topics import graph as graphs
from api.topics.schemas import (
    PrerequisiteRef,
    TopicCreate,
    TopicExerciseRef,
    TopicListItem,
    TopicRead,
    TopicResourceRef,
    TopicUpdate,
)
from content.graph import format_cycle
from db.models import Exercise, Prerequisite, Resource, ResourceTopic, Section, Topic, TopicProgress
from db.types import utcnow


class TopicNotFound(NotFound):
    """No active topic has this slug."""

    code = "topic-not-found"


class TopicSlugTaken(Conflict):
    """Another topic (possibly archived) already uses this slug."""

    code = "topic-slug-taken"


class TopicHasDependants(Conflict):
    """Other active topics still list this one as a prerequisite."""

    code = "topic-has-dependants"


class PrerequisiteCycle(Conflict):
    """The edge would make the prerequisite graph cyclic."""

    code = "prerequisite-cycle"


class UnknownReference(UnprocessableContent):
    """The payload names a section or topic that does not exist."""

    code = "unknown-reference"


def _touch(topic: Topic) -> None:
    """Record a change of `topic` (ETags and the graph cache key on it)."""
    topic.version += 1
    topic.updated_at = utcnow()


def get_topic(session: Session, slug: str, *, include_archived: bool = False) -> Topic:
    """A topic by slug; archived topics only when asked for (admins)."""
    topic = session.exec(select(Topic).where(Topic.slug == slug)).first()
    if topic is None or (topic.status != "active" and not include_archived):
        raise TopicNotFound(f"topic {slug!r} not found")
    return topic


def _section_titles(session: Session) -> dict[str, str]:
    """Section slug -> title."""
    return dict(session.exec(select(Section.slug, Section.title)).all())


def _prerequisite_slugs(session: Session, topic_ids: Sequence[int]) -> dict[int, list[str]]:
    """Topic id -> slugs of its active prerequisites, sorted."""
    if not topic_ids:
        return {}
    rows = session.exec(
        select(Prerequisite.topic_id, Topic.slug)
        .join(Topic, col(Topic.id) == Prerequisite.prerequisite_id)
        .where(col(Prerequisite.topic_id).in_(topic_ids), Topic.status == "active")
        .order_by(Topic.slug)
    ).all()
    out: dict[int, list[str]] = {}
    for topic_id, slug in rows:
        out.setdefault(topic_id, []).append(slug)
    return out


SortKey = tuple[int, int, int]
LISTING = "topics.listing"


@dataclass(frozen=True)
class TopicListing:
    """Every active topic in curriculum order with its sort key; built once per catalogue change."""

    rows: tuple[tuple[SortKey, TopicListItem], ...]

    def page(
        self, *, section: str | None, q: str | None, after: list[Any] | None, limit: int
    ) -> tuple[list[TopicListItem], list[Any] | None, int]:
        """One page (filtered by section and a substring of title, summary or slug), the sort key of its
        last item when more follow, and the total that match."""
        needle = q.strip().lower() if q else None
        matching = [
            (key, item)
            for key, item in self.rows
            if (not section or item.section == section)
            and (
                needle is None
                or needle in item.title.lower()
                or needle in item.summary.lower()
                or needle in item.slug
            )
        ]
        total = len(matching)
        if after is not None:
            if not all(isinstance(part, int) for part in after):
                raise InvalidCursor("cursor: not a cursor issued by this API for this list")
            start = (after[0], after[1], after[2])
            matching = [(key, item) for key, item in matching if key > start]
        page = matching[:limit]
        last_key = list(page[-1][0]) if len(matching) > limit else None
        return [item for _, item in page], last_key, total


def topic_listing(session: Session) -> TopicListing:
    """The listing for the current catalogue: memoised per catalogue change while the catalogue cache is
    on (api.coherence), built from three queries otherwise."""
    return cached_catalogue_value(session, LISTING, lambda: _build_listing(session))


def _build_listing(session: Session) -> TopicListing:
    rows = session.exec(
        select(Topic, Section.position)
        .join(Section, col(Section.slug) == Topic.section, isouter=True)
        .where(Topic.status == "active")
    ).all()
    titles = _section_titles(session)
    prereqs = _prerequisite_slugs(session, [t.id for t, _ in rows if t.id is not None])
    listed = [
        (
            (position or 0, t.position, t.id or 0),
            TopicListItem(
                slug=t.slug,
                title=t.title,
                section=t.section,
                section_title=titles.get(t.section, t.section),
                summary=t.summary,
                est_hours=t.est_hours,
                prerequisites=prereqs.get(t.id or 0, []),
            ),
        )
        for t, position in rows
    ]
    return TopicListing(rows=tuple(sorted(listed, key=lambda row: row[0])))


def topic_detail(session: Session, topic: Topic) -> TopicRead:
    """The full topic document: prerequisites, approved resources, active exercises and what it unlocks."""
    assert topic.id is not None
    edges = session.exec(
        select(Topic.slug, Topic.title, Prerequisite.kind)
        .join(Prerequisite, col(Prerequisite.prerequisite_id) == Topic.id)
        .where(Prerequisite.topic_id == topic.id, Topic.status == "active")
        .order_by(Topic.slug)
    ).all()
    unlocks = session.exec(
        select(Topic.slug)
        .join(Prerequisite, col(Prerequisite.topic_id) == Topic.id)
        .where(Prerequisite.prerequisite_id == topic.id, Topic.status == "active")
        .order_by(Topic.slug)
    ).all()
    resources = session.exec(
        select(Resource)
        .join(ResourceTopic, col(ResourceTopic.resource_id) == Resource.id)
        .where(ResourceTopic.topic_id == topic.id, Resource.status == "approved")
        .order_by(col(Resource.id))
    ).all()
    exercises = session.exec(
        select(Exercise)
        .where(Exercise.topic_id == topic.id, Exercise.status == "active")
        .order_by(col(Exercise.position), col(Exercise.id))
    ).all()
    return TopicRead(
        id=topic.id,
        slug=topic.slug,
        title=topic.title,
        section=topic.section,
        section_title=_section_titles(session).get(topic.section, topic.section),
        summary=topic.summary,
        est_hours=topic.est_hours,
        status=topic.status,
        objectives=list(topic.objectives or []),
        position=topic.position,
        version=topic.version,
        prerequisites=[slug for slug, _, _ in edges],
        prerequisite_edges=[PrerequisiteRef(slug=s, title=t, kind=k) for s, t, k in edges],
        resources=[
            TopicResourceRef(
                id=r.id or 0,
                title=r.title,
                url=r.url,
                kind=r.kind,
                provider=r.provider,
                is_free=r.is_free,
                level=r.level,
                est_minutes=r.est_minutes,
                link_status=r.link_status,
            )
            for r in resources
        ],
        exercises=[TopicExerciseRef(slug=e.slug, title=e.title, points=e.points) for e in exercises],
        unlocks=list(unlocks),
    )


def topic_etag(session: Session, topic: Topic) -> str:
    """The ETag of a topic's detail document (what `If-Match` is compared against)."""
    return etag_of(topic_detail(session, topic).model_dump(mode="json"))


def _require_section(session: Session, section: str) -> None:
    if session.get(Section, section) is None:
        raise UnknownReference(f"section: unknown section {section!r}", field="section")


def create_topic(session: Session, *, data: TopicCreate) -> Topic:
    """Insert a topic with its hard prerequisites; 409 on a duplicate slug (archived ones included)."""
    if session.exec(select(Topic.id).where(Topic.slug == data.slug)).first() is not None:
        raise TopicSlugTaken(f"topic slug {data.slug!r} is already taken", field="slug")
    _require_section(session, data.section)
    prereqs = []
    for slug in dict.fromkeys(data.prerequisites):
        found = session.exec(select(Topic).where(Topic.slug == slug, Topic.status == "active")).first()
        if found is None:
            raise UnknownReference(f"prerequisites: unknown topic {slug!r}", field="prerequisites")
        prereqs.append(found)
    topic = Topic(**data.model_dump(exclude={"prerequisites"}))
    session.add(topic)
    session.flush()
    assert topic.id is not None
    for prereq in prereqs:
        assert prereq.id is not None
        session.add(Prerequisite(topic_id=topic.id, prerequisite_id=prereq.id, kind="hard"))
    session.flush()
    return topic


def update_topic(session: Session, *, topic: Topic, data: TopicUpdate) -> Topic:
    """Apply the fields that were sent; a real change bumps the version."""
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    if "section" in changes:
        _require_section(session, changes["section"])
    changed = False
    for name, value in changes.items():
        if getattr(topic, name) != value:
            setattr(topic, name, value)
            changed = True
    if changed:
        _touch(topic)
        session.add(topic)
        session.flush()
    return topic


def archive_topic(session: Session, *, topic: Topic, force: bool) -> None:
    """Archive (never delete: progress rows keep their topic); `force` also drops edges into dependants."""
    assert topic.id is not None
    dependants = session.exec(
        select(Topic)
        .join(Prerequisite, col(Prerequisite.topic_id) == Topic.id)
        .where(Prerequisite.prerequisite_id == topic.id, Topic.status == "active")
        .order_by(Topic.slug)
    ).all()
    if dependants and not force:
        slugs = [t.slug for t in dependants]
        raise TopicHasDependants(
            f"topics {', '.join(slugs)} depend on {topic.slug!r}; remove those edges or use ?force=true",
            dependants=slugs,
        )
    for dependant in dependants:
        _touch(dependant)
        session.add(dependant)
    session.execute(sa.delete(Prerequisite).where(col(Prerequisite.prerequisite_id) == topic.id))
    if topic.status != "archived":
        topic.status = "archived"
        _touch(topic)
        session.add(topic)
    session.flush()


def _requires_map(session: Session) -> dict[str, list[str]]:
    """Every edge as `{topic slug: [prerequisite slugs]}` (archived topics included: they may come back)."""
    prereq = sa.orm.aliased(Topic)
    rows = session.exec(
        select(Topic.slug, prereq.slug)
        .join(Prerequisite, col(Prerequisite.topic_id) == Topic.id)
        .join(prereq, col(prereq.id) == Prerequisite.prerequisite_id)
    ).all()
    out: dict[str, list[str]] = {}
    for topic_slug, prereq_slug in rows:
        out.setdefault(topic_slug, []).append(prereq_slug)
    return out


def put_prerequisite(session: Session, *, topic: Topic, prerequisite: Topic, kind: str) -> bool:
    """Make `topic` require `prerequisite` (idempotent); True when the edge is new; 409 on a cycle."""
    assert topic.id is not None and prerequisite.id is not None
    edge = session.get(Prerequisite, (topic.id, prerequisite.id))
    if edge is not None:
        if edge.kind != kind:
            edge.kind = kind
            _touch(topic)
            session.add_all([edge, topic])
            session.flush()
        return False
    cycle = (
        [topic.slug, topic.slug]
        if topic.id == prerequisite.id
        else graphs.cycle_if_added(_requires_map(session), topic=topic.slug, prerequisite=prerequisite.slug)
    )
    if cycle is not None:
        raise PrerequisiteCycle(f"would close a cycle: {format_cycle(cycle)}", cycle=cycle)
    session.add(Prerequisite(topic_id=topic.id, prerequisite_id=prerequisite.id, kind=kind))
    _touch(topic)
    session.add(topic)
    session.flush()
    return True


def delete_prerequisite(session: Session, *, topic: Topic, prerequisite: Topic) -> None:
    """Remove the edge if it exists (idempotent)."""
    edge = session.get(Prerequisite, (topic.id, prerequisite.id))
    if edge is not None:
        session.delete(edge)
        _touch(topic)
        session.add(topic)
        session.flush()


# --- the graph, cached per process -------------------------------------------------------------------


def catalogue_version(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of everything the graph shows, read in one statement."""
    edge_sum = sa.func.coalesce(
        sa.func.sum(
            Prerequisite.topic_id * 1_000_003
            + Prerequisite.prerequisite_id * 7
            + sa.case((col(Prerequisite.kind) == "hard", 1), else_=0)
        ),
        0,
    )
    parts = [
        sa.select(sa.func.count()).select_from(Topic),
        sa.select(sa.func.coalesce(sa.func.sum(col(Topic.version)), 0)),
        sa.select(sa.func.max(col(Topic.updated_at))),
        sa.select(sa.func.count()).select_from(Prerequisite),
        sa.select(edge_sum),
    ]
    row = session.execute(sa.select(*(part.scalar_subquery() for part in parts))).one()
    return tuple(str(value) for value in row)


@dataclass
class BuiltGraph:
    """One build of the graph document and its cheap derived forms."""

    document: dict[str, Any]
    topic_ids: dict[str, int]
    renders: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def render(self, fmt: str) -> tuple[bytes, str]:
        """The body in `fmt` (json, mermaid, dot) and its ETag, built once per graph version."""
        if fmt not in self.renders:
            self.renders[fmt] = (serialize_graph(self.document, fmt=fmt), etag_of([fmt, self.document]))
        return self.renders[fmt]


def serialize_graph(document: dict[str, Any], *, fmt: str) -> bytes:
    """A graph document as JSON, Mermaid or DOT bytes."""
    if fmt == "mermaid":
        return graphs.to_mermaid(document).encode()
    if fmt == "dot":
        return graphs.to_dot(document).encode()
    return json.dumps(document, separators=(",", ":")).encode()


def build_graph(session: Session) -> BuiltGraph:
    """Read active topics and their edges and lay them out by layer."""
    topics = session.exec(
        select(Topic).where(Topic.status == "active").order_by(col(Topic.position), col(Topic.id))
    ).all()
    by_id = {t.id: t for t in topics}
    edges = [
        (by_id[p.prerequisite_id].slug, by_id[p.topic_id].slug, p.kind)
        for p in session.exec(select(Prerequisite)).all()
        if p.topic_id in by_id and p.prerequisite_id in by_id
    ]
    edges.sort()
    layer = graphs.layers([t.slug for t in topics], [(a, b) for a, b, _ in edges])
    nodes = sorted(
        ({"slug": t.slug, "title": t.title, "section": t.section, "layer": layer[t.slug]} for t in topics),
        key=lambda n: (n["layer"], n["section"], n["slug"]),
    )
    document = {"nodes": nodes, "edges": [{"from": a, "to": b, "kind": k} for a, b, k in edges]}
    return BuiltGraph(document=document, topic_ids={t.slug: t.id for t in topics if t.id is not None})


class GraphCache:
    """The last built graph and the catalogue version it was built from (one per app).

    With a `CatalogueCache` that is on (api.coherence: PostgreSQL with the LISTEN connection up), an
    unchanged catalogue costs no database round trip: catalogue writes NOTIFY and clear the cached version.
    Otherwise the version is read from the database on every call.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._graph: BuiltGraph | None = None

    def cached(self, catalogue: CatalogueCache | None) -> BuiltGraph | None:
        """The graph without touching the database, when the cached catalogue version vouches for it."""
        key = catalogue.get() if catalogue is not None else None
        graph = self._graph
        if key is not None and graph is not None and self._key == key:
            return graph
        return None

    def get(self, session: Session, catalogue: CatalogueCache | None = None) -> BuiltGraph:
        """The graph for the current catalogue version, rebuilt only when that version moved."""
        hit = self.cached(catalogue)
        if hit is not None:
            return hit
        generation = catalogue.generation() if catalogue is not None else None
        key = catalogue_version(session)
        if catalogue is not None:
            catalogue.put(key, generation)
        graph = self._graph
        if graph is not None and self._key == key:
            return graph
        built = build_graph(session)
        with self._lock:
            self._key, self._graph = key, built
        return built


def overlay_progress(session: Session, *, graph: BuiltGraph, learner_id: int) -> dict[str, Any]:
    """The graph with the learner's `status` and `mastery` on each node."""
    statuses = dict(
        session.exec(
            select(TopicProgress.topic_id, TopicProgress.status).where(TopicProgress.learner_id == learner_id)
        ).all()
    )
    mastery: dict[int, tuple[str, str]] = {}
    try:
        from api.progress.mastery import mastery_by_topic  # a colleague's module; optional until it lands
    except ImportError:
        pass
    else:
        mastery = mastery_by_topic(session, learner_id=learner_id)
    nodes = []
    for node in graph.document["nodes"]:
        topic_id = graph.topic_ids[node["slug"]]
        level = mastery.get(topic_id)
        nodes.append(
            {
                **node,
                "status": statuses.get(topic_id, "not_started"),
                "mastery": level[0] if level else "not_started",
            }
        )
    return {"nodes": nodes, "edges": graph.document["edges"]}
