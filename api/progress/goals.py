"""Weekly goals: targets per week, progress computed from counted events, history and streaks.

Decisions:
- A goal is counted in the calendar (timezone, week start) in force when it was first set; updating its
  targets later keeps that calendar, and changing the learner's timezone never rewrites past weeks.
- Goals are set for the current or a future week; a week that has ended is history (409).
- `topics`: a target topic counts once the learner marked it completed at any time before the week ended
  (a topic already finished before the week counts). `minutes`: the sum of counted events' minutes (see
  `events`). `exercises`: distinct exercises with a successful attempt in the week. `active_days`: distinct
  local dates of the week with at least one counted event. A goal is met when every target set is reached;
  a future week is never met.
- `streak_weeks`: consecutive met weeks ending with the last completed week, plus the current week when it
  is already met; a week without a goal breaks a streak. `longest_streak_weeks`: the longest such run.
- Figures come from one SQL query over all the goals' weeks (each split into its seven local days), so
  history costs a fixed number of queries.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from api.activity import bump
from api.errors import Conflict, NotFound, UnprocessableContent
from api.pagination import decode_cursor, encode_cursor
from api.progress.events import counted
from api.progress.schemas import (
    CountProgress,
    GoalHistory,
    GoalProgress,
    GoalRead,
    GoalUpdate,
    TopicsProgress,
)
from api.progress.weeks import Week, parse_week, week_containing, week_ordinal
from db.models import ActivityEvent, Learner, Topic, WeeklyGoal
from db.types import utcnow


class GoalNotFound(NotFound):
    """No goal was set for this week."""

    code = "goal-not-found"


class WeekClosed(Conflict):
    """The week has ended; its goal is history."""

    code = "week-closed"


class UnknownTopics(UnprocessableContent):
    """A goal names topics that do not exist."""

    code = "unknown-topics"


class EmptyGoal(UnprocessableContent):
    """A goal with no target at all."""

    code = "empty-goal"


@dataclass(frozen=True)
class WeekFigures:
    """What the learner did in one week."""

    active_days: int = 0
    minutes: float = 0.0
    exercises: int = 0


def goal_week(goal: WeeklyGoal) -> Week:
    """The week of a goal, in the calendar stored with it."""
    return parse_week(goal.week, timezone=goal.timezone, week_start=goal.week_start, now=utcnow())


def _day_windows(session: Session, rows: list[tuple[str, int, datetime, datetime]]) -> Any:
    """The (week, day, starts, ends) rows as a table, from ONE JSON parameter.

    A VALUES list would carry four bind parameters per day and SQLAlchemy would compile it afresh for every
    history length (~100 ms for a year of goals); a single JSON document keeps the statement constant, so
    it is compiled once and cached.
    """
    if session.get_bind().dialect.name == "postgresql":
        doc = [{"week": w, "day": d, "starts": s.isoformat(), "ends": e.isoformat()} for w, d, s, e in rows]
        return (
            sa.func.jsonb_to_recordset(sa.cast(sa.bindparam("days", json.dumps(doc)), postgresql.JSONB))
            .table_valued(
                sa.column("week", sa.String),
                sa.column("day", sa.Integer),
                sa.column("starts", sa.DateTime(timezone=True)),
                sa.column("ends", sa.DateTime(timezone=True)),
            )
            .render_derived(name="goal_day", with_types=True)
        )
    # SQLite keeps UTC instants as naive ISO text: windows are written the same way and compared as text.
    stamp = "%Y-%m-%d %H:%M:%S.%f"
    naive_rows = [
        [w, d, s.astimezone(UTC).strftime(stamp), e.astimezone(UTC).strftime(stamp)] for w, d, s, e in rows
    ]
    each = (
        sa.func.json_each(sa.bindparam("days", json.dumps(naive_rows)))
        .table_valued("value")
        .alias("goal_json")
    )
    return sa.select(
        sa.func.json_extract(each.c.value, "$[0]").label("week"),
        sa.func.json_extract(each.c.value, "$[1]").label("day"),
        sa.func.json_extract(each.c.value, "$[2]").label("starts"),
        sa.func.json_extract(each.c.value, "$[3]").label("ends"),
    ).subquery("goal_day")


def week_figures(
    session: Session, *, learner_id: int, weeks: list[Week], now: datetime
) -> dict[str, WeekFigures]:
    """Active days, minutes and passed exercises for each week, in one query."""
    rows = [
        (week.id, index, starts, ends)
        for week in weeks
        if week.starts_at <= now
        for index, (_, starts, ends) in enumerate(week.days())
        if starts <= now
    ]
    if not rows:
        return {}
    day = _day_windows(session, rows)
    event = ActivityEvent
    result = col(event.result)
    passed = sa.case(
        (
            sa.and_(
                col(event.verb) == "attempted",
                col(event.object_type) == "exercise",
                result["success"].as_boolean().is_(sa.true()),
            ),
            event.object_id,
        )
    )
    query = (
        select(
            day.c.week,
            sa.func.count(sa.distinct(day.c.day)),
            sa.func.coalesce(sa.func.sum(event.minutes), 0.0),
            sa.func.count(sa.distinct(passed)),
        )
        .select_from(day)
        .join(event, sa.and_(col(event.timestamp) >= day.c.starts, col(event.timestamp) < day.c.ends))
        .where(*counted(learner_id, now))
        .group_by(day.c.week)
    )
    return {
        week_id: WeekFigures(
            active_days=int(days), minutes=round(float(minutes), 2), exercises=int(exercises)
        )
        for week_id, days, minutes, exercises in session.exec(query).all()
    }


def topic_completions(session: Session, *, learner_id: int, now: datetime) -> dict[str, datetime]:
    """When each topic was first marked completed (counted events only)."""
    result = col(ActivityEvent.result)
    rows = session.exec(
        select(ActivityEvent.object_id, sa.func.min(ActivityEvent.timestamp))
        .where(
            *counted(learner_id, now),
            ActivityEvent.verb == "progressed",
            ActivityEvent.object_type == "topic",
            result["status"].as_string() == "completed",
        )
        .group_by(col(ActivityEvent.object_id))
    ).all()
    return dict(rows)


def _count(target: int | None, value: float) -> CountProgress | None:
    return None if target is None else CountProgress(target=target, value=value, met=value >= target)


def goal_read(
    goal: WeeklyGoal, *, week: Week, figures: WeekFigures, completions: dict[str, datetime], now: datetime
) -> GoalRead:
    """A goal with progress against each of its targets."""
    status = "future" if now < week.starts_at else "past" if now >= week.ends_at else "current"
    progress = GoalProgress(
        minutes=_count(goal.minutes, figures.minutes),
        exercises=_count(goal.exercises, figures.exercises),
        active_days=_count(goal.active_days, figures.active_days),
    )
    if goal.topics:
        done = [slug for slug in goal.topics if slug in completions and completions[slug] < week.ends_at]
        remaining = [slug for slug in goal.topics if slug not in done]
        progress.topics = TopicsProgress(
            target=goal.topics, completed=done, remaining=remaining, met=not remaining
        )
    parts = [p for p in (progress.topics, progress.minutes, progress.exercises, progress.active_days) if p]
    met = status != "future" and bool(parts) and all(p.met for p in parts)
    return GoalRead(
        week=goal.week,
        timezone=goal.timezone,
        week_start=goal.week_start,
        starts_at=week.starts_at,
        ends_at=week.ends_at,
        status=status,
        topics=goal.topics,
        minutes=goal.minutes,
        exercises=goal.exercises,
        active_days=goal.active_days,
        progress=progress,
        met=met,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
    )


def read_goals(
    session: Session, *, learner_id: int, goals: list[WeeklyGoal], now: datetime
) -> list[GoalRead]:
    """Goals with their progress, in two queries however many weeks they span."""
    weeks = [goal_week(goal) for goal in goals]
    figures = week_figures(session, learner_id=learner_id, weeks=weeks, now=now)
    completions = topic_completions(session, learner_id=learner_id, now=now) if goals else {}
    return [
        goal_read(
            goal, week=week, figures=figures.get(week.id, WeekFigures()), completions=completions, now=now
        )
        for goal, week in zip(goals, weeks, strict=True)
    ]


def current_week(learner: Learner, now: datetime) -> Week:
    """The learner's current week in their current calendar."""
    return week_containing(now, timezone=learner.timezone, week_start=learner.week_start)


