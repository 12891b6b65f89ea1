"""In-process caches that stay coherent across API replicas: PostgreSQL NOTIFY invalidates them.

A cache answers only while its invalidations are reliable:

- PostgreSQL: while the process's one LISTEN connection (`api.jobs.waker`) is up. On every (re)connect the
  cache is cleared (a notification sent while it was down is lost); when the connection drops it is cleared
  and bypassed (every request reads the database, as without a cache) until LISTEN works again.
- SQLite: one API process by design; a cache whose every writer runs in that process (tokens: only the API
  revokes them) is always on, with in-process invalidation. A cache that another process can invalidate on
  SQLite (the catalogue: `syllabus content sync` runs in the CLI) stays off there.

Writers need nothing special: an ORM flush that changes a watched table sends `pg_notify` in the same
transaction (delivered to every replica only if it commits), and after the commit the caches of the same
engine (this replica) are invalidated before the response goes out. Core statements that bypass the ORM call
`announce()`. Notifications cross replicas in milliseconds; within that window a replica may still answer
from its cache (a revoked token, the previous graph), the cost of not reading the database per request.
A generation counter makes a lookup that raced an invalidation drop its result instead of caching it.
"""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.models import ApiToken, Exercise, Prerequisite, Section, Topic

T = TypeVar("T")

TOKENS_CHANNEL = "syllabus_tokens"
CATALOGUE_CHANNEL = "syllabus_catalogue"
CHANNELS = (TOKENS_CHANNEL, CATALOGUE_CHANNEL)
CATALOGUE_TABLES: tuple[type, ...] = (Topic, Prerequisite, Section, Exercise)
# Writes that do not change what a cached token means (the per-minute usage stamp).
_TOKEN_BOOKKEEPING = frozenset({"last_used_at"})

_PENDING = "coherence_pending"  # session.info: (channel, payload) to invalidate locally after commit
_SENT = "coherence_sent"  # session.info: (channel, payload) already NOTIFYed in this transaction


class NotifiedCache:
    """A cache invalidated through a NOTIFY channel; `generation` guards lookups racing an invalidation."""

    channel = ""

    def __init__(self, engine: Engine, *, enabled: bool) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._generation = 0
        self._enabled = enabled
        _CACHES.add(self)

    @property
    def enabled(self) -> bool:
        """Whether the cache may answer (its invalidations are reliable)."""
        return self._enabled

    def generation(self) -> int | None:
        """Take this before reading the database; pass it to the store. None: do not cache at all."""
        return self._generation if self._enabled else None

    def set_reliable(self, reliable: bool) -> None:
        """The LISTEN connection came up (True) or went away (False): start over either way."""
        with self._lock:
            self._generation += 1
            self._clear()
            self._enabled = reliable

    def invalidate(self, payload: str = "") -> None:
        """Drop what `payload` names (everything when empty)."""
        with self._lock:
            self._generation += 1
            self._drop(payload)

    def _clear(self) -> None:
        raise NotImplementedError

    def _drop(self, payload: str) -> None:
        self._clear()


_CACHES: "weakref.WeakSet[NotifiedCache]" = weakref.WeakSet()


@dataclass
class CachedToken:
    """A resolved token: who it speaks for and when we last recorded its use."""

    token_id: int
    role: str
    learner_id: int | None
    last_used_at: datetime | None


class TokenCache(NotifiedCache):
    """token hash -> resolved token, a bounded LRU."""

    channel = TOKENS_CHANNEL

    def __init__(self, engine: Engine, *, enabled: bool, maxsize: int = 10_000) -> None:
        self._entries: OrderedDict[str, CachedToken] = OrderedDict()
        self.maxsize = maxsize
        super().__init__(engine, enabled=enabled)

    def get(self, token_hash: str) -> CachedToken | None:
        """The cached token, or None (not cached, or the cache is off)."""
        if not self._enabled:
            return None
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is not None:
                self._entries.move_to_end(token_hash)
            return entry

    def put(self, token_hash: str, entry: CachedToken, generation: int | None) -> None:
        """Cache `entry` unless an invalidation happened since `generation` was taken."""
        with self._lock:
            if generation is None or not self._enabled or generation != self._generation:
                return
            self._entries[token_hash] = entry
            self._entries.move_to_end(token_hash)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def _clear(self) -> None:
        self._entries.clear()

    def _drop(self, payload: str) -> None:
        if not payload.isdigit():
            self._clear()
            return
        token_id = int(payload)
        for key in [k for k, v in self._entries.items() if v.token_id == token_id]:
            del self._entries[key]


