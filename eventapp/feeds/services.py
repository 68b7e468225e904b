"""Feed data: which rows a feed shows, its data version (ETag), loading into dataclasses, cache."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventapp.directory.models import Site
from eventapp.events.labels import KIND_LABELS, KIND_SINGULAR
from eventapp.events.models import AgendaItem, Event, EventKind, EventSeries, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.feeds import ical
from eventapp.feeds.cache import version_memo
from eventapp.registrations.models import (
    CancelledBy,
    Enrolment,
    Registration,
    RegistrationStatus,
)

FORMAT_VERSION = "3"  # bump when the builder's output changes, so cached bodies and ETags roll over
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


def _cancelled_at() -> sa.ColumnElement[datetime]:
    # Rows cancelled before cancelled_at existed have only their last change to go by.
    return sa.func.coalesce(Event.cancelled_at, Event.updated_at)


def _cancelled_one_off() -> sa.ColumnElement[bool]:
    return sa.and_(Event.status == EventStatus.CANCELLED, Event.series_id.is_(None),
                   Event.published_at.is_not(None))


def _listed() -> sa.ColumnElement[bool]:
    """Rows a list feed would show but for time (the window and the grace period)."""
    return sa.or_(Event.status == EventStatus.PUBLISHED, _cancelled_one_off())


def _members(scope: FeedScope) -> sa.ColumnElement[bool]:
    """The scope's own filter (kind, site, person), whatever the status and time."""
    clause = sa.true()
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
            Registration.person_id == scope.person_id, Registration.status == RegistrationStatus.APPROVED))
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


def _shown(scope: FeedScope, now: datetime) -> sa.ColumnElement[bool]:
    """The WHERE clause of the event rows a feed shows (the same one for version and body)."""
    if scope.event_id is not None:
        # "Add to calendar" for one event: published, or cancelled after having been public.
        return sa.and_(Event.id == scope.event_id, sa.or_(
            Event.status == EventStatus.PUBLISHED,
            sa.and_(Event.status == EventStatus.CANCELLED, Event.published_at.is_not(None))))
    return sa.and_(
        _members(scope),
        sa.or_(Event.status == EventStatus.PUBLISHED,
               sa.and_(_cancelled_one_off(), _cancelled_at() > now - CANCELLED_GRACE)),
        Event.ends_at > now - timedelta(days=PAST_DAYS))


def _left_by_time(scope: FeedScope, now: datetime) -> list[tuple[sa.ScalarSelect, timedelta]]:
    """When rows of the scope last left the feed by time alone, as (newest start, wait) pairs."""
    # No row's updated_at records those moments (start + wait ≤ now), yet the body changed then:
    # Last-Modified must move past them, or a client polling with If-Modified-Since alone keeps
    # its stale copy. Rows that had left for another reason can only make them later: a spare 200.
    if scope.event_id is not None:
        return []  # the one-event feed has no window and no grace period
    window, members = now - timedelta(days=PAST_DAYS), _members(scope)
    return [
        (sa.select(sa.func.max(Event.ends_at)).where(members, _listed(), Event.ends_at <= window)
         .scalar_subquery(), timedelta(days=PAST_DAYS)),
        (sa.select(sa.func.max(_cancelled_at())).where(
            members, _cancelled_one_off(), _cancelled_at() <= now - CANCELLED_GRACE).scalar_subquery(),
         CANCELLED_GRACE),
    ]


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
    stamps = []  # timestamps: in the ETag and in Last-Modified
    texts = []  # body text that no timestamp of the feed's rows covers: in the ETag only
    if scope.person_id is not None:
        stamps += [
            sa.select(sa.func.max(Registration.updated_at)).where(
                Registration.person_id == scope.person_id).scalar_subquery(),
            sa.select(sa.func.max(Enrolment.updated_at)).where(
                Enrolment.person_id == scope.person_id).scalar_subquery(),
        ]
    if scope.site_id is not None:
        stamps += [
            sa.select(sa.func.max(EventSite.updated_at)).where(
                EventSite.site_id == scope.site_id).scalar_subquery(),
            sa.select(Site.updated_at).where(Site.id == scope.site_id).scalar_subquery(),
        ]
        texts.append(sa.select(Site.name).where(Site.id == scope.site_id).scalar_subquery())  # NAME
    left = _left_by_time(scope, now)
    values = iter(db.session.execute(
        sa.select(*columns, *(query for query, _wait in left), *stamps, *texts)).one())
    count, newest, series_rows, series, agenda_count, agenda_max, any_event, any_series = islice(values, 8)
    started = list(islice(values, len(left)))
    extra, text = list(islice(values, len(stamps))), list(values)
    left_at = [_max(at) + wait for at, (_query, wait) in zip(started, left, strict=True) if at is not None]
    key = "|".join(str(v) for v in (
        FORMAT_VERSION, FEED_LOCALE, _base_url(), _calendar_tz(), scope.key, count, newest, series_rows,
        series, agenda_count, agenda_max, *left_at, *extra, *text))
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]
    modified = _max(newest, series_rows, series, any_event, any_series, *left_at, *extra)
    return FeedVersion(etag=etag, last_modified=modified.replace(microsecond=0), count=count)


