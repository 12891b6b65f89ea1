"""Plan and apply the sync of the content files into the database: upserts keyed on stable ids, no deletes.

Rules (the files are the source of truth for what they contain):

- Topics, resources and exercises are matched on their ids, sections on their slugs, so renaming a slug
  updates the row in place and every learner's progress (which points at ``topic.id``) is kept; the
  slugs that goals and activity events hold follow the rename (``content.renames``).
- A plan is computed first and lists every entity as ``create``, ``update`` (with the field diffs),
  ``unchanged`` or ``archive``; applying an all-unchanged plan writes nothing, which makes sync idempotent.
- Rows the files no longer contain are listed as ``archive`` and archived only with ``prune``; nothing is
  ever deleted. Learners' proposed or rejected resources are never in the files and are left alone, as
  are sections (they have no status to archive) and, when the content root has no ``exercises/`` folder,
  exercises.
- Any content problem, or a clash with a row the files don't own (a slug or URL already taken), stops
  the sync before anything is written.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from api.coherence import CATALOGUE_CHANNEL, announce
from content.loader import Content, Sourced, load_content, validate
from content.renames import follow_renames
from content.schema import ContentProblem, ResourceSpec, TopicSpec
from content.urls import normalize_url
from db.models import Exercise, Prerequisite, Resource, ResourceTopic, Section, Topic
from db.types import utcnow

Action = Literal["create", "update", "unchanged", "archive"]
Entity = Literal["section", "topic", "resource", "exercise"]
ENTITIES: tuple[Entity, ...] = ("section", "topic", "resource", "exercise")
ACTIONS: tuple[Action, ...] = ("create", "update", "unchanged", "archive")
SYNC_ACTOR = "content-sync"
# Resources in these states come from the files; proposals and rejections belong to the review workflow.
FILE_RESOURCE_STATUSES = ("approved", "archived")
# Written with every create and update but never a reason for one, so a row an admin made (hash unset)
# that matches the files is unchanged. An exercise's hash is different: it covers files with no column.
DERIVED_FIELDS: dict[str, frozenset[str]] = {
    "topic": frozenset({"content_hash"}),
    "resource": frozenset({"content_hash"}),
}


class ContentInvalid(Exception):
    """Raised by ``apply_sync`` for a plan with problems: nothing has been written."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        super().__init__(f"{len(problems)} content problem(s); nothing written")
        self.problems = problems


@dataclass(frozen=True)
class FieldDiff:
    """One field that differs: its value in the database and the value the files want."""

    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class EntityPlan:
    """What sync does to one row."""

    entity: Entity
    key: str
    label: str
    action: Action
    diffs: tuple[FieldDiff, ...] = ()
    wanted: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class SyncPlan:
    """Every entity's action, or the problems that prevent any."""

    entities: list[EntityPlan]
    problems: list[ContentProblem]
    prune: bool

    def counts(self) -> dict[Entity, dict[Action, int]]:
        table: dict[Entity, dict[Action, int]] = {e: dict.fromkeys(ACTIONS, 0) for e in ENTITIES}
        for plan in self.entities:
            table[plan.entity][plan.action] += 1
        return table

    @property
    def changes(self) -> list[EntityPlan]:
        return [p for p in self.entities if p.action != "unchanged"]

    @property
    def writes(self) -> bool:
        return any(
            p.action in ("create", "update") or (p.action == "archive" and self.prune) for p in self.entities
        )


