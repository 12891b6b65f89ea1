"""The application factory: `create_app(settings)` wires routers, middleware and error handlers."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.accounts.router import router as accounts_router
from api.async_db import AsyncDatabase
from api.ci.router import router as ci_router
from api.coherence import CatalogueCache, TokenCache
from api.errors import install_error_handlers
from api.exercises.router import router as exercises_router
from api.jobs.router import router as jobs_router
from api.logging import configure_logging
from api.middleware import API_PREFIX, BodySizeLimitMiddleware, RequestContextMiddleware
from api.openapi import document_problem_responses
from api.ops.router import router as ops_router
from api.progress.dashboard_cache import DashboardCache
from api.progress.event_writer import EventWriter
from api.progress.router import router as progress_router
from api.rate_limit import WriteRateLimitMiddleware
from api.resources.router import router as resources_router
from api.settings import Settings, get_settings
from api.submissions.router import router as submissions_router
from api.topics.router import router as topics_router
from db.engine import make_engine
from db.session import make_session_factory

AUTH_POOL_SIZE = 2  # connections (+ as many overflow) per process for resolving tokens

# Starlette matches routes in order, one regex each: the hottest reads come first (the graph is the first
# route of topics_router), which measurably raises their throughput (bench/api).
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


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app for `settings` (tests pass their own instead of touching os.environ)."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threadpool_size
        # Everything built so far (routes, schemas, metadata) lives as long as the process: move it out of
        # the collector's sight, so the periodic full collections that stalled every in-flight request for
        # ~100 ms under load (bench/api p99) only walk what requests allocate.
        gc.collect()
        gc.freeze()
        if async_db is not None and event_writer is not None:
            await async_db.open()
            event_writer.start()
        try:
            yield
        finally:
            gc.unfreeze()  # a process that builds another app (tests) can collect this one's cycles
            if async_db is not None and event_writer is not None:
                await event_writer.stop()
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
    # PostgreSQL: a small event-loop pool for the dashboard's version check and the events' group commit.
    async_db = None if settings.is_sqlite else AsyncDatabase(settings.database_url)
    event_writer = None if async_db is None else EventWriter(async_db)
    app.state.async_db, app.state.event_writer = async_db, event_writer

    install_error_handlers(app)
    app.include_router(ops_router)
    if settings.bench_routes:
        from api.ops.bench import router as bench_router

        app.include_router(bench_router)
    for router in DOMAIN_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
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