def streaks(reads: list[GoalRead], *, current: Week) -> tuple[int, int]:
    """(streak_weeks, longest_streak_weeks) from goals' met flags."""
    met = {week_ordinal(r.week) for r in reads if r.met}
    cursor = week_ordinal(current.id)
    streak = 1 if cursor in met else 0
    cursor -= 1
    while cursor in met:
        streak, cursor = streak + 1, cursor - 1
    longest = run = 0
    previous: int | None = None
    for ordinal in sorted(met):
        run = run + 1 if previous is not None and ordinal == previous + 1 else 1
        longest, previous = max(longest, run), ordinal
    return streak, longest


def set_goal(session: Session, *, learner: Learner, week: str, data: GoalUpdate) -> GoalRead:
    """Create or replace a week's targets (current or future weeks only).

    It locks the learner first (api.activity): concurrent PUTs of one week take turns, and the second
    replaces what the first created instead of failing on the duplicate key.
    """
    assert learner.id is not None
    now = utcnow()
    parsed = parse_week(week, timezone=learner.timezone, week_start=learner.week_start, now=now)
    bump(session, [learner.id])
    goal = session.get(WeeklyGoal, (learner.id, parsed.id))
    if goal is not None:
        parsed = goal_week(goal)
    if parsed.ends_at <= now:
        raise WeekClosed(f"week {parsed.id} has ended; its goal can no longer change", week=parsed.id)
    topics = list(dict.fromkeys(data.topics or []))
    if topics:
        known = set(session.exec(select(Topic.slug).where(col(Topic.slug).in_(topics))).all())
        unknown = [slug for slug in topics if slug not in known]
        if unknown:
            raise UnknownTopics(
                f"topics: unknown topic {', '.join(unknown)}", field="topics", unknown=unknown
            )
    if not topics and data.minutes is None and data.exercises is None and data.active_days is None:
        raise EmptyGoal("a goal needs at least one target: topics, minutes, exercises or active_days")
    if goal is None:
        goal = WeeklyGoal(
            learner_id=learner.id,
            week=parsed.id,
            timezone=learner.timezone,
            week_start=learner.week_start,
            created_at=now,
        )
    goal.topics, goal.minutes, goal.exercises, goal.active_days = (
        topics,
        data.minutes,
        data.exercises,
        data.active_days,
    )
    goal.updated_at = now
    session.add(goal)
    session.flush()
    return read_goals(session, learner_id=learner.id, goals=[goal], now=now)[0]