def content_hash(data: Any) -> str:
    """The sha256 hex digest of the canonical JSON of ``data`` (64 chars: the topic and resource columns)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=list)
    return hashlib.sha256(canonical.encode()).hexdigest()


def plan_sync(session: Session, content: Content, *, prune: bool) -> SyncPlan:
    """Validate ``content`` and compare it with the database; reads only."""
    problems = validate(content)
    if problems:
        return SyncPlan(entities=[], problems=problems, prune=prune)
    db = _DatabaseState.read(session)
    problems = _clashes(content, db)
    if problems:
        return SyncPlan(entities=[], problems=problems, prune=prune)
    slug_of: dict[int, str] = {
        **{_id(t.id): t.slug for t in db.topics.values()},
        **{t.spec.id: t.spec.slug for t in content.topics},
    }
    entities = [
        *_plan_rows("section", _wanted_sections(content), _current_sections(db), db.section_labels()),
        *_plan_rows("topic", _wanted_topics(content), _current_topics(db, slug_of), db.active_topics()),
        *_plan_rows(
            "resource", _wanted_resources(content), _current_resources(db, slug_of), db.file_resources()
        ),
    ]
    if content.exercises_loaded:
        entities += _plan_rows(
            "exercise", _wanted_exercises(content), _current_exercises(db, slug_of), db.active_exercises()
        )
    return SyncPlan(entities=entities, problems=[], prune=prune)


def apply_sync(session: Session, plan: SyncPlan) -> None:
    """Write ``plan`` (flush only: the caller commits). Raises ContentInvalid if the plan has problems."""
    if plan.problems:
        raise ContentInvalid(plan.problems)
    if not plan.writes:
        return
    by_entity: dict[Entity, list[EntityPlan]] = defaultdict(list)
    for entity_plan in plan.entities:
        by_entity[entity_plan.entity].append(entity_plan)
    now = utcnow()
    _apply_sections(session, by_entity["section"])
    topic_ids = _apply_topics(session, by_entity["topic"], plan.prune, now)
    _apply_resources(session, by_entity["resource"], topic_ids, plan.prune, now)
    _apply_exercises(session, by_entity["exercise"], topic_ids, plan.prune, now)
    follow_renames(session, topics=_renames(by_entity["topic"]), exercises=_renames(by_entity["exercise"]))
    session.flush()
    # Every API replica drops its cached catalogue version when this commits (some writes above are Core
    # statements that the ORM flush hook does not see).
    announce(session, CATALOGUE_CHANNEL)
    if any(p.action == "create" for p in plan.entities):
        _bump_id_sequences(session)


def _renames(plans: Iterable[EntityPlan]) -> dict[str, str]:
    """Old slug -> new slug of the rows these plans rename."""
    return {
        str(diff.old): str(diff.new)
        for plan in plans
        if plan.action == "update"
        for diff in plan.diffs
        if diff.name == "slug"
    }


def sync_content(session: Session, root: Path, *, prune: bool = False) -> SyncPlan:
    """Load, plan and apply in one call (``syllabus serve`` on first start); raises ContentInvalid."""
    plan = plan_sync(session, load_content(root), prune=prune)
    apply_sync(session, plan)
    return plan


# --- reading the database -------------------------------------------------------------------------------


@dataclass
class _DatabaseState:
    sections: dict[str, Section]
    topics: dict[int, Topic]
    edges: dict[int, list[Prerequisite]]
    resources: dict[int, Resource]
    resource_topics: dict[int, list[int]]
    exercises: dict[int, Exercise]

    @classmethod
    def read(cls, session: Session) -> "_DatabaseState":
        edges: dict[int, list[Prerequisite]] = defaultdict(list)
        for edge in session.exec(select(Prerequisite)):
            edges[edge.topic_id].append(edge)
        resource_topics: dict[int, list[int]] = defaultdict(list)
        for link in session.exec(select(ResourceTopic)):
            resource_topics[link.resource_id].append(link.topic_id)
        return cls(
            sections={s.slug: s for s in session.exec(select(Section))},
            topics={_id(t.id): t for t in session.exec(select(Topic))},
            edges=edges,
            resources={_id(r.id): r for r in session.exec(select(Resource))},
            resource_topics=resource_topics,
            exercises={_id(e.id): e for e in session.exec(select(Exercise))},
        )

    def section_labels(self) -> dict[str, str]:
        return {}  # sections are never archived

    def active_topics(self) -> dict[str, str]:
        return {str(i): t.slug for i, t in self.topics.items() if t.status == "active"}

    def file_resources(self) -> dict[str, str]:
        return {str(i): r.url for i, r in self.resources.items() if r.status == "approved"}

    def active_exercises(self) -> dict[str, str]:
        return {str(i): e.slug for i, e in self.exercises.items() if e.status == "active"}


def _id(value: int | None) -> int:
    assert value is not None, "rows read from the database have ids"
    return value


def _clashes(content: Content, db: _DatabaseState) -> list[ContentProblem]:
    """Unique values the files want that a row outside the files already holds."""
    problems = []
    file_topic_ids = {t.spec.id for t in content.topics}
    topic_by_slug = {t.slug: t for t in db.topics.values()}
    for topic in content.topics:
        holder = topic_by_slug.get(topic.spec.slug)
        if holder is not None and holder.id not in file_topic_ids:
            message = (
                f"slug {topic.spec.slug!r} belongs to topic #{holder.id} in the database, which the files do "
                f"not contain; give this entry id {holder.id} to adopt it, or pick another slug"
            )
            problems.append(content.problem(topic.file, (topic.index, "slug"), message))
    file_resource_ids = {r.spec.id for r in content.resources}
    resource_by_url = {r.url: r for r in db.resources.values()}
    for resource in content.resources:
        holder_r = resource_by_url.get(normalize_url(resource.spec.url))
        if holder_r is not None and holder_r.id not in file_resource_ids:
            message = (
                f"URL already in the database as resource #{holder_r.id} (status {holder_r.status}); "
                f"give this entry id {holder_r.id} to adopt it"
            )
            problems.append(content.problem(resource.file, (resource.index, "url"), message))
    if content.exercises_loaded:
        file_exercise_ids = {getattr(e, "id", None) for e in content.exercises}
        exercise_by_slug = {e.slug: e for e in db.exercises.values()}
        for exercise in content.exercises:
            holder_e = exercise_by_slug.get(exercise.slug)
            if holder_e is not None and holder_e.id not in file_exercise_ids:
                rel = f"exercises/{exercise.slug}/exercise.yaml"
                message = f"slug {exercise.slug!r} belongs to exercise #{holder_e.id} in the database"
                problems.append(ContentProblem(rel, f"{rel}.id", message))
    return problems


# --- wanted and current values, in the same shape ----------------------------------------------------------


def _wanted_sections(content: Content) -> dict[str, dict[str, Any]]:
    return {
        s.spec.slug: {"title": s.spec.title, "summary": s.spec.summary, "position": s.spec.position}
        for s in content.sections
    }


def _current_sections(db: _DatabaseState) -> dict[str, dict[str, Any]]:
    return {
        slug: {"title": s.title, "summary": s.summary, "position": s.position}
        for slug, s in db.sections.items()
    }


def topic_values(topic: Sourced[TopicSpec]) -> dict[str, Any]:
    """The columns a topic entry sets (prerequisites as sorted ``(slug, kind)`` pairs), with its hash."""
    spec = topic.spec
    values: dict[str, Any] = {
        "slug": spec.slug,
        "title": spec.title,
        "section": spec.section,
        "summary": spec.summary,
        "objectives": list(spec.objectives),
        "est_hours": float(spec.est_hours),
        "position": spec.position if spec.position is not None else topic.index,
        "prerequisites": sorted((e.topic, e.kind) for e in spec.prerequisites),
    }
    return {**values, "status": "active", "content_hash": content_hash({"id": spec.id, **values})}


def _wanted_topics(content: Content) -> dict[str, dict[str, Any]]:
    return {str(t.spec.id): topic_values(t) for t in content.topics}


def _current_topics(db: _DatabaseState, slug_of: Mapping[int, str]) -> dict[str, dict[str, Any]]:
    return {
        str(i): {
            "slug": t.slug,
            "title": t.title,
            "section": t.section,
            "summary": t.summary,
            "objectives": list(t.objectives),
            "est_hours": float(t.est_hours),
            "position": t.position,
            "prerequisites": sorted((slug_of[e.prerequisite_id], e.kind) for e in db.edges.get(i, [])),
            "status": t.status,
            "content_hash": t.content_hash,
        }
        for i, t in db.topics.items()
    }


def resource_values(spec: ResourceSpec) -> dict[str, Any]:
    """The columns a resource entry sets (topics as a sorted slug list), with its hash."""
    values: dict[str, Any] = {
        "url": normalize_url(spec.url),
        "title": spec.title,
        "kind": spec.kind,
        "provider": spec.provider,
        "is_free": spec.is_free,
        "level": spec.level,
        "est_minutes": spec.est_minutes,
        "note": spec.note,
        "status": spec.status,
        "topics": sorted(spec.topics),
    }
    return {**values, "content_hash": content_hash({"id": spec.id, **values})}


def _wanted_resources(content: Content) -> dict[str, dict[str, Any]]:
    return {str(r.spec.id): resource_values(r.spec) for r in content.resources}


def _current_resources(db: _DatabaseState, slug_of: Mapping[int, str]) -> dict[str, dict[str, Any]]:
    return {
        str(i): {
            "url": r.url,
            "title": r.title,
            "kind": r.kind,
            "provider": r.provider,
            "is_free": r.is_free,
            "level": r.level,
            "est_minutes": r.est_minutes,
            "note": r.note,
            "status": r.status,
            "topics": sorted(slug_of[t] for t in db.resource_topics.get(i, [])),
            "content_hash": r.content_hash,
        }
        for i, r in db.resources.items()
    }


EXERCISE_FIELDS = (
    "slug",
    "title",
    "difficulty",
    "instructions",
    "files",
    "starter_files",
    "visible_tests",
    "hidden_tests",
    "reference_files",
    "limits",
    "points",
    "content_hash",
)


def _wanted_exercises(content: Content) -> dict[str, dict[str, Any]]:
    wanted = {}
    for spec in content.exercises:
        values = {name: _plain(getattr(spec, name)) for name in EXERCISE_FIELDS}
        wanted[str(spec.id)] = {**values, "topic": spec.topic, "status": "active"}
    return wanted


def _current_exercises(db: _DatabaseState, slug_of: Mapping[int, str]) -> dict[str, dict[str, Any]]:
    return {
        str(i): {
            **{name: _plain(getattr(e, name)) for name in EXERCISE_FIELDS},
            "topic": slug_of[e.topic_id],
            "status": e.status,
        }
        for i, e in db.exercises.items()
    }


def _plain(value: Any) -> Any:
    """Tuples become lists (JSON columns give lists back), recursively, so values compare equal."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _plan_rows(
    entity: Entity,
    wanted: Mapping[str, dict[str, Any]],
    current: Mapping[str, dict[str, Any]],
    prunable: Mapping[str, str],
) -> list[EntityPlan]:
    """Compare wanted with current values; ``prunable`` rows missing from the files become ``archive``."""
    plans = []
    for key, values in wanted.items():
        label = str(values.get("slug") or values.get("url") or key)
        if key not in current:
            plans.append(EntityPlan(entity, key, label, "create", wanted=values))
            continue
        derived = DERIVED_FIELDS.get(entity, frozenset())
        diffs = tuple(
            FieldDiff(n, current[key].get(n), v)
            for n, v in values.items()
            if current[key].get(n) != v and n not in derived
        )
        plans.append(EntityPlan(entity, key, label, "update" if diffs else "unchanged", diffs, values))
    for key, label in prunable.items():
        if key not in wanted:
            plans.append(
                EntityPlan(entity, key, label, "archive", (FieldDiff("status", "active", "archived"),))
            )
    return plans


