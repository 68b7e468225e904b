"""Feed data: which rows a feed shows, its data version (ETag), loading into dataclasses, tokens, cache."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.events.labels import KIND_LABELS, KIND_SINGULAR
from eventapp.events.models import AgendaItem, Event, EventKind, EventSeries, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.feeds import ical
from eventapp.registrations.models import (
    ACTIVE_STATUSES,
    Enrolment,
    EnrolmentSkip,
    EnrolmentStatus,
    Registration,
)

FORMAT_VERSION = "1"  # bump when the builder's output changes, so cached bodies and ETags roll over
FEED_LOCALE = "vi"  # feeds are rendered in Vietnamese whoever asks, so one body fits every visitor
PAST_DAYS = 30
CANCELLED_GRACE = timedelta(days=7)
KIND_SLUGS = {
    "press-briefings": EventKind.PRESS_BRIEFING,
    "trainings": EventKind.TRAINING,
    "other": EventKind.OTHER,
}


@dataclass(frozen=True)
class FeedScope:
    """Which events one feed shows: all, one kind, one person's, one site's, or one event."""

    key: str
    kind: EventKind | None = None
    person_id: int | None = None
    site_id: int | None = None
    event_id: int | None = None

    @property
    def is_private(self) -> bool:
        return self.person_id is not None or self.site_id is not None


def public_scope(kind: EventKind | None = None) -> FeedScope:
    return FeedScope(key=f"kind:{kind.value}" if kind else "all", kind=kind)


def person_scope(person_id: int) -> FeedScope:
    return FeedScope(key=f"person:{person_id}", person_id=person_id)


def site_scope(site_id: int) -> FeedScope:
    return FeedScope(key=f"site:{site_id}", site_id=site_id)


def event_scope(event_id: int) -> FeedScope:
    return FeedScope(key=f"event:{event_id}", event_id=event_id)


def _shown(scope: FeedScope, now: datetime) -> sa.ColumnElement[bool]:
    """The WHERE clause of the event rows a feed shows (the same one for version and body)."""
    cancelled_one_off = sa.and_(
        Event.status == EventStatus.CANCELLED, Event.series_id.is_(None),
        Event.published_at.is_not(None),
        sa.func.coalesce(Event.cancelled_at, Event.updated_at) > now - CANCELLED_GRACE,
    )
    if scope.event_id is not None:
        # "Add to calendar" for one event: published, or cancelled after having been public.
        return sa.and_(Event.id == scope.event_id, sa.or_(
            Event.status == EventStatus.PUBLISHED,
            sa.and_(Event.status == EventStatus.CANCELLED, Event.published_at.is_not(None))))
    clause = sa.and_(sa.or_(Event.status == EventStatus.PUBLISHED, cancelled_one_off),
                     Event.ends_at > now - timedelta(days=PAST_DAYS))
    if scope.kind is not None:
        clause = sa.and_(clause, Event.kind == scope.kind)
    if scope.site_id is not None:
        clause = sa.and_(clause, Event.id.in_(
            sa.select(EventSite.event_id).where(EventSite.site_id == scope.site_id)))
    if scope.person_id is not None:
        enrolments = sa.select(Enrolment.id).where(
            Enrolment.person_id == scope.person_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        registered = Event.id.in_(sa.select(Registration.event_id).where(
            Registration.person_id == scope.person_id, Registration.status.in_(ACTIVE_STATUSES)))
        enrolled = sa.and_(
            Event.series_id.in_(sa.select(Enrolment.series_id).where(
                Enrolment.person_id == scope.person_id, Enrolment.status == EnrolmentStatus.ACTIVE)),
            ~Event.id.in_(sa.select(EnrolmentSkip.event_id).where(
                EnrolmentSkip.enrolment_id.in_(enrolments))),
        )
        clause = sa.and_(clause, sa.or_(registered, enrolled))
    return clause


# ------------------------------------------------------------------------------------ version

@dataclass(frozen=True)
class FeedVersion:
    """What a feed's body depends on, known from one aggregate query (no body needed)."""

    etag: str
    last_modified: datetime
    count: int


