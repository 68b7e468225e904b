"""Feed data: which rows a feed shows, its data version, loading into dataclasses, names and labels."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.calendar import ical
from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.events.ical_words import CALENDAR_LOCALE as FEED_LOCALE
from eventapp.events.ical_words import calendar_labels
from eventapp.events.labels import KIND_LABELS
from eventapp.events.models import AgendaItem, Event, EventKind, EventSeries, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.feeds.cache import prepared
from eventapp.models import UTCDateTime
from eventapp.registrations.models import (
    CancelledBy,
    Registration,
    RegistrationStatus,
)

FORMAT_VERSION = "3"  # bump when the builder's output changes, so cached bodies and ETags roll over
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

    @property
    def join_link_visible(self) -> bool:
        """Only a person's own feed and a taking-part site's feed may carry online join links."""
        return self.is_private


def public_scope(kind: EventKind | None = None) -> FeedScope:
    return FeedScope(key=f"kind:{kind.value}" if kind else "all", kind=kind)


def person_scope(person_id: int) -> FeedScope:
    return FeedScope(key=f"person:{person_id}", person_id=person_id)


def site_scope(site_id: int) -> FeedScope:
    return FeedScope(key=f"site:{site_id}", site_id=site_id)


def event_scope(event_id: int) -> FeedScope:
    return FeedScope(key=f"event:{event_id}", event_id=event_id)


def cancelled_at() -> sa.ColumnElement[datetime]:
    # Rows cancelled before cancelled_at existed have only their last change to go by.
    return sa.func.coalesce(Event.cancelled_at, Event.updated_at)


def cancelled_one_off() -> sa.ColumnElement[bool]:
    return sa.and_(Event.status == EventStatus.CANCELLED, Event.series_id.is_(None),
                   Event.published_at.is_not(None))


def listed() -> sa.ColumnElement[bool]:
    """Rows a list feed would show but for time (the window and the grace period)."""
    return sa.or_(Event.status == EventStatus.PUBLISHED, cancelled_one_off())


def members(scope: FeedScope) -> sa.ColumnElement[bool]:
    """The scope's own filter (kind, site, person), whatever the status and time."""
    clause: sa.ColumnElement[bool] = sa.true()
    if scope.kind is not None:
        clause = sa.and_(clause, Event.kind == scope.kind)
    if scope.site_id is not None:
        clause = sa.and_(clause, Event.id.in_(
            sa.select(EventSite.event_id).where(EventSite.site_id == scope.site_id)))
    if scope.person_id is not None:
        # The sessions where the person holds a seat, exactly what their e-mailed invitations hold
        # (calendar_truth.wanted_for): one truth for both calendar paths. Enrolled people hold a
        # registration per session they attend; skipped, wait-listed and pending ones are not theirs.
        registered = Event.id.in_(sa.select(Registration.event_id).where(
            Registration.person_id == scope.person_id, Registration.holds_seat))
        # Cancelling an event cancels its registrations too (events.notify), marked as the
        # organiser's with the event's reason: those stay, so the person sees "[Đã hủy]" for the
        # grace period like everyone else. Their own or an earlier individual cancellation does not.
        cancelled_with_event = sa.and_(Event.status == EventStatus.CANCELLED, sa.exists().where(
            Registration.event_id == Event.id, Registration.person_id == scope.person_id,
            Registration.status == RegistrationStatus.CANCELLED,
            Registration.cancelled_by == CancelledBy.ORGANISER,
            Registration.status_reason == Event.cancel_reason))
        clause = sa.and_(clause, sa.or_(registered, cancelled_with_event))
    return clause


# The times a feed's filter compares with, as parameters: a statement built once per feed (see
# cache.prepared) runs with each request's own times.
WINDOW_START = sa.bindparam("feed_window_start", type_=UTCDateTime())
GRACE_START = sa.bindparam("feed_grace_start", type_=UTCDateTime())


def time_params(now: datetime) -> dict[str, datetime]:
    return {"feed_window_start": now - timedelta(days=PAST_DAYS), "feed_grace_start": now - CANCELLED_GRACE}


def starts(now: datetime | None) -> tuple:
    if now is None:
        return WINDOW_START, GRACE_START
    return now - timedelta(days=PAST_DAYS), now - CANCELLED_GRACE


def shown(scope: FeedScope, now: datetime | None) -> sa.ColumnElement[bool]:
    """The WHERE clause of the event rows a feed shows (the same one for version and body);
    now=None: with the time parameters (time_params) instead of fixed times."""
    if scope.event_id is not None:
        # "Add to calendar" for one event: published, or cancelled after having been public.
        return sa.and_(Event.id == scope.event_id, sa.or_(
            Event.status == EventStatus.PUBLISHED,
            sa.and_(Event.status == EventStatus.CANCELLED, Event.published_at.is_not(None))))
    window, grace = starts(now)
    return sa.and_(
        members(scope),
        sa.or_(Event.status == EventStatus.PUBLISHED,
               sa.and_(cancelled_one_off(), cancelled_at() > grace)),
        Event.ends_at > window)


# ------------------------------------------------------------------------------------ loading