# --- writing ---------------------------------------------------------------------------------------------


def _apply_sections(session: Session, plans: Iterable[EntityPlan]) -> None:
    for plan in plans:
        if plan.action in ("create", "update"):
            row = session.get(Section, plan.key) or Section(slug=plan.key, title="")
            _set(row, plan.wanted, ("title", "summary", "position"))
            session.add(row)
    session.flush()


def _apply_topics(session: Session, plans: list[EntityPlan], prune: bool, now: Any) -> dict[str, int]:
    """Write topics and their edges; returns the slug -> id map of the files' topics."""
    topic_ids = {str(p.wanted["slug"]): int(p.key) for p in plans if p.wanted}
    columns = (
        "slug",
        "title",
        "section",
        "summary",
        "objectives",
        "est_hours",
        "position",
        "status",
        "content_hash",
    )
    rows = _upsert(session, Topic, plans, columns, "slug", now)
    for plan in plans:
        if plan.action == "create" or any(d.name == "prerequisites" for d in plan.diffs):
            session.exec(sa.delete(Prerequisite).where(col(Prerequisite.topic_id) == int(plan.key)))
            for slug, kind in plan.wanted["prerequisites"]:
                session.add(Prerequisite(topic_id=int(plan.key), prerequisite_id=topic_ids[slug], kind=kind))
    _archive(session, Topic, plans, prune, now, rows)
    session.flush()
    return topic_ids


