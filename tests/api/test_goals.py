"""Weekly goals in the learner's timezone: local midnights, week boundaries, DST, streaks and validation."""

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.progress.events import record_submission_event
from api.progress.weeks import local_date_of, parse_week, week_containing
from db.models import Learner
from tests.api.test_progress_support import API, add_goal, event_row, seed_graph
from tests.conftest import Actors


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _set_calendar(client: TestClient, actors: Actors, timezone: str, week_start: str = "monday") -> None:
    r = client.patch(
        f"{API}/learners/me",
        json={"timezone": timezone, "week_start": week_start},
        headers=actors.learner.headers,
    )
    assert r.status_code == 200, r.text


# Pacific/Auckland: NZST +12 until Sunday 2026-09-27 02:00, then NZDT +13.
AUCKLAND = [
    # (UTC instant, local date, week it counts toward)
    ("2026-09-26 11:59", date(2026, 9, 26), "2026-W39"),  # Saturday 23:59 NZST
    ("2026-09-26 12:00", date(2026, 9, 27), "2026-W39"),  # Sunday 00:00 NZST
    ("2026-09-27 10:59", date(2026, 9, 27), "2026-W39"),  # Sunday 23:59 NZDT (a 23-hour day)
    ("2026-09-27 11:00", date(2026, 9, 28), "2026-W40"),  # Monday 00:00 NZDT: the next week
]
# America/Los_Angeles with Sunday weeks: PDT -7 until Sunday 2026-11-01 02:00, then PST -8.
# A Sunday week is named by the ISO week of its Sunday: Sunday 2026-11-01 is in ISO week 44.
LOS_ANGELES = [
    ("2026-11-01 06:59", date(2026, 10, 31), "2026-W43"),  # Saturday 23:59 PDT
    ("2026-11-01 07:00", date(2026, 11, 1), "2026-W44"),  # Sunday 00:00 PDT: a new week
    ("2026-11-02 07:59", date(2026, 11, 1), "2026-W44"),  # Sunday 23:59 PST (a 25-hour day)
    ("2026-11-02 08:00", date(2026, 11, 2), "2026-W44"),  # Monday 00:00 PST
]


@pytest.mark.parametrize(
    ("timezone", "week_start", "cases"),
    [("Pacific/Auckland", "monday", AUCKLAND), ("America/Los_Angeles", "sunday", LOS_ANGELES)],
)
def test_week_and_day_of_instants(timezone: str, week_start: str, cases: list[tuple[str, date, str]]) -> None:
    for instant, local_day, week in cases:
        assert local_date_of(_utc(instant), timezone) == local_day, instant
        assert week_containing(_utc(instant), timezone=timezone, week_start=week_start).id == week, instant


def test_week_bounds_across_dst() -> None:
    la = parse_week("2026-W44", timezone="America/Los_Angeles", week_start="sunday", now=datetime.now(UTC))
    assert la.start_date == date(2026, 11, 1)
    assert (la.starts_at, la.ends_at) == (
        _utc("2026-11-01 07:00"),
        _utc("2026-11-08 08:00"),
    )  # 7 days + 1 hour
    sunday = la.days()[0]
    assert sunday[2] - sunday[1] == timedelta(hours=25)
    nz = parse_week("2026-W39", timezone="Pacific/Auckland", week_start="monday", now=datetime.now(UTC))
    assert (nz.starts_at, nz.ends_at) == (_utc("2026-09-20 12:00"), _utc("2026-09-27 11:00"))
    assert nz.days()[-1][2] - nz.days()[-1][1] == timedelta(hours=23)


@pytest.mark.parametrize(
    ("timezone", "week_start", "cases", "expected"),
    [
        # W39: Saturday and Sunday -> 2 days, 3 events; W40: Monday -> 1 day.
        ("Pacific/Auckland", "monday", AUCKLAND, {"2026-W39": (2, 30), "2026-W40": (1, 10)}),
        # W43: Saturday -> 1 day; W44: Sunday (25 h) and Monday -> 2 days, 3 events.
        ("America/Los_Angeles", "sunday", LOS_ANGELES, {"2026-W43": (1, 10), "2026-W44": (2, 30)}),
    ],
)
def test_goals_count_events_by_local_day_and_week(
    client: TestClient,
    actors: Actors,
    db: Session,
    timezone: str,
    week_start: str,
    cases: list[tuple[str, date, str]],
    expected: dict[str, tuple[int, int]],
) -> None:
    me = actors.learner.learner_id or 0
    _set_calendar(client, actors, timezone, week_start)
    for week in expected:
        add_goal(
            db, learner_id=me, week=week, timezone=timezone, week_start=week_start, active_days=2, minutes=30
        )
    db.add_all([event_row(me, _utc(instant), minutes=10) for instant, _, _ in cases])
    db.commit()
    for week, (days, minutes) in expected.items():
        goal = client.get(f"{API}/learners/me/goals/{week}", headers=actors.learner.headers).json()
        assert goal["status"] == "past"
        assert goal["progress"]["active_days"]["value"] == days, week
        assert goal["progress"]["minutes"]["value"] == minutes, week
        assert goal["met"] is (days >= 2 and minutes >= 30)

    # Moving to another timezone later does not rewrite those weeks: each goal keeps its own calendar.
    _set_calendar(client, actors, "UTC", "monday")
    for week, (days, _minutes) in expected.items():
        goal = client.get(f"{API}/learners/me/goals/{week}", headers=actors.learner.headers).json()
        assert (goal["timezone"], goal["week_start"]) == (timezone, week_start)
        assert goal["progress"]["active_days"]["value"] == days


