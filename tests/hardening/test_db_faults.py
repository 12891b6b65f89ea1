"""PostgreSQL goes away under light load: fast 503 problem documents, `/readyz` says so, and recovery
needs no API restart. Runs against a throwaway cluster of its own, never the shared one."""

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest

from db.engine import make_engine
from db.migrate import upgrade
from tests.conftest import Actor, make_actor
from tests.hardening.servers import ApiProcess, ThrowawayPostgres, api_env, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ThrowawayPostgres.available(), reason="needs root and PostgreSQL 15 binaries"),
]
# No request may take longer than this while the database is down: connect and pool timeouts are 5 s.
MAX_FAILURE_S = 8.0


@dataclass(frozen=True)
class Outcome:
    """One request of the load loop."""

    started: float
    elapsed: float
    status: int | None  # None: no HTTP answer at all (timeout, reset)
    content_type: str


@pytest.fixture(scope="module")
def pg() -> Iterator[ThrowawayPostgres]:
    """A private PostgreSQL we may stop and start."""
    server = ThrowawayPostgres()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="module")
def learner(pg: ThrowawayPostgres) -> Actor:
    """A migrated database with one learner token."""
    with psycopg.connect(pg.admin_dsn, autocommit=True) as conn:
        conn.execute("CREATE DATABASE syllabus")
    upgrade(pg.url("syllabus"))
    engine = make_engine(pg.url("syllabus"), pool_size=1)
    try:
        return make_actor(engine, "learner", handle="ada")
    finally:
        engine.dispose()


class Load:
    """A few requests per second (reads and writes) in a thread, every outcome recorded."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _one(self, client: httpx.Client, n: int) -> None:
        started = time.monotonic()
        try:
            if n % 2:
                resp = client.get("/api/v1/learners/me/progress")
            else:
                event = {
                    "id": str(uuid.uuid4()),
                    "verb": "experienced",
                    "object": {"type": "topic", "id": "x"},
                }
                resp = client.post("/api/v1/learners/me/events", json=event)
            status, ctype = resp.status_code, resp.headers.get("content-type", "")
        except httpx.HTTPError:
            status, ctype = None, ""
        self.outcomes.append(Outcome(started, time.monotonic() - started, status, ctype))

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as client:
            n = 0
            while not self._stop.is_set():
                self._one(client, n)
                n += 1
                time.sleep(0.05)

    def __enter__(self) -> "Load":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def finished_before(self, end: float) -> list[Outcome]:
        """Outcomes of requests that were over by `end` (a request in flight at a stop may fail)."""
        return [o for o in self.outcomes if o.started + o.elapsed < end]

    def between(self, start: float, end: float) -> list[Outcome]:
        """Outcomes of requests started in [start, end)."""
        return [o for o in self.outcomes if start <= o.started < end]


def _ready(url: str) -> int:
    try:
        return httpx.get(f"{url}/readyz", timeout=10).status_code
    except httpx.HTTPError:
        return 0


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_database_restart_under_load_is_503_then_recovers(
    pg: ThrowawayPostgres, learner: Actor, mode: str
) -> None:
    api = ApiProcess(api_env(pg.url("syllabus"), SYLLABUS_DB_POOL_SIZE="4"))
    try:
        with Load(api.url, learner.headers) as load:
            time.sleep(1.5)
            t_down = time.monotonic()
            pg.stop(mode)
            time.sleep(4)
            assert _ready(api.url) == 503
            t_up = time.monotonic()
            pg.start()
            wait_until(lambda: _ready(api.url) == 200, 30, "/readyz to recover")
            recovered_by = time.monotonic()
            wait_until(
                lambda: any(o.status in (200, 201) for o in load.between(recovered_by, 1e12)),
                30,
                "requests to succeed again",
            )
            t_ok = time.monotonic()
            time.sleep(2)
        before = load.finished_before(t_down)
        down = load.between(t_down + 0.5, t_up)
        after = load.between(t_ok, 1e12)
        assert before and all(o.status in (200, 201) for o in before), before
        assert down, "no requests were made while the database was down"
        for o in down:
            assert o.status == 503, o
            assert o.content_type.startswith("application/problem+json"), o
            assert o.elapsed < MAX_FAILURE_S, o
        assert after and all(o.status in (200, 201) for o in after), [
            o for o in after if o.status not in (200, 201)
        ]
        assert all(o.status != 500 and o.status is not None for o in load.outcomes)
        print(
            f"{mode}: {len(load.outcomes)} requests; down {len(down)} x 503, "
            f"slowest failure {max(o.elapsed for o in down):.2f} s; "
            f"ready {recovered_by - t_up:.1f} s after start, serving {t_ok - t_up:.1f} s after start"
        )
    finally:
        api.stop()
