"""Many concurrent writes of ONE learner against a live server. Each takes the learner's row lock
(api.activity), and there are four times as many as worker threads: a request that held a pooled connection
or that lock while waiting for a thread would stall the rest until the pool timed out. They must all
finish, promptly."""

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import Session

from api.progress.weeks import week_containing
from api.settings import Settings
from tests.api.test_progress_support import add_resource, seed_graph
from tests.conftest import Actors
from tests.hardening.servers import api_env, api_process

pytestmark = pytest.mark.postgres_only
CONCURRENT = 40  # four times the default worker-thread count
EACH_WITHIN_S = 10.0  # a stall lasts until the 5 s pool timeout at least


def test_concurrent_writes_of_one_learner_all_finish(settings: Settings, actors: Actors, db: Session) -> None:
    graph = seed_graph(db)
    resource = add_resource(db)
    week = week_containing(datetime.now(UTC), timezone="UTC", week_start="monday").id
    me = actors.learner.learner_id
    slugs = [slug for slug in graph.topics if slug != "x"]
    quarter = range(CONCURRENT // 4)
    writes = [
        *(
            ("PUT", f"/api/v1/learners/me/resources/{resource}/progress", {"completed": i % 2 == 0})
            for i in quarter
        ),
        *(("PUT", f"/api/v1/learners/me/goals/{week}", {"minutes": 30 + i}) for i in quarter),
        *(("PATCH", f"/api/v1/learners/{me}", {"display_name": f"Ada {i}"}) for i in quarter),
        *(
            ("PUT", f"/api/v1/learners/me/topics/{slugs[i % len(slugs)]}/progress", {"status": "in_progress"})
            for i in quarter
        ),
    ]

    async def run(url: str) -> list[int]:
        async with httpx.AsyncClient(
            base_url=url, headers=actors.learner.headers, timeout=EACH_WITHIN_S
        ) as c:
            responses = await asyncio.gather(*(c.request(m, path, json=body) for m, path, body in writes))
        return [r.status_code for r in responses]

    with api_process(api_env(settings.database_url, SYLLABUS_WRITE_BURST="1000")) as api:
        statuses = asyncio.run(run(api.url))
    bad = [
        (status, w[0], w[1]) for status, w in zip(statuses, writes, strict=True) if status not in (200, 201)
    ]
    assert not bad, bad


def test_concurrent_reads_of_one_learner_all_finish_with_a_small_pool(
    settings: Settings, actors: Actors, db: Session
) -> None:
    """Reads load the learner and query in one thread trip, and a failed one (the 404 of a week without a
    goal) rolls back in it too: with six times as many requests as worker threads and a pool of 2 (+ 2
    overflow), none may hold a connection while waiting for a thread (that deadlocked until the pool
    timeout)."""
    seed_graph(db)
    week = week_containing(datetime.now(UTC), timezone="UTC", week_start="monday").id
    me = actors.learner.learner_id
    paths = [
        "/api/v1/learners/me/progress",
        "/api/v1/learners/me/next",
        "/api/v1/learners/me/path?target=d",
        "/api/v1/learners/me/goals",
        f"/api/v1/learners/me/goals/{week}",
        "/api/v1/learners/me/events",
        "/api/v1/learners/me/submissions",
        f"/api/v1/learners/{me}",
    ]
    reads = [paths[i % len(paths)] for i in range(CONCURRENT * 3 // 2)]

    async def run(url: str) -> list[int]:
        async with httpx.AsyncClient(
            base_url=url, headers=actors.learner.headers, timeout=EACH_WITHIN_S
        ) as c:
            responses = await asyncio.gather(*(c.get(path) for path in reads))
        return [r.status_code for r in responses]

    env = api_env(settings.database_url, SYLLABUS_DB_POOL_SIZE="2")
    with api_process(env) as api:
        statuses = asyncio.run(run(api.url))
    bad = [(status, path) for status, path in zip(statuses, reads, strict=True) if status not in (200, 404)]
    assert not bad, bad
    assert statuses.count(404) == reads.count(f"/api/v1/learners/me/goals/{week}")  # no goal set this week
