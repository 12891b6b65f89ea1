"""Slugs stored outside the catalogue follow a topic or exercise that a sync renames.

Progress rows point at ids and need nothing, but two stores name topics and exercises by slug: learners'
weekly goals (`topics: [slug]`) and activity events (`object: {type, id: slug}`). Left alone, a goal
naming a renamed topic could never be met (completions after the rename carry the new slug). Events keep
their body hash, so re-posting an event exactly as first sent is still recognised as a repeat.
"""

from collections.abc import Mapping

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.models import ActivityEvent, WeeklyGoal


def follow_renames(session: Session, *, topics: Mapping[str, str], exercises: Mapping[str, str]) -> None:
    """Rewrite goal topic lists and event object ids (flush only; swaps like a <-> b are fine)."""
    for object_type, renames in (("topic", topics), ("exercise", exercises)):
        if renames:
            session.execute(
                sa.update(ActivityEvent)
                .where(
                    col(ActivityEvent.object_type) == object_type, col(ActivityEvent.object_id).in_(renames)
                )
                .values(object_id=sa.case(dict(renames), value=col(ActivityEvent.object_id)))
            )
    if not topics:
        return
    stored = sa.cast(col(WeeklyGoal.topics), sa.Text)  # a cheap pre-filter; the lists are compared below
    named = sa.or_(*(stored.contains(f'"{old}"', autoescape=True) for old in topics))
    for goal in session.exec(select(WeeklyGoal).where(named)):
        renamed = [topics.get(slug, slug) for slug in goal.topics]
        if renamed != goal.topics:
            goal.topics = renamed
            session.add(goal)
