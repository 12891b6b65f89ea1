"""Per-token rate limits on writes: a token bucket per bearer token, per API process."""

import hashlib
import math
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem_body

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_TRACKED_TOKENS = 50_000  # bounded memory: the least recently seen buckets are dropped first


class TokenBucket:
    """`rate` tokens per second up to `burst`; one request spends one token."""

    __slots__ = ("stamp", "tokens")

    def __init__(self, burst: float, now: float) -> None:
        self.tokens = burst
        self.stamp = now


class WriteRateLimitMiddleware:
    """429 + Retry-After when one bearer token (or anonymous client) writes faster than `per_minute`.

    Runner routes are exempt: their traffic is bounded by the jobs that exist, and a refused heartbeat or
    result would cost a lost lease and a regraded job.

    The buckets live in this process, so N API replicas allow up to N times the rate; the per-learner
    submission limit, which matters for cost, is enforced from the database instead.
    """

    def __init__(
        self, app: ASGIApp, *, per_minute: int, burst: int, exempt_prefixes: tuple[str, ...]
    ) -> None:
        self.app = app
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.exempt = exempt_prefixes
        self.buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def _spend(self, key: str) -> float:
        """Spend one token for `key`; return 0 when allowed, else the seconds until one is available."""
        now = time.monotonic()
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = TokenBucket(self.burst, now)
            if len(self.buckets) > MAX_TRACKED_TOKENS:
                self.buckets.popitem(last=False)
        else:
            self.buckets.move_to_end(key)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one request against its token's bucket."""
        if (
            scope["type"] != "http"
            or scope["method"] not in WRITE_METHODS
            or scope["path"].startswith(self.exempt)
        ):
            await self.app(scope, receive, send)
            return
        auth = dict(scope["headers"]).get(b"authorization")
        if auth:
            key = hashlib.sha256(auth).hexdigest()
        else:
            # Anonymous writes (open sign-up) are limited per client address instead of per token.
            client = scope.get("client")
            key = f"client:{client[0] if client else '-'}"
        wait = self._spend(key)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = str(max(1, math.ceil(wait)))
        body = problem_body(
            status=429,
            title="Too many requests",
            detail=f"this token is over its write limit; retry in {retry_after} s",
            code="rate-limited",
            instance=scope["path"],
            request_id=scope.get("state", {}).get("request_id"),
        )
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"retry-after", retry_after.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