def base_url() -> str:
    # Links in the body come from configuration, never the request's Host, or one ETag could
    # stand for two different bodies.
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def calendar_tz() -> str:
    return current_app.config.get("DEFAULT_EVENT_TZ", DEFAULT_TZ)


ID_LIST_LIMIT = 200  # more rows than this are loaded with the feed's own filter (cheaper than a long id list)
EVENT_COLUMNS = (
    Event.id, Event.uid, Event.series_id, Event.original_start, Event.kind, Event.title,
    Event.description, Event.starts_at, Event.ends_at, Event.tz, Event.mode, Event.venue,
    Event.venue_address, Event.online_url, Event.status, Event.sequence, Event.updated_at,
)


def _join_links(scope: FeedScope, rows: Sequence[Any]) -> dict[int, str]:
    """The online link each shown row may carry in this feed, by event id: none in a public one.

    A person sees the link of the events they are confirmed for (as their e-mails do), their
    site's own link where they take part through a site that has one; a site sees its own join
    link where the organiser gave it one, else the event's.
    """
    if not scope.join_link_visible or not rows:
        return {}
    ids = [r.id for r in rows]
    links = {r.id: r.online_url for r in rows if r.online_url}
    if scope.person_id is not None:
        seats = db.session.execute(
            sa.select(Registration.event_id, EventSite.join_url)
            .outerjoin(EventSite, sa.and_(EventSite.event_id == Registration.event_id,
                                          EventSite.site_id == Registration.site_id))
            .where(Registration.person_id == scope.person_id, Registration.holds_seat,
                   Registration.event_id.in_(ids))).all()
        return {event_id: site_link or links[event_id] for event_id, site_link in seats
                if site_link or event_id in links}
    own = db.session.execute(sa.select(EventSite.event_id, EventSite.join_url).where(
        EventSite.site_id == scope.site_id, EventSite.join_url.is_not(None),
        EventSite.event_id.in_(ids))).all()
    return links | {event_id: link for event_id, link in own if link}


SERIES_COLUMNS = (
    EventSeries.id, EventSeries.uid, EventSeries.kind, EventSeries.title, EventSeries.rrule,
    EventSeries.dtstart_local, EventSeries.tz, EventSeries.duration_minutes, EventSeries.updated_at,
    EventSeries.sequence, EventSeries.description, EventSeries.mode, EventSeries.venue,
    EventSeries.venue_address, EventSeries.online_url,
)


def _series_query(alone: bool) -> sa.Select:
    """The series of the loaded rows; for a feed with their all-rows SEQUENCE and last change,
    aggregated over these series' rows only, never the whole events table."""
    ids: sa.BindParameter[list[int]] = sa.bindparam("series_ids", expanding=True)
    if alone:
        return sa.select(*SERIES_COLUMNS, sa.null().label("rows_sequence"), sa.null().label("rows_changed")
                         ).where(EventSeries.id.in_(ids))
    totals = (sa.select(Event.series_id.label("series_id"), sa.func.max(Event.sequence).label("seq"),
                        sa.func.max(Event.updated_at).label("changed"))
              .where(Event.series_id.in_(ids)).group_by(Event.series_id).subquery())
    return (sa.select(*SERIES_COLUMNS, totals.c.seq.label("rows_sequence"), totals.c.changed.label("rows_changed"))
            .join(totals, totals.c.series_id == EventSeries.id).where(EventSeries.id.in_(ids)))


