"""The runner loop: N slots that claim jobs over HTTP, grade them in the sandbox, heartbeat and report.

Failure handling: an unreachable API is retried with capped exponential backoff and one log line per
attempt (the runner never crashes on it); a result is re-posted until the API accepts it or answers 409
(the lease is gone, somebody else owns the job now). SIGTERM stops claiming, lets running jobs finish
within a grace period, then exits; a job still running at that point keeps its lease until it expires
and the API hands it to another runner.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog

from runners.api_client import ApiClient, ApiRejected, ApiUnavailable, LeaseLost

log = structlog.get_logger("runner")

MIN_HEARTBEAT_S = 1.0


class Executor(Protocol):
    """What the worker needs from `runners.sandbox.make_executor(...)`."""

    def run(self, job: Any) -> Any: ...

    def close(self) -> None: ...


class Backoff:
    """Capped exponential backoff with jitter."""

    def __init__(self, *, first_s: float = 0.5, cap_s: float = 30.0) -> None:
        self.first_s, self.cap_s, self._next = first_s, cap_s, first_s

    def next_delay(self) -> float:
        """The delay to sleep now; the following one doubles up to the cap."""
        delay = self._next
        self._next = min(self._next * 2, self.cap_s)
        return delay * random.uniform(0.8, 1.2)

    def reset(self) -> None:
        """Back to the first delay after a success."""
        self._next = self.first_s


def _lease_seconds(job: dict[str, Any]) -> float:
    """How long the lease lasts from now, per the API's expiry (at least a few seconds)."""
    try:
        expires = datetime.fromisoformat(str(job["lease_expires_at"]).replace("Z", "+00:00"))
        return max(3.0, (expires - datetime.now(UTC)).total_seconds())
    except (KeyError, ValueError):
        return 30.0


def internal_error_document(message: str) -> dict[str, Any]:
    """A result document for a failure of the runner itself (the API retries the job)."""
    return {"version": 3, "status": "error", "message": message, "tests": [], "truncated": False}


