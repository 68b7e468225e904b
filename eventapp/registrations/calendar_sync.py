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
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_app_context, render_template
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from eventapp.directory.models import Person
from eventapp.events.models import Event, EventSeries, EventSite
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.mail.rendering import rendering
from eventapp.mail.services import queue_message
from eventapp.registrations import calendar_truth
from eventapp.registrations.models import (
    Enrolment,
    Registration,
)
from eventapp.web import local_time

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
    deferred: set[int]


def _pending(session: Session) -> _Pending:
    state = session.info.get(_STATE)
    if state is None:
        state = session.info[_STATE] = _Pending(set(), set(), set(), defaultdict(list), set())
    return state


def touch(*person_ids: int) -> None:
    """Reconcile these people's calendars before the transaction commits."""
    _pending(db.session()).people.update(p for p in person_ids if p is not None)


def defer(person_id: int) -> None:
    """Not at this commit: a draft e-mail to this person was written in this transaction, and the
    transaction that renders it reconciles this person (see emails.notify_after_commit). So the
    transaction that wrote it, holding an event's seat lock, does not run the reconciler."""
    _pending(db.session()).deferred.add(person_id)


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
        elif isinstance(obj, EventSite) and obj not in session.new and _changed(obj, ("room", "join_url")):
            state = state or _pending(session)
            state.events.add(obj.event_id)  # its participants' invitations name the room and link
        elif isinstance(obj, Person) and obj not in session.new and _changed(obj, ("calendar_mode",)):
            state = state or _pending(session)
            state.people.add(obj.id)


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # commit flushes only after this hook: collect the last changes first
    if session.info.get(_STATE) is None:
        return
    if not has_app_context():  # a script's own session: no templates, no outbox to write to
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


def settle(session: Session | None = None) -> dict[int, list[calendar_truth.Part]]:
    """Reconcile everyone this transaction touched, merge their schedule notices into one e-mail
    each and attach the calendar parts (called before commit; tests may call it directly)."""
    session = session or db.session()
    session.flush()
    state: _Pending | None = session.info.pop(_STATE, None)
    if state is None:
        return {}
    people = (state.people | _people_of(state.events, state.series)) - state.deferred
    for person_id, messages in state.messages.items():
        state.messages[person_id] = _merge_notices(session, messages)
    plans = calendar_truth.reconcile(sorted(people)) if people else {}
    for person_id, parts in plans.items():
        # One iTIP message per e-mail: Gmail and Outlook act only on an e-mail's inline calendar
        # part. The first rides on the e-mail the change sends anyway; any further identity (a
        # split's continuation, the CANCEL of what it replaces) gets its own short e-mail, in order.
        messages = state.messages.get(person_id) or []
        target = next((m for m in messages if m.ics is None), None)
        for index, part in enumerate(parts):
            if index > 0 or target is None:
                target = _calendar_update(person_id, [part])
            target.ics, target.ics_method = part.ics, part.method
    session.flush()
    session.info.pop(_STATE, None)  # the flush above must not leave work for a later commit
    return plans


def _merge_notices(session: Session, messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Several schedule notices to one person in one change become one e-mail."""
    notices = [m for m in messages if m.kind in SCHEDULE_NOTICES]
    if len(notices) < 2:
        return messages
    first = notices[0]
    with rendering(first.locale):
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


def _calendar_update(person_id: int, parts: list[calendar_truth.Part]) -> OutboxMessage:
    """A short e-mail of its own for calendar parts that no other message carries."""
    person = db.session.get(Person, person_id)
    assert person is not None and person.email
    locale = person.locale or "vi"
    with rendering(locale):
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
        body_text = render_template("registrations/emails/calendar_update.txt", **context)
        body_html = render_template("registrations/emails/calendar_update.html", **context, lines=lines, intro_only=intro)
    return queue_message(kind=CALENDAR_UPDATED, to_address=person.email, to_name=person.full_name,
                         subject=" ".join(subject.split())[:300], body_text=body_text, body_html=body_html,
                         locale=locale)
