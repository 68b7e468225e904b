"""The truth of each person's mail calendar and the plan that reaches it.

`wanted_for` says what a person's calendar should hold: the sessions where they hold a seat, as
calendar identities (UID + RECURRENCE-ID) with their components, built by the pure iCal code.
`reconcile` compares that with what their calendar was told (CalendarDelivery rows) and returns the
iTIP messages (CANCEL first, then REQUEST, each above every SEQUENCE the calendar holds for that
UID), recording them as told. What is over is history: never invited afresh, never cancelled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from eventapp.calendar import ical
from eventapp.calendar import invitations as itip
from eventapp.directory.models import CalendarMode, Person
from eventapp.events.ical_words import calendar_labels
from eventapp.events.models import Event, EventSeries, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.itip import organizer
from eventapp.registrations.models import (
    CalendarDelivery,
    Enrolment,
    EnrolmentStatus,
    Registration,
)

# -------------------------------------------------------------------------- the truth per person

@dataclass(frozen=True)
class Wanted:
    """One identity as the person's calendar should hold it."""

    uid: str
    recurrence_id: datetime | None
    components: list[list[str]]
    tz: str
    sequence: int  # the identity's own counter (the series' or the event's SEQUENCE)
    summary: str
    starts_at: datetime
    ends_at: datetime
    last_end: datetime  # when its last session ends: after that it is history, left as it is

    @property
    def key(self) -> tuple[str, str]:
        return self.uid, recurrence_key(self.recurrence_id)


def recurrence_key(instant: datetime | None) -> str:
    return "" if instant is None else f"{instant.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def feed_event(event: Event, place: EventSite | None = None) -> ical.FeedEvent:
    """An event row as the iCal builder takes it (invitations carry the join link). A site's
    participant is told where they really are: their site and room, and the site's own link."""
    row = _feed_event(event)
    if place is None:
        return row
    return replace(row, venue=", ".join(p for p in (place.site.name, place.room) if p),
                   venue_address=place.site.address, online_url=place.join_url or row.online_url,
                   mode="hybrid" if place.join_url else row.mode)


def _feed_event(event: Event) -> ical.FeedEvent:
    return ical.FeedEvent(
        uid=event.uid, kind=str(event.kind), title=event.title, starts_at=event.starts_at,
        ends_at=event.ends_at, tz=event.tz, updated_at=event.updated_at or utcnow(),
        url=f"{_base_url()}/events/{event.id}", sequence=0,
        cancelled=event.status == EventStatus.CANCELLED, description=event.description or "",
        mode=str(event.mode), venue=event.venue, venue_address=event.venue_address,
        online_url=event.online_url, series_id=event.series_id, original_start=event.original_start,
        agenda=tuple(ical.AgendaLine(i.starts_at, i.ends_at, i.title, i.speaker, i.speaker_organisation_name)
                     for i in event.agenda_items))


def feed_series(series: EventSeries) -> ical.FeedSeries:
    return ical.FeedSeries(
        id=series.id, uid=series.uid, kind=str(series.kind), title=series.title, rrule=series.rrule,
        dtstart_local=series.dtstart_local, tz=series.tz, duration_minutes=series.duration_minutes,
        updated_at=series.updated_at or utcnow(), sequence=0, description=series.description or "",
        mode=str(series.mode), venue=series.venue, venue_address=series.venue_address,
        online_url=series.online_url)


def _one(uid: str, recurrence_id: datetime | None, lines: list[str], event: Event, sequence: int) -> Wanted:
    return Wanted(uid, recurrence_id, [lines], event.tz, sequence, event.title, event.starts_at, event.ends_at,
                  event.ends_at)


def _places(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], EventSite]:
    """The participations (event, site) of site registrations, with their sites, in one query."""
    if not pairs:
        return {}
    events = {event_id for event_id, _site in pairs}
    found = db.session.scalars(sa.select(EventSite).options(selectinload(EventSite.site))
                               .where(EventSite.event_id.in_(events)))
    return {(p.event_id, p.site_id): p for p in found if (p.event_id, p.site_id) in pairs}


