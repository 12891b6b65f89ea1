"""`/healthz`, `/readyz` and `/metrics`."""

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from api.metrics import QUEUE_DEPTH
from db.migrate import current_revision, head_revision

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Database unreachable or not migrated"}})
def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    engine = request.app.state.engine
    head = head_revision()
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable", "detail": type(exc).__name__},
            status_code=503,
        )
    ok = current == head
    body = {"status": "ok" if ok else "unavailable", "database": "ok", "revision": current, "head": head}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text exposition."""
    try:
        with request.app.state.engine.connect() as conn:
            depth = conn.execute(sa.text("SELECT count(*) FROM job WHERE state = 'queued'")).scalar_one()
        QUEUE_DEPTH.set(depth)
    except SQLAlchemyError:
        pass  # metrics must still answer while the database is down
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
