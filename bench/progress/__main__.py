"""Benchmark: dashboard and progress latency for 1,000-event histories against 10-event ones, on PostgreSQL.

Run `.venv/bin/python -m bench.progress` (PostgreSQL at `SYLLABUS_BENCH_PG_DSN`, default
postgresql://postgres@127.0.0.1:5432/postgres). It recreates the `syllabus_bench_progress` database, migrates
it, fills 1,000 learners x 1,000 events and 1,000 learners x 10 events with COPY (every learner also has a
year of weekly goals, topic progress and submissions in proportion), then times GET dashboard and GET progress
through the real app (Starlette TestClient, in process) and prints p50/p95 per history size.
"""

import argparse
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from fastapi.testclient import TestClient

from api.accounts.schemas import TokenCreate
from api.accounts.service import mint_token
from api.app import create_app
from api.progress.weeks import week_containing
from api.settings import Settings
from db.engine import make_engine
from db.migrate import upgrade
from db.session import make_session_factory, session_scope

ADMIN_DSN = os.environ.get("SYLLABUS_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "syllabus_bench_progress"
SECRET = "bench-secret-not-for-production"
LEARNERS_PER_GROUP = 1_000
SECTIONS = ["mathematics", "python", "neural-networks", "nlp"]
TOPICS = 32
EXERCISES = 16
GOAL_WEEKS = 52


def _db_url() -> str:
    return ADMIN_DSN.rsplit("/", 1)[0] + "/" + DB_NAME


def recreate_database() -> None:
    """Drop and create the bench database, then migrate it to head."""
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')  # type: ignore[arg-type]
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')  # type: ignore[arg-type]
    upgrade(_db_url())


def _event_rows(learner_id: int, count: int, now: datetime, rng: random.Random) -> list[tuple[object, ...]]:
    """`count` events spread over the last year, in the mix a real learner produces."""
    rows: list[tuple[object, ...]] = []
    for _ in range(count):
        at = now - timedelta(seconds=rng.randrange(1, 365 * 86_400))
        roll = rng.random()
        if roll < 0.6:
            verb, otype, oid, minutes = "experienced", "resource", str(rng.randrange(1, 50)), 15.0
            result: dict[str, object] = {"duration": "PT15M"}
        elif roll < 0.85:
            slug = f"ex-{rng.randrange(EXERCISES)}"
            verb, otype, oid, minutes = "attempted", "exercise", slug, 0.0
            result = {"success": rng.random() < 0.5, "score": 1, "max_score": 2}
        else:
            verb, otype, oid, minutes = "progressed", "topic", f"topic-{rng.randrange(TOPICS)}", 0.0
            result = {"status": rng.choice(["in_progress", "completed"]), "previous": "not_started"}
        rows.append(
            (str(uuid.uuid4()), learner_id, verb, otype, oid, json.dumps(result), minutes, at, at, "0" * 64)
        )
    return rows


def fill(seed: int) -> tuple[list[int], list[int]]:
    """Catalogue, learners, events, goals, progress and submissions; returns (big ids, small ids)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with psycopg.connect(_db_url()) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO section (slug, title, summary, position) VALUES (%s, %s, '', %s)",
            [(s, s.title(), i) for i, s in enumerate(SECTIONS)],
        )
        topic_rows = [
            (f"topic-{i}", f"Topic {i}", SECTIONS[i * len(SECTIONS) // TOPICS], i, 1.0 + i % 4, now, now)
            for i in range(TOPICS)
        ]
        cur.executemany(
            "INSERT INTO topic (slug, title, section, summary, objectives, est_hours, position, status,"
            " version, created_at, updated_at) VALUES (%s, %s, %s, '', '[]', %s, %s, 'active', 1, %s, %s)",
            [(s, t, sec, h, p, c, u) for s, t, sec, p, h, c, u in topic_rows],
        )
        cur.execute("SELECT id FROM topic ORDER BY position")
        topic_ids = [r[0] for r in cur.fetchall()]
        cur.executemany(
            "INSERT INTO prerequisite (topic_id, prerequisite_id, kind) VALUES (%s, %s, %s)",
            [(topic_ids[i], topic_ids[i - 1], "hard" if i % 3 else "soft") for i in range(1, TOPICS)],
        )
        cur.executemany(
            "INSERT INTO exercise (slug, topic_id, title, difficulty, instructions, files, starter_files,"
            " visible_tests, hidden_tests, reference_files, limits, points, position, status, content_hash,"
            " created_at, updated_at) VALUES (%s, %s, %s, 'medium', '', '[]', '{}', '{}', '{}', '{}', '{}',"
            " 10, 0, 'active', %s, %s, %s)",
            [(f"ex-{i}", topic_ids[i * 2], f"Exercise {i}", "0" * 64, now, now) for i in range(EXERCISES)],
        )
        cur.execute("SELECT id FROM exercise ORDER BY id")
        exercise_ids = [r[0] for r in cur.fetchall()]
        cur.executemany(
            "INSERT INTO learner (handle, timezone, week_start, created_at, updated_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            [
                (
                    f"{group}{i}",
                    rng.choice(["UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata"]),
                    rng.choice(["monday", "sunday"]),
                    now,
                    now,
                )
                for group in ("big", "small")
                for i in range(LEARNERS_PER_GROUP)
            ],
        )
        cur.execute("SELECT id, handle, timezone, week_start FROM learner ORDER BY id")
        learners = cur.fetchall()
        big = [lid for lid, handle, _, _ in learners if handle.startswith("big")]
        small = [lid for lid, handle, _, _ in learners if handle.startswith("small")]

        started = time.perf_counter()
        with cur.copy(
            "COPY activity_event (id, learner_id, verb, object_type, object_id, result, minutes, timestamp,"
            " stored_at, body_hash) FROM STDIN"
        ) as copy:
            for lid in big:
                for row in _event_rows(lid, 1_000, now, rng):
                    copy.write_row(row)
            for lid in small:
                for row in _event_rows(lid, 10, now, rng):
                    copy.write_row(row)
        print(f"events copied in {time.perf_counter() - started:.1f}s")

        with cur.copy(
            "COPY weekly_goal (learner_id, week, topics, minutes, exercises, active_days, timezone,"
            " week_start, created_at, updated_at) FROM STDIN"
        ) as copy:
            for lid, _, tz, ws in learners:
                week = week_containing(now, timezone=tz, week_start=ws)
                for _ in range(GOAL_WEEKS):
                    copy.write_row((lid, week.id, json.dumps(["topic-1"]), 60, 1, 3, tz, ws, now, now))
                    week = week.previous()
        with cur.copy("COPY topic_progress (learner_id, topic_id, status, updated_at) FROM STDIN") as copy:
            for lid, *_ in learners:
                for tid in rng.sample(topic_ids, 10):
                    copy.write_row((lid, tid, rng.choice(["in_progress", "completed", "skipped"]), now))
        with cur.copy(
            "COPY submission (learner_id, exercise_id, source, status, files, score, max_score, content_hash,"
            " created_at, finished_at) FROM STDIN"
        ) as copy:
            for lid, handle, *_ in learners:
                for _ in range(200 if handle.startswith("big") else 2):
                    at = now - timedelta(seconds=rng.randrange(1, 365 * 86_400))
                    status = rng.choice(["passed", "failed", "error"])
                    copy.write_row(
                        (
                            lid,
                            rng.choice(exercise_ids),
                            "runner",
                            status,
                            "{}",
                            rng.randrange(0, 11),
                            10,
                            "0" * 64,
                            at,
                            at,
                        )
                    )
        conn.commit()
    with psycopg.connect(_db_url(), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return big, small


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def measure(
    big: list[int], small: list[int], requests: int, seed: int
) -> list[tuple[str, str, float, float]]:
    """p50/p95 (ms) per endpoint and history size, over `requests` requests spread across 50 learners."""
    rng = random.Random(seed)
    settings = Settings(environment="test", database_url=_db_url(), secret_key=SECRET, log_level="WARNING")  # type: ignore[arg-type]
    engine = make_engine(settings.database_url, pool_size=2)
    tokens: dict[str, list[tuple[int, str]]] = {}
    with session_scope(make_session_factory(engine)) as session:
        for group, ids in (("1,000 events", big), ("10 events", small)):
            tokens[group] = [
                (
                    lid,
                    mint_token(
                        session, data=TokenCreate(role="learner", name="bench", learner_id=lid), secret=SECRET
                    )[1],
                )
                for lid in rng.sample(ids, 50)
            ]
    engine.dispose()
    results = []
    with TestClient(create_app(settings)) as client:
        # This measures building a dashboard from a long history, so every request builds one: the per-learner
        # cache (api.progress.dashboard_cache) would answer repeats with one query whatever the history.
        client.app.state.dashboard_cache = None  # type: ignore[attr-defined]
        for endpoint in ("dashboard", "progress"):
            for group in ("1,000 events", "10 events"):
                samples = []
                for i in range(requests + 20):
                    lid, token = tokens[group][i % len(tokens[group])]
                    started = time.perf_counter()
                    r = client.get(
                        f"/api/v1/learners/{lid}/{endpoint}", headers={"Authorization": f"Bearer {token}"}
                    )
                    elapsed = (time.perf_counter() - started) * 1000
                    assert r.status_code == 200, r.text
                    if i >= 20:  # the first requests warm caches and mark tokens used
                        samples.append(elapsed)
                results.append((endpoint, group, statistics.median(samples), _percentile(samples, 95)))
    return results


def main() -> None:
    """Fill, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-fill", action="store_true", help="reuse the database of a previous run")
    args = parser.parse_args()
    if not args.skip_fill:
        started = time.perf_counter()
        recreate_database()
        big, small = fill(args.seed)
        print(f"filled {DB_NAME} in {time.perf_counter() - started:.1f}s")
    else:
        with psycopg.connect(_db_url()) as conn:
            rows = conn.execute("SELECT id, handle FROM learner").fetchall()
        big = [lid for lid, h in rows if h.startswith("big")]
        small = [lid for lid, h in rows if h.startswith("small")]
    results = measure(big, small, args.requests, args.seed)
    print()
    print(f"{'endpoint':<10} {'history':<14} {'p50 ms':>8} {'p95 ms':>8}")
    for endpoint, group, p50, p95 in results:
        print(f"{endpoint:<10} {group:<14} {p50:>8.1f} {p95:>8.1f}")
    print()
    for endpoint in ("dashboard", "progress"):
        big_p95, small_p95 = (p95 for e, _, _, p95 in results if e == endpoint)
        verdict = "OK" if big_p95 <= 2 * small_p95 else "OVER TARGET"
        print(f"{endpoint}: p95 big / p95 small = {big_p95 / small_p95:.2f} (target <= 2.00) {verdict}")


if __name__ == "__main__":
    main()