def wanted_for(person_ids: list[int]) -> dict[int, dict[tuple[str, str], Wanted]]:
    """Each person's calendar as the database says it should be: the sessions where they hold a
    seat (an approved registration of a published event), grouped into one series invitation where
    they are enrolled in the whole series. People on the subscription path get none. A seat is what
    entitles them to the online join link, so every message here carries it."""
    result: dict[int, dict[tuple[str, str], Wanted]] = {pid: {} for pid in person_ids}
    if not person_ids:
        return result
    rows = db.session.execute(
        sa.select(Registration.person_id, Event, Registration.site_id)
        .join(Event, Event.id == Registration.event_id)
        .join(Person, Person.id == Registration.person_id)
        .options(selectinload(Event.agenda_items), selectinload(Event.series))
        .where(Registration.person_id.in_(person_ids), Registration.holds_seat,
               Event.status == EventStatus.PUBLISHED, Person.calendar_mode == CalendarMode.INVITATIONS)
        .order_by(Event.starts_at, Event.id)).all()
    enrolled: set[tuple[int, int]] = {(row[0], row[1]) for row in db.session.execute(
        sa.select(Enrolment.person_id, Enrolment.series_id).where(
            Enrolment.person_id.in_(person_ids), Enrolment.status == EnrolmentStatus.ACTIVE))}
    series_ids = {event.series_id for _pid, event, _site in rows if event.series_id is not None}
    places = _places({(event.id, site_id) for _pid, event, site_id in rows if site_id is not None})
    counters: dict[int | None, int] = {row[0]: row[1] or 0 for row in db.session.execute(
        sa.select(Event.series_id, sa.func.max(Event.sequence)).where(Event.series_id.in_(series_ids))
        .group_by(Event.series_id)).all()} if series_ids else {}
    labels = calendar_labels()
    grouped: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for person_id, event, site_id in rows:
        series = event.series
        place = places.get((event.id, site_id)) if site_id is not None else None
        if series is not None and (person_id, series.id) in enrolled and place is None:
            grouped[(person_id, series.id)].append(event)
            continue
        if series is not None and event.original_start is not None:
            # A lone session keeps its own counter, as its .ics does (see ical._instance).
            lines = itip.instance_message(feed_event(event, place), feed_series(series), labels,
                                          join_link_visible=True)
            wanted = _one(series.uid, event.original_start, lines, event, event.sequence or 0)
        else:
            wanted = _one(event.uid, None, itip.one_off_message(feed_event(event, place), labels,
                                                                join_link_visible=True),
                          event, event.sequence or 0)
        result[person_id][wanted.key] = wanted
    for (person_id, _series_id), events in grouped.items():
        series = events[0].series
        assert series is not None
        sequence = max(series.sequence or 0, counters.get(series.id, 0))
        by_start = {e.original_start: e for e in events}
        components, orphans = itip.series_message(feed_series(series), [feed_event(e) for e in events], labels,
                                                  join_link_visible=True)
        if components:
            first = min(events, key=lambda e: e.starts_at)
            result[person_id][(series.uid, "")] = Wanted(
                series.uid, None, components, series.tz, sequence, series.title, first.starts_at,
                first.ends_at, max(e.ends_at for e in events))
        for orphan in orphans:
            event = by_start[orphan.original_start]
            wanted = _one(event.uid, None, itip.one_off_message(orphan, labels, join_link_visible=True), event,
                          event.sequence or 0)
            result[person_id][wanted.key] = wanted
    return result


# --------------------------------------------------------------------------------- reconciling

@dataclass(frozen=True)
class Part:
    """One iTIP message (one UID) for one person."""

    method: str
    uid: str
    summary: str
    starts_at: datetime
    tz: str
    ics: str


def _parse_key(key: str) -> datetime | None:
    return datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) if key else None


def reconcile(person_ids: list[int], now: datetime | None = None) -> dict[int, list[Part]]:
    """The messages that bring each person's mail calendar to the truth, recorded as told."""
    now = now or utcnow()
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(person_ids)))}
    ids = [pid for pid in person_ids if pid in people and people[pid].email]
    if not ids:
        return {}
    if db.engine.dialect.name == "postgresql":
        # Two transactions reconciling one person would both write the same records.
        db.session.execute(sa.select(Person.id).where(Person.id.in_(ids)).order_by(Person.id).with_for_update())
    everything = wanted_for(ids)
    told: dict[int, dict[tuple[str, str], CalendarDelivery]] = defaultdict(dict)
    for record in db.session.scalars(sa.select(CalendarDelivery).where(CalendarDelivery.person_id.in_(ids))):
        told[record.person_id][(record.uid, record.recurrence_key)] = record
    sender = organizer()
    plans: dict[int, list[Part]] = {}
    for person_id in ids:
        person = people[person_id]
        attendee = itip.Party(person.email or "", person.full_name)
        # What is over is history: never invited to afresh, never cancelled.
        wanted = {key: w for key, w in everything[person_id].items() if w.last_end > now}
        past = {key for key, w in everything[person_id].items() if w.last_end <= now}
        mine = {key: record for key, record in told[person_id].items() if key not in past}
        parts = _plan(wanted, mine, person_id, now, sender, attendee)
        if parts:
            plans[person_id] = parts
    db.session.flush()
    return plans


