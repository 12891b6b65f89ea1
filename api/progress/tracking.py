"""Topic and resource progress: idempotent upserts that log an event per real change, and the overview.

- Topic: `PUT {status}` writes only when the status differs, and logs `progressed` with object
  `{type: "topic", id: slug}` and result `{status, previous}`.
- Resource: `PUT {completed, minutes_spent?}`; `minutes_spent` is the running total (omitted = unchanged).
  A change logs `completed` (when it turns completed) or `progressed`, with result `{completed,
  previous_completed, minutes_spent, previous_minutes_spent, minutes}`, where `minutes` is the increase of the
  total. Lowering the total corrects it without taking minutes away from any week.
- Section percent complete = completed active topics / active topics of the section (skipped is not complete).
"""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.activity import bump
from api.errors import Conflict, NotFound
from api.progress.catalogue import TopicNode, load_catalogue
from api.progress.events import record_event
from api.progress.mastery import compute_mastery, load_inputs, load_statuses, topic_mastery
from api.progress.schemas import ProgressRead, ResourceProgressRead, SectionProgress, TopicProgressRead
from db.models import Resource, ResourceProgress, TopicProgress
from db.types import utcnow


class ResourceNotFound(NotFound):
    """No resource has this id."""

    code = "resource-not-found"


class ConcurrentUpdate(Conflict):
    """Another request created the same progress row at the same moment."""

    code = "concurrent-update"


def _insert(session: Session, row: TopicProgress | ResourceProgress) -> None:
    """Insert a new progress row; a concurrent insert of the same key is a retryable 409."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise ConcurrentUpdate("this progress was being updated concurrently; retry") from exc


def set_topic_status(session: Session, *, learner_id: int, slug: str, status: str) -> TopicProgressRead:
    """Upsert a topic's status; only a real change writes and logs an event.

    The first statement bumps the learner's activity version (api.activity): it checks that the learner
    exists and takes the learner's row lock, so concurrent updates of one learner take turns instead of
    racing to create the same row.
    """
    topic = load_catalogue(session).by_slug(slug)
    if not bump(session, [learner_id]):
        raise NotFound(f"learner {learner_id} not found")
    row = session.get(TopicProgress, (learner_id, topic.id))
    previous = row.status if row is not None else "not_started"
    changed = status != previous
    if changed:
        now = utcnow()
        if row is None:
            row = TopicProgress(learner_id=learner_id, topic_id=topic.id, status=status, updated_at=now)
            _insert(session, row)
        else:
            row.status, row.updated_at = status, now
            session.add(row)
        record_event(
            session,
            learner_id=learner_id,
            verb="progressed",
            object_type="topic",
            object_id=topic.slug,
            result={"status": status, "previous": previous},
            at=now,
        )
    rating = topic_mastery(session, learner_id=learner_id, topic_id=topic.id, status=status)
    updated_at = row.updated_at if row is not None else None
    return topic_progress_read(topic, status, rating, updated_at=updated_at, changed=changed)


def topic_progress_read(
    topic: TopicNode, status: str, rating: tuple[str, str], *, updated_at: datetime | None, changed: bool
) -> TopicProgressRead:
    """The answer to a topic-status PUT (also built by api.progress.topic_status_pg)."""
    mastery, reason = rating
    return TopicProgressRead(
        slug=topic.slug,
        title=topic.title,
        section=topic.section,
        status=status,
        mastery=mastery,
        mastery_reason=reason,
        updated_at=updated_at,
        changed=changed,
    )


def set_resource_progress(
    session: Session, *, learner_id: int, resource_id: int, completed: bool, minutes_spent: int | None
) -> ResourceProgressRead:
    """Upsert a resource's progress; an event is logged only when something changed.

    Like a topic's, it locks the learner first (api.activity), so concurrent updates take turns."""
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise ResourceNotFound(f"resource {resource_id} not found", resource_id=resource_id)
    if not bump(session, [learner_id]):
        raise NotFound(f"learner {learner_id} not found")
    existing = session.get(ResourceProgress, (learner_id, resource_id))
    now = utcnow()
    row = existing or ResourceProgress(learner_id=learner_id, resource_id=resource_id, updated_at=now)
    previous_completed, previous_minutes = row.completed, row.minutes_spent
    minutes = previous_minutes if minutes_spent is None else minutes_spent
    changed = completed != previous_completed or minutes != previous_minutes
    if changed:
        row.completed, row.minutes_spent, row.updated_at = completed, minutes, now
        row.completed_at = (row.completed_at or now) if completed else None
        if existing is None:
            _insert(session, row)
        else:
            session.add(row)
        increase = max(0, minutes - previous_minutes)
        record_event(
            session,
            learner_id=learner_id,
            verb="completed" if completed and not previous_completed else "progressed",
            object_type="resource",
            object_id=str(resource_id),
            result={
                "completed": completed,
                "previous_completed": previous_completed,
                "minutes_spent": minutes,
                "previous_minutes_spent": previous_minutes,
                "minutes": increase,
            },
            minutes=float(increase),
            at=now,
        )
    return ResourceProgressRead(
        resource_id=resource_id,
        title=resource.title,
        completed=row.completed,
        minutes_spent=row.minutes_spent,
        completed_at=row.completed_at,
        updated_at=row.updated_at,
        changed=changed,
    )


def progress_overview(session: Session, *, learner_id: int) -> ProgressRead:
    """Every active topic's status and mastery, and per-section completion (five queries)."""
    catalogue = load_catalogue(session)
    rows = load_statuses(session, learner_id=learner_id)
    mastery = compute_mastery(load_inputs(session, learner_id=learner_id, progress=rows))
    topics: list[TopicProgressRead] = []
    sections: dict[str, SectionProgress] = {}
    for topic in catalogue.active():
        row = rows.get(topic.id)
        status = row.status if row else "not_started"
        level, reason = mastery.get(topic.id, ("not_started", "no data"))
        topics.append(
            TopicProgressRead(
                slug=topic.slug,
                title=topic.title,
                section=topic.section,
                status=status,
                mastery=level,
                mastery_reason=reason,
                updated_at=row.updated_at if row else None,
            )
        )
        section = sections.setdefault(
            topic.section,
            SectionProgress(
                section=topic.section, title=topic.section_title, topics=0, completed=0, percent_complete=0.0
            ),
        )
        section.topics += 1
        section.completed += status == "completed"
    for section in sections.values():
        section.percent_complete = round(100.0 * section.completed / section.topics, 1)
    return ProgressRead(topics=topics, sections=list(sections.values()))
