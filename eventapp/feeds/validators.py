"""Feed validators: the ETag is the hash of the feed's bytes, Last-Modified the second they changed.

Each feed's current ETag and change time live in FeedState, shared by every worker. When a
worker builds bytes whose hash differs from the stored one, it moves the change time to
max(now, previous + 1 s) with a compare-and-set, so Last-Modified strictly increases across
changes even within one second, and stays put when a change elsewhere leaves these bytes alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from eventapp.extensions import db
from eventapp.feeds import fragments, services, versions
from eventapp.feeds.cache import Body, FeedVersion, body_cache, version_memo
from eventapp.feeds.models import FeedState
from eventapp.feeds.services import FeedScope
from eventapp.models import conflict_insert, rows_changed

SECOND = timedelta(seconds=1)


def render(scope: FeedScope, now: datetime, title: Callable[[], str] = str, count: int | None = None,
           data_key: str = "") -> bytes:
    """The feed's bytes: list feeds from cached blocks, one event's .ics from scratch."""
    if scope.event_id is not None:
        return services.build_event_body(scope, now)[0]
    calendar = services.feed_calendar(scope, title())
    return fragments.build_body(scope, now, calendar, services.fragment_salt(calendar.labels, scope), count,
                                data_key)


def body(scope: FeedScope, data_key: str, now: datetime, title: Callable[[], str] = str,
         count: int | None = None) -> Body:
    return body_cache.get_or_build((scope.key, data_key),
                                   lambda: Body(render(scope, now, title, count, data_key)))


class PublishedMemo:
    """Per process, each feed's stored (etag, change time) as this process last read or wrote it.

    After a change the stored row is most often the one this process saw last, so the
    compare-and-set can go out at once, without reading the row first; if another worker moved
    it meanwhile, the compare fails and publish() reads it as before."""

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._items: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, feed_key: str) -> tuple[str, datetime] | None:
        with self._lock:
            return self._items.get(feed_key)

    def put(self, feed_key: str, etag: str, changed_at: datetime) -> datetime:
        with self._lock:
            if len(self._items) >= self.max_entries:
                self._items.clear()
            self._items[feed_key] = (etag, changed_at)
        return changed_at

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


published = PublishedMemo()


def _move_on(feed_key: str, old_etag: str, old_changed_at: datetime, etag: str, now: datetime) -> datetime | None:
    """Compare-and-set the feed's state from the old one to `etag`; its new change time, or None."""
    changed_at = max(now, old_changed_at + SECOND)
    updated = db.session.connection().execute(
        sa.update(FeedState)
        .where(FeedState.feed_key == feed_key, FeedState.etag == old_etag, FeedState.changed_at == old_changed_at)
        .values(etag=etag, changed_at=changed_at))
    services.mark_written()
    return changed_at if rows_changed(updated) == 1 else None


def publish(feed_key: str, etag: str, now: datetime) -> datetime:
    """The time the feed's bytes became `etag`: stored, or moved on now if they just changed."""
    now = now.replace(microsecond=0)
    known = published.get(feed_key)
    if known is not None and known[0] != etag:
        changed_at = _move_on(feed_key, *known, etag, now)
        if changed_at is not None:
            return published.put(feed_key, etag, changed_at)
    for _attempt in range(5):
        row = db.session.connection().execute(
            sa.select(FeedState.etag, FeedState.changed_at).where(FeedState.feed_key == feed_key)).first()
        if row is None:
            inserted = db.session.connection().execute(
                conflict_insert(FeedState, db.session.get_bind().dialect.name)
                .values(feed_key=feed_key, etag=etag, changed_at=now)
                .on_conflict_do_nothing(index_elements=[FeedState.feed_key])
                .returning(FeedState.feed_key)).first()  # rowcount is not reliable here on psycopg
            services.mark_written()
            if inserted is not None:
                return published.put(feed_key, etag, now)
            continue  # another worker stored it first: read theirs
        if row.etag == etag:
            return published.put(feed_key, etag, row.changed_at)
        changed_at = _move_on(feed_key, row.etag, row.changed_at, etag, now)
        if changed_at is not None:
            return published.put(feed_key, etag, changed_at)
    return now  # unreachable in practice: five lost races in a row


def compute_version(scope: FeedScope, now: datetime, title: Callable[[], str] = str) -> FeedVersion:
    """Data version, then the body it gives (cached per data version), then its stored change time."""
    if scope.event_id is not None:
        # One event's .ics: building it costs no more than a version query would, so build it.
        data, count = services.build_event_body(scope, now)
        if count == 0:
            return FeedVersion(etag="", last_modified=now.replace(microsecond=0), count=0)
        fresh = Body(data)
        built = body_cache.put((scope.key, fresh.etag), fresh)
        return FeedVersion(etag=built.etag, last_modified=publish(scope.key, built.etag, now), count=count,
                           data_key=built.etag)
    version = versions.data_version(scope, now)
    built = body(scope, version.key, now, title, version.count)
    return FeedVersion(etag=built.etag, last_modified=publish(scope.key, built.etag, now),
                       count=version.count, data_key=version.key)


def current_version(scope: FeedScope, now: datetime, title: Callable[[], str] = str) -> FeedVersion:
    """The feed's version, from the memo when the database is unchanged, else computed."""
    ttl = current_app.config.get("FEED_VERSION_TTL", 0)
    version = version_memo.recent(scope.key, ttl)
    if version is not None:
        return version
    marker = version_memo.marker()
    version = version_memo.get(scope.key, marker, now)
    if version is None:
        version = compute_version(scope, now, title)
        version_memo.put(scope.key, marker, now, version)
    version_memo.confirm(scope.key, version)
    return version
