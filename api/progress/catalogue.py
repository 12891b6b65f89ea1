"""A read-only snapshot of the topic graph for progress computations, loaded in two queries."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from api.coherence import cached_catalogue_value
from api.errors import NotFound
from db.models import Prerequisite, Section, Topic


class TopicNotFound(NotFound):
    """No topic has this slug."""

    code = "topic-not-found"


@dataclass(frozen=True)
class TopicNode:
    """The fields of a topic that progress needs."""

    id: int
    slug: str
    title: str
    section: str
    section_title: str
    section_position: int
    position: int
    est_hours: float
    active: bool

    @property
    def sort_key(self) -> tuple[int, str, int, int]:
        """Curriculum order: section, then position within it, then id."""
        return (self.section_position, self.section, self.position, self.id)


@dataclass(frozen=True)
class Catalogue:
    """Topics by id and prerequisite edges (topic id -> [(prerequisite id, kind)])."""

    topics: dict[int, TopicNode]
    prerequisites: dict[int, list[tuple[int, str]]]

    def active(self) -> list[TopicNode]:
        """Active topics in curriculum order."""
        return sorted((t for t in self.topics.values() if t.active), key=lambda t: t.sort_key)

    def by_slug(self, slug: str) -> TopicNode:
        """A topic by slug, or 404."""
        for topic in self.topics.values():
            if topic.slug == slug:
                return topic
        raise TopicNotFound(f"topic {slug!r} not found", slug=slug)

    def blocking(self, topic_id: int, kind: str | None = None) -> list[TopicNode]:
        """Prerequisites of `topic_id` that can block or order it: existing, active topics only."""
        out = []
        for prereq_id, edge_kind in self.prerequisites.get(topic_id, []):
            node = self.topics.get(prereq_id)
            if node is not None and node.active and (kind is None or edge_kind == kind):
                out.append(node)
        return sorted(out, key=lambda t: t.sort_key)


def load_catalogue(session: Session) -> Catalogue:
    """Every topic (with its section) and every prerequisite edge; memoised per catalogue change when the
    app's catalogue cache is on (api.coherence), read from the database otherwise."""
    return cached_catalogue_value(session, "progress.catalogue", lambda: _read_catalogue(session))


def _read_catalogue(session: Session) -> Catalogue:
    rows = session.exec(
        select(Topic, Section.title, Section.position).join(Section, col(Section.slug) == col(Topic.section))
    ).all()
    topics = {
        topic.id: TopicNode(
            id=topic.id,
            slug=topic.slug,
            title=topic.title,
            section=topic.section,
            section_title=section_title,
            section_position=section_position,
            position=topic.position,
            est_hours=topic.est_hours,
            active=topic.status == "active",
        )
        for topic, section_title, section_position in rows
        if topic.id is not None
    }
    prerequisites: dict[int, list[tuple[int, str]]] = {}
    for topic_id, prereq_id, kind in session.exec(
        select(Prerequisite.topic_id, Prerequisite.prerequisite_id, Prerequisite.kind)
    ).all():
        prerequisites.setdefault(topic_id, []).append((prereq_id, kind))
    return Catalogue(topics=topics, prerequisites=prerequisites)