# ------------------------------------------------------------------------------------ loading

def _base_url() -> str:
    # Links in the body come from configuration, never the request's Host, or one ETag could
    # stand for two different bodies.
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _calendar_tz() -> str:
    return current_app.config.get("DEFAULT_EVENT_TZ", "Asia/Ho_Chi_Minh")


EVENT_COLUMNS = (
    Event.id, Event.uid, Event.series_id, Event.original_start, Event.kind, Event.title,
    Event.description, Event.starts_at, Event.ends_at, Event.tz, Event.mode, Event.venue,
    Event.venue_address, Event.online_url, Event.status, Event.sequence, Event.updated_at,
)


def _join_links(scope: FeedScope, shown: sa.ColumnElement[bool], rows: list) -> dict[int, str]:
    """The online link each shown row may carry in this feed, by event id: none in a public one.

    A person sees the link of the events they are confirmed for (as their e-mails do), their
    site's own link where they take part through a site that has one; a site sees its own join
    link where the organiser gave it one, else the event's.
    """
    if not scope.join_link_visible:
        return {}
    links = {r.id: r.online_url for r in rows if r.online_url}
    if scope.person_id is not None:
        seats = db.session.execute(
            sa.select(Registration.event_id, EventSite.join_url)
            .outerjoin(EventSite, sa.and_(EventSite.event_id == Registration.event_id,
                                          EventSite.site_id == Registration.site_id))
            .where(Registration.person_id == scope.person_id, Registration.status == RegistrationStatus.APPROVED,
                   Registration.event_id.in_(sa.select(Event.id).where(shown)))).all()
        return {event_id: site_link or links[event_id] for event_id, site_link in seats
                if site_link or event_id in links}
    own = db.session.execute(sa.select(EventSite.event_id, EventSite.join_url).where(
        EventSite.site_id == scope.site_id, EventSite.join_url.is_not(None),
        EventSite.event_id.in_(sa.select(Event.id).where(shown)))).all()
    return links | {event_id: link for event_id, link in own if link}


def load_feed_data(scope: FeedScope, now: datetime) -> tuple[list[ical.FeedEvent], list[ical.FeedSeries]]:
    """Shown rows, their series (with all-rows SEQUENCE and last change) and agendas: three queries,
    and a fourth for the join links a private feed may show."""
    # One event's .ics holds one session, written as its invitation is: with the series' own
    # SEQUENCE, not the all-rows one, or a later invitation would look older than the import.
    alone = scope.event_id is not None
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
    join_links = _join_links(scope, shown, rows)
    events = [ical.FeedEvent(
        uid=r.uid, kind=r.kind.value, title=r.title, starts_at=r.starts_at, ends_at=r.ends_at, tz=r.tz,
        updated_at=r.updated_at, url=f"{base}/events/{r.id}", sequence=r.sequence,
        cancelled=r.status == EventStatus.CANCELLED, description=r.description or "",
        mode=r.mode.value, venue=r.venue, venue_address=r.venue_address, online_url=join_links.get(r.id),
        series_id=r.series_id, original_start=r.original_start,
        agenda=tuple(agenda.get(r.id, ())),
    ) for r in rows]
    # A master carries the series' link only where every shown session of it may show a link, so
    # the file never holds a link the reader may not have (the sessions then get overrides).
    linked = {r.series_id for r in rows if r.series_id is not None and r.id in join_links}
    unlinked = {r.series_id for r in rows if r.series_id is not None and r.id not in join_links}
    series = []
    for s, seq, changed in series_rows:
        changed = changed if changed.tzinfo else changed.replace(tzinfo=UTC)  # a bare aggregate
        series.append(ical.FeedSeries(
            id=s.id, uid=s.uid, kind=s.kind.value, title=s.title, rrule=s.rrule,
            dtstart_local=s.dtstart_local, tz=s.tz, duration_minutes=s.duration_minutes,
            updated_at=s.updated_at if alone else max(s.updated_at, changed),
            sequence=s.sequence if alone else max(s.sequence, seq or 0),
            description=s.description or "", mode=s.mode.value, venue=s.venue,
            venue_address=s.venue_address,
            online_url=s.online_url if s.id in linked - unlinked else None))
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
    calendar = ical.FeedCalendar(name=feed_name(scope, title), labels=feed_labels(), timezone=_calendar_tz())
    return ical.build_feed(calendar, events, series, instances=scope.event_id is not None,
                           join_link_visible=scope.join_link_visible)