def _apply_resources(
    session: Session, plans: list[EntityPlan], topic_ids: Mapping[str, int], prune: bool, now: Any
) -> None:
    columns = (
        "url",
        "title",
        "kind",
        "provider",
        "is_free",
        "level",
        "est_minutes",
        "note",
        "status",
        "content_hash",
    )
    rows = _upsert(session, Resource, plans, columns, "url", now)
    for plan in plans:
        row = rows.get(plan.key)
        if row is not None and (plan.action == "create" or any(d.name == "status" for d in plan.diffs)):
            row.reviewed_by, row.reviewed_at = SYNC_ACTOR, now
        if plan.action == "create" or any(d.name == "topics" for d in plan.diffs):
            session.exec(sa.delete(ResourceTopic).where(col(ResourceTopic.resource_id) == int(plan.key)))
            for slug in plan.wanted["topics"]:
                session.add(ResourceTopic(resource_id=int(plan.key), topic_id=topic_ids[slug]))
    _archive(session, Resource, plans, prune, now, rows)
    session.flush()


def _apply_exercises(
    session: Session, plans: list[EntityPlan], topic_ids: Mapping[str, int], prune: bool, now: Any
) -> None:
    wanted = [p for p in plans if p.wanted]
    resolved = [
        EntityPlan(
            p.entity,
            p.key,
            p.label,
            p.action,
            p.diffs,
            {**p.wanted, "topic_id": topic_ids[p.wanted["topic"]]},
        )
        for p in wanted
    ]
    rows = _upsert(session, Exercise, resolved, (*EXERCISE_FIELDS, "topic_id", "status"), "slug", now)
    _archive(session, Exercise, plans, prune, now, rows)
    session.flush()