class Worker:
    """Runs `concurrency` slots until `stop()`; each slot grades one job at a time."""

    def __init__(
        self,
        client: ApiClient,
        executor: Executor,
        *,
        make_job: Callable[[dict[str, Any]], Any],
        concurrency: int,
        claim_wait_s: int = 10,
        grace_s: float = 60.0,
    ) -> None:
        self.client = client
        self.executor = executor
        self.make_job = make_job
        self.concurrency = concurrency
        self.claim_wait_s = claim_wait_s
        self.grace_s = grace_s
        self._stopping = threading.Event()
        self._deadline: float | None = None  # monotonic time after which result retries give up
        self.finished = 0

    def stop(self) -> None:
        """Stop claiming; running jobs get `grace_s` to finish and report."""
        if not self._stopping.is_set():
            log.info("runner.stopping", grace_s=self.grace_s)
            self._deadline = time.monotonic() + self.grace_s
            self._stopping.set()

    @property
    def stopping(self) -> bool:
        """Whether `stop()` was called."""
        return self._stopping.is_set()

    def run(self) -> None:
        """Start the slots and block until they are done (or the grace period after `stop()` ran out)."""
        slots = [
            threading.Thread(target=self._slot, args=(n,), name=f"runner-slot-{n}", daemon=True)
            for n in range(self.concurrency)
        ]
        for slot in slots:
            slot.start()
        log.info(
            "runner.started", api=self.client.base_url, slots=self.concurrency, name=self.client.runner_name
        )
        self._stopping.wait()
        for slot in slots:
            remaining = (self._deadline or time.monotonic()) - time.monotonic()
            slot.join(timeout=max(0.0, remaining))
        busy = [slot.name for slot in slots if slot.is_alive()]
        if busy:
            log.warning("runner.grace_expired", slots_still_busy=busy)
        log.info("runner.stopped", finished=self.finished)

    def _slot(self, n: int) -> None:
        backoff = Backoff()
        while not self.stopping:
            try:
                job = self.client.claim(wait=self.claim_wait_s)
            except ApiUnavailable as exc:
                delay = backoff.next_delay()
                log.warning(
                    "runner.api_unreachable",
                    api=self.client.base_url,
                    error=str(exc),
                    retry_in_s=round(delay, 1),
                )
                self._stopping.wait(delay)
                continue
            except ApiRejected as exc:
                delay = backoff.next_delay()
                log.error(
                    "runner.claim_refused",
                    error=str(exc),
                    retry_in_s=round(delay, 1),
                    hint="check the runner token",
                )
                self._stopping.wait(delay)
                continue
            backoff.reset()
            if job is not None:
                self._grade(job, slot=n)

    def _grade(self, job: dict[str, Any], *, slot: int) -> None:
        job_id, lease_id = int(job["job_id"]), str(job["lease_id"])
        log.info("runner.job_started", job_id=job_id, submission_id=job.get("submission_id"), slot=slot)
        lease_lost = threading.Event()
        done = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat,
            args=(job_id, lease_id, _lease_seconds(job) / 3, done, lease_lost),
            daemon=True,
        )
        beat.start()
        started = time.monotonic()
        try:
            outcome = self.executor.run(self.make_job(job))
            status, result = str(outcome.status), dict(outcome.result)
        except Exception as exc:  # the sandbox broke: our fault, the API retries the job elsewhere
            log.exception("runner.executor_failed", job_id=job_id)
            status, result = "internal_error", internal_error_document(f"runner error: {type(exc).__name__}")
        finally:
            done.set()
        beat.join(timeout=5)
        log.info(
            "runner.job_graded", job_id=job_id, status=status, seconds=round(time.monotonic() - started, 3)
        )
        self._report(job_id, lease_id, status, result, lease_lost)

    def _heartbeat(
        self, job_id: int, lease_id: str, every_s: float, done: threading.Event, lease_lost: threading.Event
    ) -> None:
        every_s = max(MIN_HEARTBEAT_S, every_s)
        while not done.wait(every_s):
            try:
                self.client.heartbeat(job_id, lease_id)
            except LeaseLost:
                log.warning("runner.lease_lost", job_id=job_id)
                lease_lost.set()
                return
            except (ApiUnavailable, ApiRejected) as exc:
                log.warning("runner.heartbeat_failed", job_id=job_id, error=str(exc))

    def _report(
        self, job_id: int, lease_id: str, status: str, result: dict[str, Any], lease_lost: threading.Event
    ) -> None:
        backoff = Backoff(first_s=0.25, cap_s=10.0)
        while True:
            try:
                self.client.post_result(job_id, lease_id, status=status, result=result)
                self.finished += 1
                log.info("runner.result_accepted", job_id=job_id, status=status)
                return
            except LeaseLost as exc:
                log.warning(
                    "runner.result_refused", job_id=job_id, reason=str(exc), lease_lost=lease_lost.is_set()
                )
                return
            except ApiRejected as exc:
                if status == "internal_error":
                    log.error("runner.result_rejected", job_id=job_id, error=str(exc))
                    return
                # Our document did not validate: report an internal error so the job is retried, not lost.
                log.error("runner.result_invalid", job_id=job_id, error=str(exc))
                status, result = (
                    "internal_error",
                    internal_error_document("the runner produced an invalid result"),
                )
            except ApiUnavailable as exc:
                if self._deadline is not None and time.monotonic() > self._deadline:
                    log.error(
                        "runner.result_abandoned", job_id=job_id, reason="grace period over, API unreachable"
                    )
                    return
                delay = backoff.next_delay()
                log.warning(
                    "runner.api_unreachable",
                    api=self.client.base_url,
                    error=str(exc),
                    retry_in_s=round(delay, 1),
                )
                time.sleep(delay)


def sandbox_job(claimed: dict[str, Any]) -> Any:
    """The sandbox's `Job` for a claimed job payload (limits clamped by `Limits.from_dict`)."""
    from runners.sandbox import Job, Limits

    return Job(
        files=dict(claimed["files"]),
        tests=dict(claimed["tests"]),
        visible_tests=frozenset(claimed.get("visible_tests") or ()),
        limits=Limits.from_dict(claimed.get("limits")),
    )
