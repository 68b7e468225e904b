"""What each person's mail calendar holds, and the one reconciler that keeps it true.

Every change that can alter a person's calendar (a schedule edit, a split, a cancellation, an
approval, a rejection, a skip, a change of calendar path) is noticed when it is flushed; just
before the transaction commits, `settle` works out, for each person touched, the iTIP messages that
bring their mail calendar from what it was told (CalendarDelivery rows) to the database's truth:
REQUEST for identities that are new or changed, CANCEL for those that are gone. They ride on the
e-mail the change already sends that person (one e-mail per person per change: several schedule
notices are merged into one), or on a short "calendar updated" e-mail of their own. Nothing else
writes invitations.

A calendar identity is a UID plus an optional RECURRENCE-ID, exactly as in the feeds: a person
enrolled in a whole series holds one series invitation (master with RRULE, EXDATEs for the sessions
they do not attend, overrides for edited ones); a single session of a series is an instance of the
series' UID; a one-off event has its own UID.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from eventapp.directory.models import CalendarMode, Person
from eventapp.events.models import Event, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.feeds import ical
from eventapp.feeds import invitations as itip
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import queue_message
from eventapp.models import utcnow
from eventapp.registrations.models import (
    CalendarDelivery,
    Enrolment,
    EnrolmentStatus,
    Registration,
    RegistrationStatus,
)

CALENDAR_UPDATED = "calendar.updated"
# Notices about a schedule change: several of them to one person in one change become one e-mail.
SCHEDULE_NOTICES = frozenset({"event_rescheduled", "event_updated", "event_cancelled"})
# Columns whose change can alter what a calendar shows.
EVENT_FIELDS = ("starts_at", "ends_at", "title", "venue", "venue_address", "online_url", "mode", "status",
                "tz", "original_start", "series_id")
SERIES_FIELDS = ("rrule", "dtstart_local", "title", "tz", "duration_minutes", "status", "venue",
                 "venue_address", "online_url", "mode", "kind")
_STATE = "calendar_sync"


# ------------------------------------------------------------------------- what changed (flush)

@dataclass
class _Pending:
    """What this transaction changed, collected at each flush and settled before commit."""

    people: set[int]
    events: set[int]
    series: set[int]
    messages: dict[int, list[OutboxMessage]]


def _pending(session: Session) -> _Pending:
    state = session.info.get(_STATE)
    if state is None:
        state = session.info[_STATE] = _Pending(set(), set(), set(), defaultdict(list))
    return state


def touch(*person_ids: int) -> None:
    """Reconcile these people's calendars before the transaction commits."""
    _pending(db.session()).people.update(p for p in person_ids if p is not None)


def note_message(person_id: int, message: OutboxMessage) -> None:
    """An e-mail queued to this person in this transaction: calendar parts ride on it."""
    state = _pending(db.session())
    state.messages[person_id].append(message)
    state.people.add(person_id)


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    attrs = sa.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _after_flush(session: Session, _context: Any) -> None:
    state = None
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Registration):
            # New registrations are touched by the service that makes them (register()); a row
            # written by hand (a test's builder, a data import) is not news for anyone's calendar.
            if obj not in session.new and _changed(obj, ("status", "event_id", "person_id")):
                state = state or _pending(session)
                state.people.add(obj.person_id)
        elif isinstance(obj, Event):
            if obj not in session.new and _changed(obj, EVENT_FIELDS):
                state = state or _pending(session)
                state.events.add(obj.id)
        elif isinstance(obj, EventSeries):
            if obj not in session.new and _changed(obj, SERIES_FIELDS):
                state = state or _pending(session)
                state.series.add(obj.id)
        elif isinstance(obj, Enrolment):
            if obj in session.new or _changed(obj, ("status", "series_id")):
                state = state or _pending(session)
                state.people.add(obj.person_id)
        elif isinstance(obj, Person) and obj not in session.new and _changed(obj, ("calendar_mode",)):
            state = state or _pending(session)
            state.people.add(obj.id)


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # commit flushes only after this hook: collect the last changes first
    if session.info.get(_STATE) is None:
        return
    if not current_app or not current_app.config.get("CALENDAR_SYNC", True):
        session.info.pop(_STATE, None)
        return
    settle(session)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_STATE, None)