def _max(*values: datetime | None) -> datetime:
    present = [v if v.tzinfo else v.replace(tzinfo=UTC) for v in values if v is not None]
    return max(present, default=datetime(2000, 1, 1, tzinfo=UTC))


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


def current_version(scope: FeedScope, now: datetime) -> FeedVersion:
    """The feed's version, from the memo when the database is unchanged, else computed."""
    ttl = current_app.config.get("FEED_VERSION_TTL", 0)
    version = version_memo.recent(scope.key, ttl)
    if version is not None:
        return version
    marker = version_memo.marker()
    version = version_memo.get(scope.key, marker, now)
    if version is None:
        version = feed_version(scope, now)
        version_memo.put(scope.key, marker, now, version)
    version_memo.confirm(scope.key, version)
    return version


def feed_version(scope: FeedScope, now: datetime) -> FeedVersion:
    """Strong ETag from the shown rows (count, newest change) plus everything else the body reads."""
    shown = sa.select(Event.id, Event.series_id, Event.updated_at).where(_shown(scope, now)).cte("shown")
    series_ids = sa.select(shown.c.series_id).where(shown.c.series_id.is_not(None))
    columns = [
        sa.select(sa.func.count()).select_from(shown).scalar_subquery(),
        sa.select(sa.func.max(shown.c.updated_at)).scalar_subquery(),
        # Every row of a shown series: a cancelled occurrence is an EXDATE and bumps the SEQUENCE.
        sa.select(sa.func.max(Event.updated_at)).where(Event.series_id.in_(series_ids)).scalar_subquery(),
        sa.select(sa.func.max(EventSeries.updated_at)).where(EventSeries.id.in_(series_ids)).scalar_subquery(),
        # Agenda rows carry no timestamp: count and newest id catch additions and removals.
        sa.select(sa.func.count()).where(AgendaItem.event_id.in_(sa.select(shown.c.id))).scalar_subquery(),
        sa.select(sa.func.max(AgendaItem.id)).where(
            AgendaItem.event_id.in_(sa.select(shown.c.id))).scalar_subquery(),
        # Last-Modified must move when a row leaves a feed too (unpublished, deleted), which no
        # shown row records: the newest change of any event or series over-approximates it.
        sa.select(sa.func.max(Event.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(EventSeries.updated_at)).scalar_subquery(),
    ]
    if scope.person_id is not None:
        columns += [
            sa.select(sa.func.max(Registration.updated_at)).where(
                Registration.person_id == scope.person_id).scalar_subquery(),
            sa.select(sa.func.max(Enrolment.updated_at)).where(
                Enrolment.person_id == scope.person_id).scalar_subquery(),
        ]
    if scope.site_id is not None:
        columns.append(sa.select(sa.func.max(EventSite.updated_at)).where(
            EventSite.site_id == scope.site_id).scalar_subquery())
    row = db.session.execute(sa.select(*columns)).one()
    count, newest, series_rows, series, agenda_count, agenda_max, any_event, any_series, *extra = row
    key = "|".join(str(v) for v in (
        FORMAT_VERSION, FEED_LOCALE, _base_url(), scope.key, count, newest, series_rows, series,
        agenda_count, agenda_max, *extra))
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]
    modified = _max(newest, series_rows, series, any_event, any_series, *extra)
    return FeedVersion(etag=etag, last_modified=modified.replace(microsecond=0), count=count)


# ------------------------------------------------------------------------------------ loading

def _base_url() -> str:
    # Links in the body come from configuration, never the request's Host, or one ETag could
    # stand for two different bodies.
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


EVENT_COLUMNS = (
    Event.id, Event.uid, Event.series_id, Event.original_start, Event.kind, Event.title,
    Event.description, Event.starts_at, Event.ends_at, Event.tz, Event.mode, Event.venue,
    Event.venue_address, Event.online_url, Event.status, Event.sequence, Event.updated_at,
)