def _upsert(
    session: Session,
    model: type[Topic] | type[Resource] | type[Exercise],
    plans: Iterable[EntityPlan],
    columns: tuple[str, ...],
    unique: str,
    now: Any,
) -> dict[str, Any]:
    """Create and update rows; a unique value that moves between rows goes through a placeholder first."""
    plans = [p for p in plans if p.action in ("create", "update")]
    rows: dict[str, Any] = {}
    for plan in plans:
        if plan.action == "update":
            rows[plan.key] = session.get(model, int(plan.key))
            if any(d.name == unique for d in plan.diffs):
                # Two rows may swap values (a -> b, b -> a): park each moving value first.
                setattr(rows[plan.key], unique, f"~sync~{plan.key}")
    session.flush()
    for plan in plans:
        row = rows.get(plan.key)
        if row is None:
            fields = {column: plan.wanted[column] for column in columns}
            row = rows[plan.key] = model(id=int(plan.key), created_at=now, **fields)
        else:
            _set(row, plan.wanted, columns)
            if hasattr(row, "version"):
                row.version += 1  # the API's ETags follow it
        row.updated_at = now
        session.add(row)
    session.flush()
    return rows


def _archive(
    session: Session,
    model: type[Topic] | type[Resource] | type[Exercise],
    plans: Iterable[EntityPlan],
    prune: bool,
    now: Any,
    rows: dict[str, Any],
) -> None:
    if not prune:
        return
    for plan in plans:
        if plan.action == "archive":
            row = session.get(model, int(plan.key))
            if row is not None:
                row.status, row.updated_at = "archived", now
                if isinstance(row, Resource):
                    row.reviewed_by, row.reviewed_at = SYNC_ACTOR, now
                session.add(row)
                rows[plan.key] = row


def _set(row: Any, values: Mapping[str, Any], columns: Iterable[str]) -> None:
    for column in columns:
        setattr(row, column, values[column])


def _bump_id_sequences(session: Session) -> None:
    """On PostgreSQL, move each id sequence past the ids we inserted so later API inserts don't collide."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite picks max(rowid) + 1 by itself
    for table in ("topic", "resource", "exercise"):
        session.connection().execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        )
