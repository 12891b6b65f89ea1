"""Recording token use off the request path (PostgreSQL): one UPDATE per flush for every token used.

A cached token records its use at most once a minute (`last_used_at`, a minute's precision). Done inline,
that was a worker-thread trip and a transaction on the small auth pool, and since the tokens in use all go
stale about together, every process re-stamped all of them at once each minute: a wave of row-lock waits
that held up every request in the meantime (bench/api: graph p99 795 ms with the minute shortened to
2 s). Here a request only notes the use; a task on the event loop writes every noted token in one
statement each `interval` seconds (and when the app stops). The statement also re-checks revocation, as
the inline stamp did: a token revoked without a NOTIFY (a manual SQL change) drops out of the cache at
the next flush instead of the next request.
"""

import asyncio
import contextlib
from datetime import datetime

import psycopg
import structlog

from api.accounts.service import Principal, principal_of
from api.async_db import AsyncDatabase
from api.coherence import CachedToken, TokenCache

log = structlog.get_logger(__name__)

FLUSH_INTERVAL_S = 5.0
# Only tokens still valid are stamped; the ids returned are the ones that are.
_STAMP_SQL = (
    "UPDATE api_token AS t SET last_used_at = greatest(t.last_used_at, u.at) "
    "FROM unnest(%s::int[], %s::timestamptz[]) AS u(id, at) "
    "WHERE t.id = u.id AND t.revoked_at IS NULL RETURNING t.id"
)


class TokenUsage:
    """Token uses noted since the last flush, and the task that writes them."""

    def __init__(self, db: AsyncDatabase, cache: TokenCache, *, interval: float = FLUSH_INTERVAL_S) -> None:
        self._db = db
        self._cache = cache
        self._interval = interval
        self._pending: dict[int, datetime] = {}
        self._task: asyncio.Task[None] | None = None

    def note(self, cached: CachedToken, now: datetime) -> Principal:
        """Record a use of a cached token (no I/O) and return its principal."""
        cached.last_used_at = now  # fresh again for this process: the next minute's requests note nothing
        self._pending[cached.token_id] = now
        return principal_of(cached)

    async def flush(self) -> None:
        """Write the noted uses in one statement; tokens found revoked leave the cache."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        ids = sorted(pending)
        try:
            async with self._db.connection() as conn:
                cursor = await conn.execute(_STAMP_SQL, (ids, [pending[i] for i in ids]))
                valid = {int(row[0]) for row in await cursor.fetchall()}  # type: ignore[call-overload]
        except psycopg.Error as exc:  # the database is away: keep the uses for the next flush
            for token_id, at in pending.items():
                self._pending.setdefault(token_id, at)
            log.warning("tokens.usage_flush_failed", tokens=len(ids), error=str(exc)[:200])
            return
        for token_id in set(ids) - valid:
            self._cache.invalidate(str(token_id))

    def start(self) -> None:
        """Start the periodic flush on the running loop."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="token-usage")

    async def stop(self) -> None:
        """Stop the task and write what is left."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:  # never let bookkeeping end the task
                log.exception("tokens.usage_flush_crashed")
