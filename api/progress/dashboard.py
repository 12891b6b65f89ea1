"""The dashboard: one response for a front end's home screen, in a fixed number of SQL queries.

Queries (independent of history length): catalogue (2), progress rows, exercises, best scores, goals,
week figures, topic completions, recent events, recent submissions. Event-derived figures are aggregated in
SQL over indexed time ranges; nothing loads a learner's whole history.
"""

import hashlib
import time

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from api.accounts.service import get_learner
from api.activity import read_version, read_version_async
from api.async_db import AsyncDatabase
from api.coherence import CatalogueCache
from api.errors import NotFound
from api.progress.catalogue import load_catalogue
from api.progress.dashboard_cache import DashboardCache, RenderedDashboard
from api.progress.events import event_read, recent_events
from api.progress.goals import all_goals, current_week, read_goals, streaks
from api.progress.mastery import MASTERY_LEVELS, compute_mastery, load_inputs, load_statuses
from api.progress.recommend import next_topics
from api.progress.schemas import DashboardRead, RecentSubmission, SectionMastery
from db.models import Exercise, Learner, Submission
from db.session import reads_only
from db.types import utcnow

NEXT_TOPICS = 5
RECENT = 10


def recent_submissions(session: Session, *, learner_id: int, limit: int) -> list[RecentSubmission]:
    """The learner's latest submissions with their exercise's slug and title (one query)."""
    rows = session.exec(
        select(Submission, Exercise.slug, Exercise.title, Exercise.topic_id)
        .join(Exercise, col(Exercise.id) == col(Submission.exercise_id))
        .where(Submission.learner_id == learner_id)
        .order_by(col(Submission.created_at).desc(), col(Submission.id).desc())
        .limit(limit)
    ).all()
    return [
        RecentSubmission(
            id=sub.id or 0,
            exercise_slug=slug,
            exercise_title=title,
            topic_id=topic_id,
            status=sub.status,
            score=sub.score,
            max_score=sub.max_score,
            source=sub.source,
            created_at=sub.created_at,
            finished_at=sub.finished_at,
        )
        for sub, slug, title, topic_id in rows
    ]


def build_dashboard(session: Session, *, learner: Learner) -> DashboardRead:
    """Current goal, streaks, next topics, mastery by section, recent activity and recent submissions."""
    assert learner.id is not None
    now = utcnow()
    catalogue = load_catalogue(session)
    rows = load_statuses(session, learner_id=learner.id)
    statuses = {topic_id: row.status for topic_id, row in rows.items()}
    mastery = compute_mastery(load_inputs(session, learner_id=learner.id, progress=rows))

    sections: dict[str, SectionMastery] = {}
    for topic in catalogue.active():
        entry = sections.setdefault(
            topic.section,
            SectionMastery(
                section=topic.section,
                title=topic.section_title,
                topics=0,
                counts=dict.fromkeys(MASTERY_LEVELS, 0),
                percent_proficient=0.0,
                percent_mastered=0.0,
            ),
        )
        entry.topics += 1
        entry.counts[mastery.get(topic.id, ("not_started", ""))[0]] += 1
    for entry in sections.values():
        entry.percent_proficient = round(
            100.0 * (entry.counts["proficient"] + entry.counts["mastered"]) / entry.topics, 1
        )
        entry.percent_mastered = round(100.0 * entry.counts["mastered"] / entry.topics, 1)

    week = current_week(learner, now)
    goals = read_goals(
        session, learner_id=learner.id, goals=all_goals(session, learner_id=learner.id), now=now
    )
    streak, longest = streaks(goals, current=week)
    return DashboardRead(
        learner_id=learner.id,
        timezone=learner.timezone,
        week_start=learner.week_start,
        current_week=week.id,
        current_goal=next((g for g in goals if g.week == week.id), None),
        streak_weeks=streak,
        longest_streak_weeks=longest,
        next_topics=next_topics(catalogue, statuses, limit=NEXT_TOPICS).items,
        mastery_by_section=list(sections.values()),
        recent_activity=[
            event_read(e) for e in recent_events(session, learner_id=learner.id, now=now, limit=RECENT)
        ],
        recent_submissions=recent_submissions(session, learner_id=learner.id, limit=RECENT),
    )


def _key(catalogue: CatalogueCache | None, version: int) -> tuple[int, int] | None:
    """What a cached dashboard must have been built from: None when nothing vouches for the catalogue."""
    generation = catalogue.generation() if catalogue is not None else None
    return None if generation is None else (version, generation)


def cached_dashboard(
    cache: DashboardCache, catalogue: CatalogueCache | None, learner_id: int, version: int
) -> RenderedDashboard | None:
    """The cached dashboard if it was built from `version` and the current catalogue (no I/O)."""
    key = _key(catalogue, version)
    return cache.get(learner_id, key) if key is not None else None


def rendered_dashboard(
    session: Session,
    *,
    learner_id: int,
    cache: DashboardCache | None,
    catalogue: CatalogueCache | None,
    version: int | None = None,
) -> RenderedDashboard:
    """The learner's dashboard as JSON: from `cache` while it is current (one query), else built (and kept).

    `version` is the learner's activity version if the caller already read it. It is read before anything
    is built, so an entry never claims to be newer than its content. Without a catalogue cache that is on
    (SQLite, or PostgreSQL while LISTEN is down) nothing vouches for the catalogue, and every call builds.
    """
    reads_only(session)
    if version is None:
        version = read_version(session, learner_id)
        if version is None:
            raise NotFound(f"learner {learner_id} not found")
    key = _key(catalogue, version) if cache is not None else None
    if key is None or cache is None:
        return _render(session, learner_id, key=None, ttl=0.0)
    with cache.building(learner_id):  # a concurrent miss for this learner may have just built it
        hit = cache.get(learner_id, key)
        if hit is None:
            hit = _render(session, learner_id, key=key, ttl=cache.ttl)
            cache.put(learner_id, hit)
        return hit


def _render(
    session: Session, learner_id: int, *, key: tuple[int, int] | None, ttl: float
) -> RenderedDashboard:
    body = build_dashboard(session, learner=get_learner(session, learner_id)).model_dump_json().encode()
    return RenderedDashboard(
        body=body,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        key=key,
        expires_at=time.monotonic() + ttl,
    )


async def current_dashboard(
    *,
    learner_id: int,
    cache: DashboardCache | None,
    catalogue: CatalogueCache | None,
    async_db: AsyncDatabase | None,
    session_factory: sessionmaker[Session],
) -> RenderedDashboard:
    """The dashboard for a request: on PostgreSQL the version check runs on the event loop (a hit costs no
    worker thread); a miss, or any SQLite request, reads and builds in one worker-thread trip."""
    version = None
    if async_db is not None and cache is not None:
        version = await read_version_async(async_db, learner_id)
        if version is None:
            raise NotFound(f"learner {learner_id} not found")
        hit = cached_dashboard(cache, catalogue, learner_id, version)
        if hit is not None:
            return hit

    def build() -> RenderedDashboard:
        with session_factory() as session:  # it only reads: nothing to commit
            return rendered_dashboard(
                session, learner_id=learner_id, cache=cache, catalogue=catalogue, version=version
            )

    return await run_in_threadpool(build)