def load_feed_data(scope: FeedScope, now: datetime) -> tuple[list[ical.FeedEvent], list[ical.FeedSeries]]:
    """Shown rows, their series (with all-rows SEQUENCE and last change) and agendas: three queries."""
    shown = _shown(scope, now)
    rows = db.session.execute(
        sa.select(*EVENT_COLUMNS).where(shown).order_by(Event.starts_at, Event.id)).all()
    agenda: dict[int, list[ical.AgendaLine]] = {}
    for item in db.session.execute(
            sa.select(AgendaItem.event_id, AgendaItem.starts_at, AgendaItem.ends_at, AgendaItem.title,
                      AgendaItem.speaker, AgendaItem.speaker_organisation_name)
            .where(AgendaItem.event_id.in_(sa.select(Event.id).where(shown)))
            .order_by(AgendaItem.event_id, AgendaItem.position, AgendaItem.starts_at, AgendaItem.id)):
        agenda.setdefault(item.event_id, []).append(ical.AgendaLine(
            item.starts_at, item.ends_at, item.title, item.speaker, item.speaker_organisation_name))
    totals = (sa.select(Event.series_id.label("series_id"), sa.func.max(Event.sequence).label("seq"),
                        sa.func.max(Event.updated_at).label("changed"))
              .group_by(Event.series_id).subquery())
    series_rows = db.session.execute(
        sa.select(EventSeries, totals.c.seq, totals.c.changed)
        .join(totals, totals.c.series_id == EventSeries.id)
        .where(EventSeries.id.in_(sa.select(Event.series_id).where(shown)))).all()
    base = _base_url()
    events = [ical.FeedEvent(
        uid=r.uid, kind=r.kind.value, title=r.title, starts_at=r.starts_at, ends_at=r.ends_at, tz=r.tz,
        updated_at=r.updated_at, url=f"{base}/events/{r.id}", sequence=r.sequence,
        cancelled=r.status == EventStatus.CANCELLED, description=r.description or "",
        mode=r.mode.value, venue=r.venue, venue_address=r.venue_address, online_url=r.online_url,
        series_id=r.series_id if scope.event_id is None else None, original_start=r.original_start,
        agenda=tuple(agenda.get(r.id, ())),
    ) for r in rows]
    series = []
    for s, seq, changed in series_rows:
        changed = changed if changed.tzinfo else changed.replace(tzinfo=UTC)  # a bare aggregate
        series.append(ical.FeedSeries(
            id=s.id, uid=s.uid, kind=s.kind.value, title=s.title, rrule=s.rrule,
            dtstart_local=s.dtstart_local, tz=s.tz, duration_minutes=s.duration_minutes,
            updated_at=max(s.updated_at, changed), sequence=max(s.sequence, seq or 0),
            description=s.description or "", mode=s.mode.value, venue=s.venue,
            venue_address=s.venue_address, online_url=s.online_url))
    return events, series


def feed_labels() -> ical.FeedLabels:
    with force_locale(FEED_LOCALE):
        return ical.FeedLabels(
            programme=_("Programme"), register=_("Registration and details"),
            details=_("Details"), join_online=_("Join online"),
            categories={kind.value: str(label) for kind, label in KIND_SINGULAR.items()})


def feed_name(scope: FeedScope, title: str = "") -> str:
    """The calendar's display name, in Vietnamese (NAME / X-WR-CALNAME)."""
    with force_locale(FEED_LOCALE):
        if scope.kind is not None:
            return _("%(kind)s – Ministry of Information and Communications", kind=KIND_LABELS[scope.kind])
        if scope.person_id is not None:
            return _("My events – Ministry of Information and Communications")
        if scope.site_id is not None:
            return _("Events of %(site)s", site=title)
        if scope.event_id is not None:
            return title
        return _("Events – Ministry of Information and Communications")


def build_body(scope: FeedScope, now: datetime, title: str = "") -> bytes:
    events, series = load_feed_data(scope, now)
    calendar = ical.FeedCalendar(name=feed_name(scope, title), labels=feed_labels(),
                                 timezone=current_app.config.get("DEFAULT_EVENT_TZ", "Asia/Ho_Chi_Minh"))
    return ical.build_feed(calendar, events, series)


# -------------------------------------------------------------------------------------- cache

class BodyCache:
    """Serialised bodies by (feed key, ETag), least recently used out first, bounded in bytes."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get_or_build(self, key: tuple[str, str], build: Callable[[], bytes]) -> bytes:
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

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


body_cache = BodyCache()
