"""Rendered dashboards per learner, reused while nothing they show has changed.

An entry is keyed on the learner's activity version (api.activity: moved by every write to the learner's
data, on any replica, in the writer's transaction) and the catalogue cache's generation (api.coherence:
moved by every catalogue change on any replica). Reading the version is one indexed query, so a hit costs
that instead of the dozen a dashboard takes to build. What changes with the clock alone (the current week,
streaks, events whose timestamps lie ahead) is picked up when an entry expires after `ttl` seconds.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

DEFAULT_TTL_S = 30.0


@dataclass(frozen=True)
class RenderedDashboard:
    """A dashboard's JSON body and ETag, and what it was built from."""

    body: bytes
    etag: str
    key: tuple[int, int] | None
    expires_at: float


class DashboardCache:
    """learner id -> the last rendered dashboard, a bounded LRU (one per app)."""

    def __init__(self, *, maxsize: int = 10_000, ttl: float = DEFAULT_TTL_S, stripes: int = 64) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, RenderedDashboard] = OrderedDict()
        self._builds = [threading.Lock() for _ in range(stripes)]

    def building(self, learner_id: int) -> threading.Lock:
        """Held while a learner's dashboard is built: concurrent misses wait for one build, not N."""
        return self._builds[learner_id % len(self._builds)]

    def get(self, learner_id: int, key: tuple[int, int]) -> RenderedDashboard | None:
        """The entry when it was built from `key` and has not expired."""
        with self._lock:
            entry = self._entries.get(learner_id)
            if entry is None or entry.key != key or entry.expires_at <= time.monotonic():
                return None
            self._entries.move_to_end(learner_id)
            return entry

    def put(self, learner_id: int, entry: RenderedDashboard) -> None:
        """Remember `entry`, evicting the least recently used beyond `maxsize`."""
        with self._lock:
            self._entries[learner_id] = entry
            self._entries.move_to_end(learner_id)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
