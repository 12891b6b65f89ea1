"""The link checker: async httpx, bounded concurrency, one request at a time per host, results on resources.

Per link: HEAD first; when HEAD is refused (any 4xx, or 501) the same URL is fetched with GET (the body is
never read). Redirects are followed and the final URL recorded. Outcome:

- ``ok``: 2xx without a redirect to a different URL;
- ``redirected``: 2xx after redirects to a different URL;
- ``broken``: 4xx/5xx (a failure);
- ``unknown``: timeout or connection error (also a failure).

Failures increment ``consecutive_failures``; ``ok`` / ``redirected`` reset it. Nothing is ever deleted.
The API route and ``syllabus resources check-links`` both call `run_link_check`.
"""

import asyncio
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import structlog
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from db.models import LinkCheck, Resource
from db.session import session_scope
from db.types import utcnow

log = structlog.get_logger("api.resources.link_check")
USER_AGENT = "SyllabusLinkChecker/0.1 (+https://syllabus.dev)"


@dataclass(frozen=True)
class LinkTarget:
    """One URL to check, and the resource it belongs to."""

    resource_id: int
    url: str


@dataclass(frozen=True)
class LinkResult:
    """What checking one URL found."""

    resource_id: int
    url: str
    link_status: str
    http_status: int | None
    final_url: str | None
    error: str | None = None


ResultCallback = Callable[[LinkResult], None]


def _classify(target: LinkTarget, response: httpx.Response) -> LinkResult:
    final_url = str(response.url)
    code = response.status_code
    if code >= 400:
        status = "broken"
    elif response.history and final_url != target.url:
        status = "redirected"
    elif 200 <= code < 300:
        status = "ok"
    else:  # a 3xx we could not follow (no Location, too many hops)
        status = "broken"
    return LinkResult(target.resource_id, target.url, status, code, final_url)


async def _request(client: httpx.AsyncClient, method: str, url: str, timeout: float) -> httpx.Response:
    """One request with a hard deadline on top of httpx's per-phase timeouts; the body is never read."""
    async with asyncio.timeout(timeout):
        async with client.stream(method, url) as response:
            return response


async def check_one(client: httpx.AsyncClient, target: LinkTarget, *, timeout: float) -> LinkResult:
    """HEAD, then GET when HEAD is refused; timeouts and connection errors are `unknown`."""
    try:
        response = await _request(client, "HEAD", target.url, timeout)
        if 400 <= response.status_code < 500 or response.status_code == 501:
            response = await _request(client, "GET", target.url, timeout)
        return _classify(target, response)
    except (TimeoutError, httpx.TimeoutException):
        return LinkResult(target.resource_id, target.url, "unknown", None, None, error="timeout")
    except httpx.HTTPError as exc:
        return LinkResult(target.resource_id, target.url, "unknown", None, None, error=type(exc).__name__)


async def check_links(
    targets: Sequence[LinkTarget],
    *,
    concurrency: int = 8,
    timeout: float = 10.0,
    per_host_delay: float = 0.5,
    on_result: ResultCallback | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[LinkResult]:
    """Check every target: at most `concurrency` at once, one at a time per host with `per_host_delay`."""
    global_slots = asyncio.Semaphore(max(1, concurrency))
    host_locks: dict[str, asyncio.Lock] = {}
    results: list[LinkResult] = []

    async def run(client: httpx.AsyncClient, target: LinkTarget) -> None:
        host = (urlsplit(target.url).hostname or "").lower()
        async with host_locks.setdefault(host, asyncio.Lock()):
            async with global_slots:
                result = await check_one(client, target, timeout=timeout)
            results.append(result)
            if on_result is not None:
                await asyncio.to_thread(on_result, result)
            await asyncio.sleep(per_host_delay)

    async with httpx.AsyncClient(
        follow_redirects=True,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": USER_AGENT},
        transport=transport,
        max_redirects=10,
    ) as client:
        await asyncio.gather(*(run(client, target) for target in targets))
    return results


def record_result(session: Session, result: LinkResult) -> None:
    """Store one outcome on its resource (failures count up, successes reset the count)."""
    resource = session.get(Resource, result.resource_id)
    if resource is None:  # deleted meanwhile; nothing to record
        return
    resource.link_status = result.link_status
    resource.http_status = result.http_status
    resource.final_url = result.final_url
    resource.last_checked_at = utcnow()
    failed = result.link_status in ("broken", "unknown")
    resource.consecutive_failures = resource.consecutive_failures + 1 if failed else 0
    session.add(resource)


def start_link_check(session: Session, *, requested_by: str, resource_id: int | None) -> LinkCheck:
    """Create the LinkCheck row for a run over every approved resource (or exactly `resource_id`)."""
    query = select(Resource.id)
    query = (
        query.where(Resource.id == resource_id)
        if resource_id is not None
        else query.where(Resource.status == "approved")
    )
    total = len(session.exec(query).all())
    check = LinkCheck(requested_by=requested_by, total=total, summary={"resource_id": resource_id})
    session.add(check)
    session.flush()
    return check


_progress_lock = threading.Lock()


def run_link_check(
    session_factory: sessionmaker[Session],
    *,
    check_id: int,
    concurrency: int = 8,
    timeout: float = 10.0,
    per_host_delay: float = 0.5,
    progress: ResultCallback | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, int]:
    """Run a started check to the end, recording each result as it lands; returns counts by status."""
    with session_scope(session_factory) as session:
        check = session.get(LinkCheck, check_id)
        if check is None:
            raise LookupError(f"link check {check_id} not found")
        resource_id = check.summary.get("resource_id")
        query = select(Resource.id, Resource.url).order_by(col(Resource.id))
        query = (
            query.where(Resource.id == resource_id)
            if resource_id is not None
            else query.where(Resource.status == "approved")
        )
        targets = [LinkTarget(rid, url) for rid, url in session.exec(query).all() if rid is not None]

    def on_result(result: LinkResult) -> None:
        with _progress_lock, session_scope(session_factory) as session:
            record_result(session, result)
            check = session.get(LinkCheck, check_id)
            if check is not None:
                check.checked += 1
                session.add(check)
        if progress is not None:
            progress(result)

    counts: Counter[str] = Counter()
    try:
        results = asyncio.run(
            check_links(
                targets,
                concurrency=concurrency,
                timeout=timeout,
                per_host_delay=per_host_delay,
                on_result=on_result,
                transport=transport,
            )
        )
        counts.update(r.link_status for r in results)
        final_status = "finished"
    except Exception:
        log.exception("link_check.failed", check_id=check_id)
        final_status = "failed"
    summary = {status: counts.get(status, 0) for status in ("ok", "redirected", "broken", "unknown")}
    with session_scope(session_factory) as session:
        check = session.get(LinkCheck, check_id)
        if check is not None:
            check.status = final_status
            check.summary = {**check.summary, **summary}
            check.finished_at = utcnow()
            session.add(check)
    log.info("link_check.finished", check_id=check_id, status=final_status, **summary)
    return summary