class CatalogueCache(NotifiedCache):
    """The catalogue version (the graph cache's key), so an unchanged graph costs no database round trip."""

    channel = CATALOGUE_CHANNEL

    def __init__(self, engine: Engine, *, enabled: bool) -> None:
        self._version: tuple[Any, ...] | None = None
        self._derived: dict[str, Any] = {}
        super().__init__(engine, enabled=enabled)

    def derived(self, name: str, build: Callable[[], T]) -> T:
        """An immutable value computed from the catalogue, built once per catalogue change (or every call
        while the cache is off)."""
        generation = self.generation()
        if generation is None:
            return build()
        value = self._derived.get(name)
        if value is not None:
            return cast(T, value)
        value = build()
        with self._lock:
            if self._enabled and generation == self._generation:
                self._derived[name] = value
        return value

    def peek(self, name: str) -> Any:
        """A derived value already built for the current catalogue, or None (no I/O, never builds)."""
        return self._derived.get(name) if self._enabled else None

    def get(self) -> tuple[Any, ...] | None:
        """The cached version, or None (unknown or the cache is off)."""
        return self._version if self._enabled else None

    def put(self, version: tuple[Any, ...], generation: int | None) -> None:
        """Cache `version` unless an invalidation happened since `generation` was taken."""
        with self._lock:
            if generation is not None and self._enabled and generation == self._generation:
                self._version = version

    def _clear(self) -> None:
        self._version = None
        self._derived = {}


def catalogue_cache_of(session: Session) -> CatalogueCache | None:
    """The catalogue cache of the app whose engine `session` is bound to (None outside an app)."""
    try:
        engine = session.get_bind()
    except sa.exc.UnboundExecutionError:
        return None
    for cache in list(_CACHES):
        if isinstance(cache, CatalogueCache) and cache.engine is engine:
            return cache
    return None


def cached_catalogue_value(session: Session, name: str, build: Callable[[], T]) -> T:
    """`build()` memoised per catalogue change when the session's app has a catalogue cache that is on."""
    cache = catalogue_cache_of(session)
    return cache.derived(name, build) if cache is not None else build()


def invalidate_local(engine: Engine | None, channel: str, payload: str = "") -> None:
    """Invalidate this process's caches of `channel` bound to `engine` (every engine when None)."""
    for cache in list(_CACHES):
        if cache.channel == channel and (engine is None or cache.engine is engine):
            cache.invalidate(payload)


def on_notification(channel: str, payload: str) -> None:
    """A NOTIFY from any replica (called by the listener): invalidate every cache of the channel here."""
    invalidate_local(None, channel, payload)


def set_reliable(engine: Engine, reliable: bool) -> None:
    """The LISTEN connection of the app on `engine` came up or went away."""
    for cache in list(_CACHES):
        if cache.engine is engine:
            cache.set_reliable(reliable)


def announce(session: Session, channel: str, payload: str = "") -> None:
    """Invalidate `channel` on every replica when `session` commits (for writes that bypass the ORM)."""
    key = (channel, payload)
    sent: set[tuple[str, str]] = session.info.setdefault(_SENT, set())
    if key not in sent:
        sent.add(key)
        if session.get_bind().dialect.name == "postgresql":
            session.connection().execute(sa.select(sa.func.pg_notify(channel, payload)))
    session.info.setdefault(_PENDING, set()).add(key)


def _changes(session: Session) -> Iterator[tuple[str, str]]:
    """The (channel, payload) pairs that a flush about to be written implies."""
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, CATALOGUE_TABLES):
            yield CATALOGUE_CHANNEL, ""
        elif isinstance(obj, ApiToken) and obj not in session.new and obj.id is not None:
            if obj in session.deleted:
                yield TOKENS_CHANNEL, str(obj.id)
                continue
            state = sa.inspect(obj)
            changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
            if changed - _TOKEN_BOOKKEEPING:
                yield TOKENS_CHANNEL, str(obj.id)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for channel, payload in set(_changes(session)):
        announce(session, channel, payload)


def _after_commit(session: Session) -> None:
    session.info.pop(_SENT, None)
    pending: set[tuple[str, str]] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        engine = session.get_bind()
    except sa.exc.UnboundExecutionError:
        engine = None
    for channel, payload in pending:
        invalidate_local(engine if isinstance(engine, Engine) else None, channel, payload)


def _after_soft_rollback(session: Session, previous: Any) -> None:
    # A rolled-back savepoint may have taken a NOTIFY with it: send again on the next write. Forget the
    # pending local invalidations only when the whole transaction is gone (extra ones are harmless).
    session.info.pop(_SENT, None)
    if not previous.nested and previous.parent is None:
        session.info.pop(_PENDING, None)


sa.event.listen(Session, "before_flush", _before_flush)
sa.event.listen(Session, "after_commit", _after_commit)
sa.event.listen(Session, "after_soft_rollback", _after_soft_rollback)