def get_goal(session: Session, *, learner: Learner, week: str) -> GoalRead:
    """One week's goal and its progress; 404 when none was set."""
    assert learner.id is not None
    now = utcnow()
    parsed = parse_week(week, timezone=learner.timezone, week_start=learner.week_start, now=now)
    goal = session.get(WeeklyGoal, (learner.id, parsed.id))
    if goal is None:
        raise GoalNotFound(f"no goal set for week {parsed.id}", week=parsed.id)
    return read_goals(session, learner_id=learner.id, goals=[goal], now=now)[0]


def all_goals(session: Session, *, learner_id: int) -> list[WeeklyGoal]:
    """Every goal of the learner, newest week first."""
    query = (
        select(WeeklyGoal).where(WeeklyGoal.learner_id == learner_id).order_by(col(WeeklyGoal.week).desc())
    )
    return list(session.exec(query).all())


def goal_history(session: Session, *, learner: Learner, limit: int, cursor: str | None) -> GoalHistory:
    """Goals newest first (paged by week) with streaks computed over the whole history."""
    assert learner.id is not None
    now = utcnow()
    after = decode_cursor(cursor, arity=1)
    reads = read_goals(
        session, learner_id=learner.id, goals=all_goals(session, learner_id=learner.id), now=now
    )
    current = current_week(learner, now)
    streak, longest = streaks(reads, current=current)
    remaining = [r for r in reads if after is None or r.week < str(after[0])]
    page = remaining[:limit]
    return GoalHistory(
        items=page,
        next_cursor=encode_cursor([page[-1].week]) if len(remaining) > limit else None,
        total=len(reads),
        current_week=current.id,
        streak_weeks=streak,
        longest_streak_weeks=longest,
    )