def init_app() -> None:
    """Listen to every session's flushes and commits (idempotent)."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "before_commit", _before_commit)
        sa.event.listen(Session, "after_rollback", _forget)


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


def feed_event(event: Event) -> ical.FeedEvent:
    """An event row as the iCal builder takes it (invitations carry the join link)."""
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


def series_sequence(series: EventSeries, events: list[Event]) -> int:
    """The series UID's counter: never below any of its rows' (rows from before the counter)."""
    return max([series.sequence or 0, *(e.sequence or 0 for e in events)])


def _labels() -> ical.FeedLabels:
    from eventapp.feeds.services import feed_labels

    return feed_labels()


def _one(uid: str, recurrence_id: datetime | None, lines: list[str], event: Event, sequence: int) -> Wanted:
    return Wanted(uid, recurrence_id, [lines], event.tz, sequence, event.title, event.starts_at, event.ends_at,
                  event.ends_at)


def wanted_for(person_ids: list[int]) -> dict[int, dict[tuple[str, str], Wanted]]:
    """Each person's calendar as the database says it should be: the sessions where they hold a
    seat (an approved registration of a published event), grouped into one series invitation where
    they are enrolled in the whole series. People on the subscription path get none."""
    result: dict[int, dict[tuple[str, str], Wanted]] = {pid: {} for pid in person_ids}
    if not person_ids:
        return result
    rows = db.session.execute(
        sa.select(Registration.person_id, Event)
        .join(Event, Event.id == Registration.event_id)
        .join(Person, Person.id == Registration.person_id)
        .options(selectinload(Event.agenda_items), selectinload(Event.series))
        .where(Registration.person_id.in_(person_ids), Registration.status == RegistrationStatus.APPROVED,
               Event.status == EventStatus.PUBLISHED, Person.calendar_mode == CalendarMode.INVITATIONS)
        .order_by(Event.starts_at, Event.id)).all()
    enrolled: set[tuple[int, int]] = {(row[0], row[1]) for row in db.session.execute(
        sa.select(Enrolment.person_id, Enrolment.series_id).where(
            Enrolment.person_id.in_(person_ids), Enrolment.status == EnrolmentStatus.ACTIVE))}
    series_ids = {event.series_id for _pid, event in rows if event.series_id is not None}
    counters: dict[int, int] = {row[0]: row[1] or 0 for row in db.session.execute(
        sa.select(Event.series_id, sa.func.max(Event.sequence)).where(Event.series_id.in_(series_ids))
        .group_by(Event.series_id)).all()} if series_ids else {}
    labels = _labels()
    grouped: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for person_id, event in rows:
        series = event.series
        if series is not None and (person_id, series.id) in enrolled:
            grouped[(person_id, series.id)].append(event)
            continue
        if series is not None and event.original_start is not None:
            sequence = max(series.sequence or 0, counters.get(series.id, 0))
            lines = itip.instance_message(feed_event(event), feed_series(series), labels)
            wanted = _one(series.uid, event.original_start, lines, event, sequence)
        else:
            wanted = _one(event.uid, None, itip.one_off_message(feed_event(event), labels), event,
                          event.sequence or 0)
        result[person_id][wanted.key] = wanted
    for (person_id, _series_id), events in grouped.items():
        series = events[0].series
        assert series is not None
        sequence = max(series.sequence or 0, counters.get(series.id, 0))
        by_start = {e.original_start: e for e in events}
        components, orphans = itip.series_message(feed_series(series), [feed_event(e) for e in events], labels)
        if components:
            first = min(events, key=lambda e: e.starts_at)
            result[person_id][(series.uid, "")] = Wanted(
                series.uid, None, components, series.tz, sequence, series.title, first.starts_at,
                first.ends_at, max(e.ends_at for e in events))
        for orphan in orphans:
            event = by_start[orphan.original_start]
            wanted = _one(event.uid, None, itip.one_off_message(orphan, labels), event, event.sequence or 0)
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
    from eventapp.feeds.itip import organizer

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
        record = told.get(key)
        forced = key[1] == "" and any(stale[0] == key[0] for stale in stale_instances)
        if record is not None and not record.cancelled and record.fingerprint == prints[key] and not forced:
            continue
        requests.append((key, want))
    parts: list[Part] = []
    for (uid, rkey), record in sorted(cancels, key=lambda item: (item[0][1] != "", item[0])):
        sequence = used[uid] = max(used[uid] + 1, record.sequence + 1)
        component = itip.cancel_component(uid, _parse_key(rkey), summary=record.summary,
                                          starts_at=record.starts_at, ends_at=record.ends_at, tz=record.tz)
        ics = itip.itip_message("CANCEL", [component], tz=record.tz, sequence=sequence, stamp=now,
                                organizer=sender, attendee=attendee)
        parts.append(Part("CANCEL", uid, record.summary, record.starts_at, record.tz, ics))
        record.sequence, record.cancelled = sequence, True
    for key in stale_instances:
        told[key].cancelled = True  # superseded by the master's REQUEST below
    for key, want in sorted(requests, key=lambda item: (item[1].starts_at, item[0])):
        uid = want.uid
        sequence = used[uid] = max(want.sequence, used[uid] + 1)
        ics = itip.itip_message("REQUEST", want.components, tz=want.tz, sequence=sequence, stamp=now,
                                organizer=sender, attendee=attendee)
        parts.append(Part("REQUEST", uid, want.summary, want.starts_at, want.tz, ics))
        record = told.get(key)
        if record is None:
            record = CalendarDelivery(person_id=person_id, uid=uid, recurrence_key=key[1])
            db.session.add(record)
            told[key] = record
        record.sequence, record.fingerprint, record.cancelled = sequence, prints[key], False
        record.summary, record.tz = want.summary[:300], want.tz
        record.starts_at, record.ends_at = want.starts_at, want.ends_at
    return parts


# ------------------------------------------------------------------------------------ settling

def _people_of(events: set[int], series: set[int]) -> set[int]:
    clauses = []
    if events:
        clauses.append(Registration.event_id.in_(events))
    if series:
        clauses.append(Registration.event_id.in_(sa.select(Event.id).where(Event.series_id.in_(series))))
    people = set(db.session.scalars(sa.select(Registration.person_id).where(sa.or_(*clauses)))) if clauses else set()
    if series:
        people |= set(db.session.scalars(sa.select(Enrolment.person_id).where(Enrolment.series_id.in_(series))))
    return people


def settle(session: Session | None = None) -> dict[int, list[Part]]:
    """Reconcile everyone this transaction touched, merge their schedule notices into one e-mail
    each and attach the calendar parts (called before commit; tests may call it directly)."""
    session = session or db.session()
    session.flush()
    state: _Pending | None = session.info.pop(_STATE, None)
    if state is None:
        return {}
    people = state.people | _people_of(state.events, state.series)
    for person_id, messages in state.messages.items():
        state.messages[person_id] = _merge_notices(session, messages)
    plans = reconcile(sorted(people)) if people else {}
    for person_id, parts in plans.items():
        messages = state.messages.get(person_id) or []
        target = next((m for m in messages if m.ics is None), None)
        if target is None:
            target = _calendar_update(person_id, parts)
        target.ics = "".join(part.ics for part in parts)
        target.ics_method = parts[0].method
    session.flush()
    session.info.pop(_STATE, None)  # the flush above must not leave work for a later commit
    return plans


def _merge_notices(session: Session, messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Several schedule notices to one person in one change become one e-mail."""
    notices = [m for m in messages if m.kind in SCHEDULE_NOTICES]
    if len(notices) < 2:
        return messages
    first = notices[0]
    with _locale(first.locale):
        first.subject = _("%(count)s of your sessions have changed", count=len(notices))[:300]
    first.body_text = "\n\n----\n\n".join(m.body_text for m in notices)
    if all(m.body_html for m in notices):
        first.body_html = "<hr>".join(m.body_html or "" for m in notices)
    else:
        first.body_html = None
    for extra in notices[1:]:
        if extra in session.new:
            session.expunge(extra)
        else:
            session.delete(extra)
    return [m for m in messages if m not in notices[1:]]


