"""The link checker: async httpx, bounded concurrency, one request at a time per host, results on resources.

Per link: HEAD first; when HEAD is refused (any 4xx, or 501) the same URL is fetched with GET (the body is
never read). Redirects are followed and the final URL recorded. Outcome:

- ``ok``: 2xx without a redirect to a different URL;
- ``redirected``: 2xx after redirects to a different URL;
- ``broken``: 4xx/5xx (a failure);
- ``unknown``: timeout or connection error (also a failure).

Failures increment ``consecutive_failures``; ``ok`` / ``redirected`` reset it. Nothing is ever deleted.
A check goes queued -> running -> finished | failed | interrupted (stopped by a shutdown). The API runs
its checks through `LinkChecks`, ``syllabus resources check-links`` through `run_link_check`.
"""

import asyncio
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from db.models import LinkCheck, Resource
from db.models.catalogue import LINK_STATUSES
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


def _targets(session: Session, resource_id: int | None) -> list[LinkTarget]:
    """What a check covers: every approved resource, or exactly `resource_id` (any status)."""
    query = select(Resource.id, Resource.url).order_by(col(Resource.id))
    query = (
        query.where(Resource.id == resource_id)
        if resource_id is not None
        else query.where(Resource.status == "approved")
    )
    return [LinkTarget(rid, url) for rid, url in session.exec(query).all() if rid is not None]


def start_link_check(session: Session, *, requested_by: str, resource_id: int | None) -> LinkCheck:
    """Create the LinkCheck row (queued) for a run over every approved resource (or exactly `resource_id`)."""
    total = len(_targets(session, resource_id))
    check = LinkCheck(requested_by=requested_by, total=total, summary={"resource_id": resource_id})
    session.add(check)
    session.flush()
    return check


def _begin(session_factory: sessionmaker[Session], check_id: int) -> list[LinkTarget]:
    """Mark the check running and list its targets."""
    with session_scope(session_factory) as session:
        check = session.get(LinkCheck, check_id)
        if check is None:
            raise LookupError(f"link check {check_id} not found")
        check.status = "running"
        session.add(check)
        return _targets(session, check.summary.get("resource_id"))


def _record(session_factory: sessionmaker[Session], check_id: int, result: LinkResult) -> None:
    """Store one outcome and count it on the check."""
    with session_scope(session_factory) as session:
        record_result(session, result)
        check = session.get(LinkCheck, check_id)
        if check is not None:
            check.checked += 1
            session.add(check)


def finish_link_check(
    session_factory: sessionmaker[Session], check_id: int, status: str, counts: Counter[str]
) -> dict[str, int]:
    """Record how a check ended (`finished`, `failed` or `interrupted`) with its counts by link status."""
    summary = {link_status: counts.get(link_status, 0) for link_status in LINK_STATUSES}
    with session_scope(session_factory) as session:
        check = session.get(LinkCheck, check_id)
        if check is not None:
            check.status = status
            check.summary = {**check.summary, **summary}
            check.finished_at = utcnow()
            session.add(check)
    log.info("link_check.finished", check_id=check_id, status=status, **summary)
    return summary


async def check_and_record(
    session_factory: sessionmaker[Session],
    *,
    check_id: int,
    concurrency: int = 8,
    timeout: float = 10.0,
    per_host_delay: float = 0.5,
    progress: ResultCallback | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, int]:
    """Run a started check to the end, recording each result as it lands; returns counts by status.

    The network waits happen on the event loop and each database write in a short thread trip, so a long
    check holds no worker thread. Cancelled (shutdown, Ctrl-C), it is recorded as `interrupted`.
    """
    counts: Counter[str] = Counter()
    one_at_a_time = threading.Lock()  # results land from worker threads; SQLite takes one writer

    def on_result(result: LinkResult) -> None:
        with one_at_a_time:
            _record(session_factory, check_id, result)
            counts[result.link_status] += 1
        if progress is not None:
            progress(result)

    try:
        targets = await asyncio.to_thread(_begin, session_factory, check_id)
        await check_links(
            targets,
            concurrency=concurrency,
            timeout=timeout,
            per_host_delay=per_host_delay,
            on_result=on_result,
            transport=transport,
        )
        status = "finished"
    except asyncio.CancelledError:
        await asyncio.to_thread(finish_link_check, session_factory, check_id, "interrupted", counts)
        raise
    except Exception:
        log.exception("link_check.failed", check_id=check_id)
        status = "failed"
    return await asyncio.to_thread(finish_link_check, session_factory, check_id, status, counts)


def run_link_check(
    session_factory: sessionmaker[Session], *, check_id: int, **options: Any
) -> dict[str, int]:
    """`check_and_record` on an event loop of its own (the CLI, tests)."""
    return asyncio.run(check_and_record(session_factory, check_id=check_id, **options))


class LinkChecks:
    """The API process's link checks: on its event loop, one at a time, interrupted at shutdown.

    Run as request background tasks, each check held one of the few worker threads for its whole length,
    so a handful of checks started at once stalled every route that needs one.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._tasks: set[asyncio.Task[None]] = set()
        self._turn = asyncio.Lock()

    async def start(self, check_id: int) -> None:
        """Queue a created check behind the ones before it (async: request background tasks await it)."""
        task = asyncio.create_task(self._run(check_id), name=f"link-check-{check_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, check_id: int) -> None:
        began = False
        try:
            async with self._turn:
                began = True
                await check_and_record(self._session_factory, check_id=check_id)
        except asyncio.CancelledError:
            if not began:  # cancelled in the queue (a check that began records its own interruption)
                await asyncio.to_thread(
                    finish_link_check, self._session_factory, check_id, "interrupted", Counter()
                )
            raise
        except Exception:
            log.exception("link_check.crashed", check_id=check_id)

    async def stop(self) -> None:
        """Interrupt every running and queued check, and wait until each has recorded that."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