def load_feed_data(scope: FeedScope, now: datetime, event_ids: list[int] | None = None,
                   ) -> tuple[list[ical.FeedEvent], list[ical.FeedSeries]]:
    """Shown rows (only `event_ids` among them, if given), their agendas and their series (with
    all-rows SEQUENCE and last change): at most three queries, the last only when a series is shown."""
    # One event's .ics holds one session, written as its invitation is: with the series' own
    # SEQUENCE, not the all-rows one, or a later invitation would look older than the import.
    alone = scope.event_id is not None
    params: dict[str, Any]
    if event_ids is not None and len(event_ids) <= ID_LIST_LIMIT:
        # Rows the feed's filter has just listed: the ids alone are a far cheaper plan.
        key, params = "ids", {"ids": event_ids}
    else:
        key, params = scope.key, time_params(now)

    def statements() -> tuple[sa.Select, sa.Select]:
        where = Event.id.in_(sa.bindparam("ids", expanding=True)) if key == "ids" else shown(scope, None)
        return (sa.select(*EVENT_COLUMNS).where(where).order_by(Event.starts_at, Event.id),
                sa.select(AgendaItem.event_id, AgendaItem.starts_at, AgendaItem.ends_at, AgendaItem.title,
                          AgendaItem.speaker, AgendaItem.speaker_organisation_name)
                .where(AgendaItem.event_id.in_(sa.select(Event.id).where(where)))
                .order_by(AgendaItem.event_id, AgendaItem.position, AgendaItem.starts_at, AgendaItem.id))

    rows_query, agenda_query = prepared.get(("rows", key), statements)
    connection = db.session.connection()  # Core rows: the ORM's per-row work is not needed here
    rows = connection.execute(rows_query, params).all()
    agenda: dict[int, list[ical.AgendaLine]] = {}
    for item in connection.execute(agenda_query, params):
        agenda.setdefault(item.event_id, []).append(ical.AgendaLine(
            item.starts_at, item.ends_at, item.title, item.speaker, item.speaker_organisation_name))
    series_ids = sorted({r.series_id for r in rows if r.series_id is not None})
    series_rows: Sequence[Any] = []
    if series_ids:
        series_rows = connection.execute(prepared.get(("series", alone), lambda: _series_query(alone)),
                                         {"series_ids": series_ids}).all()
    base = base_url()
    join_links = _join_links(scope, rows)
    events = [ical.FeedEvent(
        uid=r.uid, kind=r.kind.value, title=r.title, starts_at=r.starts_at, ends_at=r.ends_at, tz=r.tz,
        updated_at=r.updated_at, url=f"{base}/events/{r.id}", sequence=r.sequence,
        cancelled=r.status == EventStatus.CANCELLED, description=r.description or "",
        mode=r.mode.value, venue=r.venue, venue_address=r.venue_address, online_url=join_links.get(r.id),
        series_id=r.series_id, original_start=r.original_start,
        agenda=tuple(agenda.get(r.id, ())), event_id=r.id,
    ) for r in rows]
    # A master carries the series' link only where every shown session of it may show a link, so
    # the file never holds a link the reader may not have (the sessions then get overrides).
    linked = {r.series_id for r in rows if r.series_id is not None and r.id in join_links}
    unlinked = {r.series_id for r in rows if r.series_id is not None and r.id not in join_links}
    series = []
    for s in series_rows:
        seq, changed = s.rows_sequence, s.rows_changed
        if changed is not None and changed.tzinfo is None:
            changed = changed.replace(tzinfo=UTC)  # a bare aggregate
        series.append(ical.FeedSeries(
            id=s.id, uid=s.uid, kind=s.kind.value, title=s.title, rrule=s.rrule,
            dtstart_local=s.dtstart_local, tz=s.tz, duration_minutes=s.duration_minutes,
            updated_at=s.updated_at if alone else max(s.updated_at, changed),
            sequence=s.sequence if alone else max(s.sequence, seq or 0),
            description=s.description or "", mode=s.mode.value, venue=s.venue,
            venue_address=s.venue_address,
            online_url=s.online_url if s.id in linked - unlinked else None))
    return events, series


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


def feed_calendar(scope: FeedScope, title: str = "") -> ical.FeedCalendar:
    return ical.FeedCalendar(name=feed_name(scope, title), labels=calendar_labels(), timezone=calendar_tz())


def build_body(scope: FeedScope, now: datetime, title: str = "") -> bytes:
    """The body from scratch, every row loaded and written (the reference the incremental build
    in feeds.fragments is tested against)."""
    events, series = load_feed_data(scope, now)
    return ical.build_feed(feed_calendar(scope, title), events, series, instances=scope.event_id is not None,
                           join_link_visible=scope.join_link_visible)


def build_event_body(scope: FeedScope, now: datetime) -> tuple[bytes, int]:
    """One event's .ics and how many rows it shows (0: not public), named after the event itself."""
    events, series = load_feed_data(scope, now)
    calendar = feed_calendar(scope, events[0].title if events else "")
    return ical.build_feed(calendar, events, series, instances=True), len(events)


def fragment_salt(labels: ical.FeedLabels, scope: FeedScope | None = None) -> str:
    """Part of every cached block's version: what a block's bytes depend on besides its rows.
    For a private feed that includes the sites' own join links it may show, which live on
    event_sites rows and change no event row."""
    parts = [FORMAT_VERSION, FEED_LOCALE, base_url(), repr(labels)]
    if scope is not None and scope.join_link_visible:
        parts += [scope.key, *(f"{e}:{link}" for e, link in _site_links(scope))]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def _site_links(scope: FeedScope) -> list[tuple[int, str | None]]:
    """(event id, the site's own join link) that a site's or a site participant's feed may show."""
    query = sa.select(EventSite.event_id, EventSite.join_url).order_by(EventSite.event_id, EventSite.site_id)
    if scope.site_id is not None:
        query = query.where(EventSite.site_id == scope.site_id)
    else:
        query = query.join(Registration, sa.and_(Registration.event_id == EventSite.event_id,
                                                 Registration.site_id == EventSite.site_id)).where(
            Registration.person_id == scope.person_id)
    return [(row[0], row[1]) for row in db.session.execute(query)]


WRITTEN = "feeds_written"


def mark_written() -> None:
    """Note that a feed read wrote to its caches (fragments, state): the view commits them."""
    db.session.info[WRITTEN] = True


def take_written() -> bool:
    return bool(db.session.info.pop(WRITTEN, False))


def commit_written() -> None:
    """Commit what a feed read stored (a snapshot, a new change time), if anything."""
    if take_written():
        if db.session.get_bind().dialect.name == "postgresql":
            # No wait for the WAL flush: what a crash could lose here is a cache (rebuilt on the
            # next read) or a change time (moved on again past the last one kept, so
            # Last-Modified still only grows).
            db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
        db.session.commit()