def test_put_goal_validates_and_keeps_the_calendar_it_was_set_in(
    client: TestClient, actors: Actors, db: Session
) -> None:
    seed_graph(db)
    h = actors.learner.headers
    _set_calendar(client, actors, "Pacific/Auckland")
    r = client.put(f"{API}/learners/me/goals/current", json={"topics": ["a", "b"], "minutes": 60}, headers=h)
    assert r.status_code == 200, r.text
    goal = r.json()
    assert goal["timezone"] == "Pacific/Auckland"
    assert goal["status"] == "current"
    assert (
        goal["week"]
        == week_containing(datetime.now(UTC), timezone="Pacific/Auckland", week_start="monday").id
    )
    _set_calendar(client, actors, "America/Los_Angeles")
    again = client.put(f"{API}/learners/me/goals/{goal['week']}", json={"exercises": 1}, headers=h).json()
    assert (again["timezone"], again["topics"], again["minutes"]) == ("Pacific/Auckland", [], None)

    unknown = client.put(f"{API}/learners/me/goals/current", json={"topics": ["a", "nope", "zzz"]}, headers=h)
    assert unknown.status_code == 422
    assert unknown.json()["unknown"] == ["nope", "zzz"]
    assert client.put(f"{API}/learners/me/goals/current", json={}, headers=h).status_code == 422
    assert client.put(f"{API}/learners/me/goals/2020-W10", json={"minutes": 5}, headers=h).status_code == 409
    assert client.put(f"{API}/learners/me/goals/2026-W60", json={"minutes": 5}, headers=h).status_code == 422
    assert client.put(f"{API}/learners/me/goals/next-week", json={"minutes": 5}, headers=h).status_code == 422
    assert client.get(f"{API}/learners/me/goals/2030-W01", headers=h).status_code == 404
    future = client.put(f"{API}/learners/me/goals/2030-W01", json={"minutes": 5}, headers=h).json()
    assert (future["status"], future["met"]) == ("future", False)


def test_topic_and_exercise_targets(client: TestClient, actors: Actors, db: Session) -> None:
    graph = seed_graph(db)
    h = actors.learner.headers
    me = actors.learner.learner_id or 0
    client.put(f"{API}/learners/me/topics/a/progress", json={"status": "completed"}, headers=h)
    client.put(f"{API}/learners/me/goals/current", json={"topics": ["a", "b"], "exercises": 2}, headers=h)
    now = datetime.now(UTC)
    for slug, status in [("ex-b1", "passed"), ("ex-b1", "passed"), ("ex-b2", "failed")]:
        record_submission_event(
            db,
            learner_id=me,
            exercise_slug=slug,
            topic_id=graph.topics["b"],
            submission_id=1,
            status=status,
            score=1.0,
            max_score=1.0,
            at=now,
        )
    db.commit()
    goal = client.get(f"{API}/learners/me/goals/current", headers=h).json()
    assert goal["progress"]["topics"] == {
        "target": ["a", "b"],
        "completed": ["a"],
        "remaining": ["b"],
        "met": False,
    }
    assert goal["progress"]["exercises"] == {"target": 2, "value": 1, "met": False}  # distinct successes only
    client.put(f"{API}/learners/me/topics/b/progress", json={"status": "completed"}, headers=h)
    record_submission_event(
        db,
        learner_id=me,
        exercise_slug="ex-b2",
        topic_id=graph.topics["b"],
        submission_id=2,
        status="passed",
        score=1.0,
        max_score=1.0,
        at=now,
    )
    db.commit()
    assert client.get(f"{API}/learners/me/goals/current", headers=h).json()["met"] is True


def test_streaks(client: TestClient, actors: Actors, db: Session) -> None:
    me = actors.learner.learner_id or 0
    h = actors.learner.headers
    learner = db.get(Learner, me)
    assert learner is not None
    current = week_containing(datetime.now(UTC), timezone="UTC", week_start="monday")
    weeks = [current]
    for _ in range(6):
        weeks.append(weeks[-1].previous())
    # Met: 1, 2 weeks ago (the current streak) and 4, 5, 6 weeks ago (the longest); 3 weeks ago has no goal.
    for back in (1, 2, 4, 5, 6):
        add_goal(db, learner_id=me, week=weeks[back].id, timezone="UTC", active_days=1)
        db.add(event_row(me, weeks[back].starts_at + timedelta(hours=1)))
    add_goal(db, learner_id=me, week=current.id, timezone="UTC", active_days=1)
    db.commit()
    history = client.get(f"{API}/learners/me/goals", headers=h).json()
    assert history["current_week"] == current.id
    assert (history["streak_weeks"], history["longest_streak_weeks"]) == (2, 3)
    assert [g["week"] for g in history["items"]] == [weeks[i].id for i in (0, 1, 2, 4, 5, 6)]
    page = client.get(f"{API}/learners/me/goals", params={"limit": 4}, headers=h).json()
    rest = client.get(f"{API}/learners/me/goals", params={"cursor": page["next_cursor"]}, headers=h).json()
    assert [g["week"] for g in page["items"] + rest["items"]] == [g["week"] for g in history["items"]]

    # Meeting the current week extends the streak at once.
    client.post(
        f"{API}/learners/me/events",
        json={
            "id": "6f1c0a52-4f7e-4a51-9d3c-2b1f0e9a8c77",
            "verb": "read",
            "object": {"type": "resource", "id": "1"},
        },
        headers=h,
    )
    history = client.get(f"{API}/learners/me/goals", headers=h).json()
    assert (history["streak_weeks"], history["longest_streak_weeks"]) == (3, 3)
    assert client.get(f"{API}/learners/me/dashboard", headers=h).json()["streak_weeks"] == 3