@contextmanager
def _locale(locale: str) -> Iterator[None]:
    from eventapp.registrations.emails import rendering

    outer, language = rendering(locale)
    with outer, language:
        yield


def _calendar_update(person_id: int, parts: list[Part]) -> OutboxMessage:
    """A short e-mail of its own for calendar parts that no other message carries."""
    from eventapp.web import local_time

    person = db.session.get(Person, person_id)
    assert person is not None and person.email
    locale = person.locale or "vi"
    with _locale(locale):
        lines = []
        for part in parts:
            when = local_time(part.starts_at, part.tz, "HH:mm dd/MM/yyyy")
            word = _("removed") if part.method == "CANCEL" else _("added or updated")
            lines.append(f"- {part.summary} ({when}): {word}")
        subject = _("Calendar update: %(title)s", title=parts[0].summary)
        intro = _("Your calendar has been brought up to date with the organiser's schedule. Open the "
                  "attached invitation if your calendar does not do so by itself.")
        context = {"lang": locale, "name": person.full_name, "intro": intro + "\n\n" + "\n".join(lines),
                   "event": None, "event_url": None}
        body_text = render_template("emails/calendar_update.txt", **context)
        body_html = render_template("emails/calendar_update.html", **context, lines=lines, intro_only=intro)
    return queue_message(kind=CALENDAR_UPDATED, to_address=person.email, to_name=person.full_name,
                         subject=" ".join(subject.split())[:300], body_text=body_text, body_html=body_html,
                         locale=locale)
