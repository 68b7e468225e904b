"""A model of the recipients' mail calendars: every iTIP part in the outbox applied by RFC 5546 rules.

One calendar per address. A REQUEST carrying a master replaces everything the calendar holds for
that UID with the message's components; a REQUEST for instances only updates those instances; a
CANCEL of a master removes the UID, of an instance removes that instance. A message whose SEQUENCE
is lower than what the calendar holds for that identity is ignored, as clients do. The calendar is
then expanded with recurring-ical-events, independently of the app's own code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import recurring_ical_events
import sqlalchemy as sa
from icalendar import Calendar, Component

from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.mail.sender import calendar_parts


@dataclass
class _Entry:
    """What one calendar holds for one UID."""

    master: Component | None = None
    sequence: int = -1
    instances: dict[str, tuple[int, Component]] = field(default_factory=dict)


def _rid(component: Component) -> str:
    return component["RECURRENCE-ID"].dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class MailCalendars:
    """Every recipient's calendar, fed incrementally from the outbox."""

    def __init__(self) -> None:
        self.calendars: dict[str, dict[str, _Entry]] = defaultdict(dict)
        self.timezones: dict[str, Component] = {}
        self.seen = 0
        self.messages: dict[str, int] = defaultdict(int)  # e-mails per address

    def read_outbox(self) -> None:
        for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id > self.seen)
                                          .order_by(OutboxMessage.id)):
            self.seen = message.id
            self.messages[message.to_address.lower()] += 1
            parts = calendar_parts(message.ics)
            # A client reads only an e-mail's inline (first) calendar part: the app sends one.
            assert len(parts) <= 1, "one iTIP message per e-mail"
            for method, text in parts:
                self.apply(message.to_address.lower(), method, text)

    def apply(self, address: str, method: str, text: str) -> None:
        calendar = Calendar.from_ical(text)
        assert str(calendar["METHOD"]) == method
        for timezone in calendar.walk("VTIMEZONE"):
            self.timezones[str(timezone["TZID"])] = timezone
        events = calendar.walk("VEVENT")
        uids = {str(e["UID"]) for e in events}
        assert len(uids) == 1, "an iTIP message carries one UID"
        uid = uids.pop()
        sequence = int(events[0]["SEQUENCE"])
        masters = [e for e in events if "RECURRENCE-ID" not in e]
        entry = self.calendars[address].get(uid)
        if masters:
            if entry is not None and entry.sequence > sequence:
                return  # older than what the calendar holds
            if method == "CANCEL":
                self.calendars[address].pop(uid, None)
                return
            new = _Entry(master=masters[0], sequence=sequence)
            for override in events:
                if "RECURRENCE-ID" in override:
                    new.instances[_rid(override)] = (sequence, override)
            self.calendars[address][uid] = new
            return
        entry = self.calendars[address].setdefault(uid, _Entry())
        for instance in events:
            rid = _rid(instance)
            held = entry.instances.get(rid)
            if held is not None and held[0] > sequence:
                continue
            if method == "CANCEL":
                entry.instances.pop(rid, None)
            else:
                entry.instances[rid] = (sequence, instance)
        if entry.master is None and not entry.instances:
            self.calendars[address].pop(uid, None)

    def sessions(self, address: str, start: datetime, end: datetime) -> set[tuple]:
        """(start, end, summary, location) of every confirmed occurrence in the window, in UTC."""
        calendar = Calendar()
        calendar.add("prodid", "-//mail calendar model//")
        calendar.add("version", "2.0")
        for timezone in self.timezones.values():
            calendar.add_component(timezone)
        for entry in self.calendars[address.lower()].values():
            if entry.master is not None:
                calendar.add_component(entry.master)
            for _sequence, component in entry.instances.values():
                calendar.add_component(component)
        found = set()
        for occurrence in recurring_ical_events.of(calendar).between(start, end):
            if str(occurrence.get("STATUS", "CONFIRMED")) == "CANCELLED":
                continue
            found.add((occurrence["DTSTART"].dt.astimezone(UTC), occurrence["DTEND"].dt.astimezone(UTC),
                       str(occurrence["SUMMARY"]), str(occurrence.get("LOCATION", ""))))
        return found


def feed_sessions(body: bytes, start: datetime, end: datetime) -> set[tuple]:
    """The same tuples from a subscription feed's body."""
    found = set()
    for occurrence in recurring_ical_events.of(Calendar.from_ical(body)).between(start, end):
        if str(occurrence.get("STATUS", "CONFIRMED")) == "CANCELLED":
            continue
        found.add((occurrence["DTSTART"].dt.astimezone(UTC), occurrence["DTEND"].dt.astimezone(UTC),
                   str(occurrence["SUMMARY"]), str(occurrence.get("LOCATION", ""))))
    return found


def truth(person_id: int) -> set[tuple]:
    """The database's sessions for a person: published events where they hold a seat."""
    from eventapp.events.models import Event, EventStatus
    from eventapp.registrations.models import Registration, RegistrationStatus

    rows = db.session.scalars(sa.select(Event).join(Registration, Registration.event_id == Event.id).where(
        Registration.person_id == person_id, Registration.status == RegistrationStatus.APPROVED,
        Event.status == EventStatus.PUBLISHED))
    return {(e.starts_at, e.ends_at, e.title, _location(e)) for e in rows}


def _location(event) -> str:
    venue = ", ".join(p for p in (event.venue, event.venue_address) if p)
    online = event.online_url if event.mode.value in ("online", "hybrid") and event.online_url else ""
    return "; ".join(p for p in (venue, f"Trực tuyến: {online}" if online else "") if p)
