"""Per-process memos of the feeds: confirmed data versions, serialised bodies by version, statements."""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa

from eventapp.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class FeedVersion:
    """A feed's validators: the hash of its bytes, when they last changed, and what they were built from."""

    etag: str
    last_modified: datetime
    count: int
    data_key: str = ""  # the data version the body was built from (the body cache's key)

VERSION_MAX_AGE = timedelta(seconds=60)  # rows also leave a feed by time (window, grace period)


class VersionMemo:
    """Per-process memo of computed versions, trusted while the database has not changed.

    The precise version scans every shown row, which alone costs more than a 304 may. On
    PostgreSQL, pg_current_snapshot() changes whenever any writing transaction starts or ends,
    so an identical snapshot means identical data and the memoised version still holds. A
    snapshot taken before the precise query can only make the memo miss, never serve stale data.
    Other databases (SQLite in development) always compute the precise version.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._items: dict[str, tuple[str, datetime, FeedVersion]] = {}
        self._checked: dict[str, tuple[float, FeedVersion]] = {}  # key -> (monotonic time, version)
        self._lock = threading.Lock()

    def recent(self, key: str, ttl: float) -> FeedVersion | None:
        """A version confirmed less than `ttl` seconds ago: served without asking the database.

        Calendar clients poll hourly, so answering from memory for a second or two delays an
        organiser's change by at most that long, and takes the database off the 304 path.
        """
        if ttl <= 0:
            return None
        with self._lock:
            hit = self._checked.get(key)
        if hit and time.monotonic() - hit[0] < ttl:
            return hit[1]
        return None

    def confirm(self, key: str, version: FeedVersion) -> None:
        with self._lock:
            if len(self._checked) >= self.max_entries:
                self._checked.clear()
            self._checked[key] = (time.monotonic(), version)

    @staticmethod
    def marker() -> str | None:
        if db.session.get_bind().dialect.name != "postgresql":
            return None
        return db.session.execute(sa.text("SELECT pg_current_snapshot()::text")).scalar_one()

    def get(self, key: str, marker: str | None, now: datetime) -> FeedVersion | None:
        if marker is None:
            return None
        with self._lock:
            hit = self._items.get(key)
        if hit and hit[0] == marker and timedelta(0) <= now - hit[1] < VERSION_MAX_AGE:
            return hit[2]
        return None

    def put(self, key: str, marker: str | None, now: datetime, version: FeedVersion) -> None:
        if marker is None:
            return
        with self._lock:
            if len(self._items) >= self.max_entries:
                self._items.clear()  # crude but bounded; entries are cheap to recompute
            self._items[key] = (marker, now, version)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._checked.clear()


version_memo = VersionMemo()


GZIP_LEVEL = 3  # 1,000 events: 444 KB -> 34 KB in ~1.3 ms (level 6: 27 KB in ~4 ms), paid once per body


class Body:
    """A feed body, its ETag (hash of the bytes) and, made once when first asked for, its gzip."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.etag = hashlib.sha256(data).hexdigest()[:32]
        self._gzip: bytes | None = None

    def __len__(self) -> int:
        return len(self.data) + len(self._gzip or b"")

    def gzipped(self) -> bytes:
        if self._gzip is None:
            # mtime=0: the same bytes give the same gzip, so its ETag names one representation.
            self._gzip = gzip.compress(self.data, GZIP_LEVEL, mtime=0)
        return self._gzip


class BodyCache:
    """Feed bodies by (feed key, data version), least recently used out first, bounded in bytes."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[tuple[str, str], Body] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get_or_build(self, key: tuple[str, str], build: Callable[[], Body]) -> Body:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
                return body
        body = build()  # outside the lock: a slow build must not block other feeds
        with self._lock:
            if key not in self._items and len(body) <= self.max_bytes:
                # A feed's older versions are dead once a newer one exists.
                for stale in [k for k in self._items if k[0] == key[0]]:
                    self._bytes -= len(self._items.pop(stale))
                self._items[key] = body
                self._bytes += len(body)
                while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                    _old, dropped = self._items.popitem(last=False)
                    self._bytes -= len(dropped)
        return body

    def put(self, key: tuple[str, str], body: Body) -> Body:
        """Store a body built elsewhere (or keep the one already stored under that key)."""
        return self.get_or_build(key, lambda: body)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


body_cache = BodyCache()


class Prepared:
    """Statements built once per feed and reused, bounded.

    SQLAlchemy caches the compiled SQL, but building a feed's filter again for every request and
    computing its cache key cost more CPU than the queries themselves; a reused statement object
    keeps its cache key.
    """

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._items: dict[tuple, object] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], T]) -> T:
        with self._lock:
            found = self._items.get(key)
        if found is None:
            found = build()
            with self._lock:
                if len(self._items) >= self.max_entries:
                    self._items.clear()
                self._items[key] = found
        return found  # type: ignore[return-value]  # a key is always built by the same `build`


prepared = Prepared()
