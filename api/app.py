"""The application factory: `create_app(settings)` wires routers, middleware and error handlers."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute

from api.accounts.router import router as accounts_router
from api.accounts.usage import TokenUsage
from api.async_db import AsyncDatabase
from api.ci.router import router as ci_router
from api.coherence import CatalogueCache, TokenCache
from api.errors import install_error_handlers
from api.exercises.router import router as exercises_router
from api.fast_lane import add_fast_lanes
from api.jobs.announce import Announcer
from api.jobs.router import router as jobs_router
from api.jobs.waker import JOBS_CHANNEL, waker_lifespan
from api.logging import configure_logging
from api.middleware import API_PREFIX, BodySizeLimitMiddleware, RequestContextMiddleware
from api.openapi import document_problem_responses
from api.ops.router import router as ops_router
from api.progress.dashboard_cache import DashboardCache
from api.progress.event_writer import EventWriter
from api.progress.router import router as progress_router
from api.progress.router import serve_single_event, serve_topic_status
from api.rate_limit import WriteRateLimitMiddleware
from api.resources.link_check import LinkChecks
from api.resources.router import router as resources_router
from api.settings import Settings, get_settings
from api.submissions.router import router as submissions_router
from api.submissions.router import serve_submission
from api.topics.router import router as topics_router
from api.topics.router import serve_plain_graph
from db.engine import make_engine
from db.session import make_session_factory

AUTH_POOL_SIZE = 2  # connections (+ as many overflow) per process for resolving tokens

# Each router carries its own prefix. Routes are matched in order, one regex each, so the busiest API routes
# are moved ahead of the rest (after the docs, probes and the benchmark's baseline), in this order.
HOT_ROUTES: tuple[tuple[str, str], ...] = tuple(
    (method, API_PREFIX + path)
    for method, path in (
        ("GET", "/graph"),
        ("POST", "/learners/{learner_id}/events"),
        ("GET", "/learners/{learner_id}/dashboard"),
        ("PUT", "/learners/{learner_id}/topics/{slug}/progress"),
        ("POST", "/exercises/{slug}/submissions"),
        ("GET", "/submissions/{submission_id}"),
        ("POST", "/runner/jobs/claim"),
        ("POST", "/runner/jobs/{job_id}/heartbeat"),
        ("POST", "/runner/jobs/{job_id}/result"),
        ("GET", "/topics"),
    )
)
DOMAIN_ROUTERS: tuple[APIRouter, ...] = (
    topics_router,
    progress_router,
    exercises_router,
    submissions_router,
    resources_router,
    accounts_router,
    jobs_router,
    ci_router,
)


def add_routes(app: FastAPI, routers: list[APIRouter]) -> None:
    """Add the routers' routes to the app's own list, `HOT_ROUTES` first among the API's.

    Not `include_router`: FastAPI 0.16x keeps an included router as a branch whose routes are matched twice
    per request with bookkeeping per candidate, ~7 % of the events route's CPU (bench/api, cProfile).
    """
    routes = [route for router in routers for route in router.routes]
    hot = {key: rank for rank, key in enumerate(HOT_ROUTES)}
    present = {(m, getattr(r, "path", "")) for r in routes for m in getattr(r, "methods", None) or ()}
    if missing := set(HOT_ROUTES) - present:
        raise RuntimeError(f"HOT_ROUTES names routes that do not exist: {sorted(missing)}")

    def rank(route: BaseRoute) -> tuple[bool, int]:
        path = getattr(route, "path", "")
        if not path.startswith(API_PREFIX):
            return (False, 0)  # docs, probes and the bench baseline keep their place, ahead of the API
        methods = getattr(route, "methods", None) or set()
        return (True, min((hot.get((m, path), len(hot)) for m in methods), default=len(hot)))

    app.router.routes.extend(sorted(routes, key=rank))  # stable: the rest keep their routers' order


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app for `settings` (tests pass their own instead of touching os.environ)."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json, background=True)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threadpool_size
        # Everything built so far (routes, schemas, metadata) lives as long as the process: move it out of
        # the collector's sight, so the periodic full collections that stalled every in-flight request for
        # ~100 ms under load (bench/api p99) only walk what requests allocate.
        gc.collect()
        gc.freeze()
        if async_db is not None:
            await async_db.open()
        for task in background:
            task.start()
        try:
            async with waker_lifespan(app):
                yield
        finally:
            gc.unfreeze()  # a process that builds another app (tests) can collect this one's cycles
            for task in reversed(background):
                await task.stop()
            await app.state.link_checks.stop()
            if job_announcer is not None:
                await job_announcer.stop()
            if async_db is not None:
                await async_db.close()
            engine.dispose()
            auth_engine.dispose()

    app = FastAPI(
        title="Syllabus",
        version="0.1.0",
        summary="Learning tracker, curated resources and a sandboxed exercise runner for ML fundamentals.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    # Tokens are resolved (on a cache miss) in their own transactions from a small pool of their own: a
    # request never waits for an authentication connection behind other requests' open transactions.
    auth_engine = make_engine(settings.database_url, pool_size=AUTH_POOL_SIZE)
    app.state.auth_session_factory = make_session_factory(auth_engine)
    # Coherent across replicas through NOTIFY (api.coherence); on PostgreSQL they switch on once the waker's
    # LISTEN connection is up. On SQLite (one API process) only the API revokes tokens, but the CLI's
    # content sync also writes the catalogue, so the catalogue version is read per request there.
    app.state.token_cache = TokenCache(engine, enabled=settings.is_sqlite)
    app.state.catalogue_cache = CatalogueCache(engine, enabled=False)
    app.state.dashboard_cache = DashboardCache()  # validated per request (api.progress.dashboard_cache)
    app.state.link_checks = LinkChecks(app.state.session_factory)
    # PostgreSQL: a small event-loop pool for the hot paths that skip worker threads (dashboard version
    # checks, the events' group commit, topic progress, submissions) and the token-use stamps.
    async_db = None if settings.is_sqlite else AsyncDatabase(settings.database_url)
    event_writer = None if async_db is None else EventWriter(async_db)
    token_usage = None if async_db is None else TokenUsage(async_db, app.state.token_cache)
    app.state.async_db, app.state.event_writer, app.state.token_usage = async_db, event_writer, token_usage
    job_announcer = None if async_db is None else Announcer(async_db, JOBS_CHANNEL)
    app.state.job_announcer = job_announcer
    background: list[EventWriter | TokenUsage] = [t for t in (event_writer, token_usage) if t is not None]

    install_error_handlers(app)
    routers = [ops_router, *DOMAIN_ROUTERS]
    if settings.bench_routes:
        from api.ops.bench import router as bench_router

        routers.insert(1, bench_router)
    add_routes(app, routers)
    add_fast_lanes(
        app,
        {
            ("GET", f"{API_PREFIX}/graph"): serve_plain_graph,
            ("POST", f"{API_PREFIX}/learners/{{learner_id}}/events"): serve_single_event,
            ("PUT", f"{API_PREFIX}/learners/{{learner_id}}/topics/{{slug}}/progress"): serve_topic_status,
            ("POST", f"{API_PREFIX}/exercises/{{slug}}/submissions"): serve_submission,
        },
    )
    document_problem_responses(app)
    if settings.cors_origins:
        # Bearer tokens only: credentials (cookies) are never allowed cross-origin.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-Id"],
            allow_credentials=False,
        )
    app.add_middleware(
        BodySizeLimitMiddleware,
        default=settings.max_request_bytes,
        overrides={f"{API_PREFIX}/ci/results": settings.max_ci_payload_bytes},
    )
    app.add_middleware(
        WriteRateLimitMiddleware,
        per_minute=settings.write_rate_per_minute,
        burst=settings.write_burst,
        exempt_prefixes=(f"{API_PREFIX}/runner/",),
    )
    app.add_middleware(RequestContextMiddleware)
    return app