def record_as_told(person_ids: list[int], now: datetime | None = None) -> None:
    """Record these people's calendars as holding what they should, sending nothing: for
    registrations whose invitations went out before records were kept (test builders, imports)."""
    reconcile(person_ids, now)


def _plan(wanted: dict[tuple[str, str], Wanted], told: dict[tuple[str, str], CalendarDelivery],
          person_id: int, now: datetime, sender: itip.Party, attendee: itip.Party) -> list[Part]:
    """CANCELs first (a master cancelled before an instance of its UID is invited), then REQUESTs;
    each above every SEQUENCE this person's calendar holds for that UID."""
    used: dict[str, int] = defaultdict(lambda: -1)
    for (uid, _key), record in told.items():
        used[uid] = max(used[uid], record.sequence)
    prints = {key: itip.fingerprint(w.components) for key, w in wanted.items()}
    masters = {uid for uid, key in wanted if key == ""}
    # An instance left from before the person took the whole series is replaced by the master's
    # REQUEST, which must then be sent even if the master itself did not change.
    stale_instances = [key for key, record in told.items()
                       if key[1] and key[0] in masters and key not in wanted and not record.cancelled]
    cancels, requests = [], []
    for key, record in told.items():
        if record.cancelled or key in wanted or key in stale_instances:
            continue
        cancels.append((key, record))
    for key, want in wanted.items():
        last_told = told.get(key)
        forced = key[1] == "" and any(stale[0] == key[0] for stale in stale_instances)
        if last_told is not None and not last_told.cancelled and last_told.fingerprint == prints[key] \
                and not forced:
            continue
        requests.append((key, want))
    parts: list[Part] = []
    # One iTIP message per UID and method: the sessions of one series travel together.
    cancelled: dict[str, list[tuple[str, CalendarDelivery]]] = defaultdict(list)
    for (uid, rkey), record in sorted(cancels, key=lambda item: (item[0][1] != "", item[0])):
        cancelled[uid].append((rkey, record))
    for uid, group in cancelled.items():
        sequence = used[uid] = max([used[uid] + 1, *(record.sequence + 1 for _rkey, record in group)])
        # A master's CANCEL takes its whole series out: its instances need no component of their own.
        shown = [item for item in group if item[0] == ""] or group
        components = [itip.cancel_component(uid, _parse_key(rkey), summary=record.summary,
                                            starts_at=record.starts_at, ends_at=record.ends_at, tz=record.tz)
                      for rkey, record in shown]
        first = shown[0][1]
        ics = itip.itip_message("CANCEL", components, tz=first.tz, sequence=sequence, stamp=now,
                                organizer=sender, attendee=attendee)
        parts.append(Part("CANCEL", uid, first.summary, first.starts_at, first.tz, ics))
        for _rkey, record in group:
            record.sequence, record.cancelled = sequence, True
    for key in stale_instances:
        told[key].cancelled = True  # superseded by the master's REQUEST below
    invited: dict[str, list[tuple[tuple[str, str], Wanted]]] = defaultdict(list)
    for key, want in sorted(requests, key=lambda item: (item[1].starts_at, item[0])):
        invited[want.uid].append((key, want))
    for uid, wants in invited.items():
        sequence = used[uid] = max([used[uid] + 1, *(want.sequence for _key, want in wants)])
        first_wanted = wants[0][1]
        components = [lines for _key, want in wants for lines in want.components]
        ics = itip.itip_message("REQUEST", components, tz=first_wanted.tz, sequence=sequence, stamp=now,
                                organizer=sender, attendee=attendee)
        parts.append(Part("REQUEST", uid, first_wanted.summary, first_wanted.starts_at, first_wanted.tz, ics))
        for key, want in wants:
            delivery = told.get(key)
            if delivery is None:
                delivery = CalendarDelivery(person_id=person_id, uid=uid, recurrence_key=key[1])
                db.session.add(delivery)
                told[key] = delivery
            delivery.sequence, delivery.fingerprint, delivery.cancelled = sequence, prints[key], False
            delivery.summary, delivery.tz = want.summary[:300], want.tz
            delivery.starts_at, delivery.ends_at = want.starts_at, want.ends_at
    return parts
