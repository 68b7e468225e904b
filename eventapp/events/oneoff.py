"""One-off events (hybrid trainings, conferences): create and edit from local wall times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventapp import audit
from eventapp.calendar import recurrence
from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.events.models import Event, EventKind, EventMode, EventStatus
from eventapp.events.occurrences import update_event
from eventapp.events.services import EventError, check_common, check_not_too_far
from eventapp.extensions import db
from eventapp.models import utcnow


@dataclass(frozen=True)
class EventSpec:
    """A one-off event as typed: wall times in `tz` (plain values, no forms)."""

    title: str
    starts_local: datetime
    ends_local: datetime
    tz: str = DEFAULT_TZ
    kind: EventKind = EventKind.TRAINING
    description: str = ""
    mode: EventMode = EventMode.HYBRID
    venue: str | None = None
    venue_address: str | None = None
    online_url: str | None = None
    capacity: int | None = None
    registration_opens_local: datetime | None = None
    registration_closes_local: datetime | None = None
    requires_approval: bool = False
    requires_press_card: bool = False


def event_values(spec: EventSpec) -> dict[str, Any]:
    """The spec as model attributes, times converted to UTC; EventError on a bad zone or order."""
    check_common(title=spec.title, capacity=spec.capacity, tz=spec.tz)
    for local, field in ((spec.starts_local, "starts_at"), (spec.ends_local, "ends_at"),
                         (spec.registration_opens_local, "registration_opens_at"),
                         (spec.registration_closes_local, "registration_closes_at")):
        check_not_too_far(local, spec.tz, field)
    starts = recurrence.to_utc(spec.starts_local, spec.tz)
    ends = recurrence.to_utc(spec.ends_local, spec.tz)
    if ends <= starts:
        raise EventError("end_before_start", "ends_at")
    opens = recurrence.to_utc(spec.registration_opens_local, spec.tz) if spec.registration_opens_local else None
    closes = recurrence.to_utc(spec.registration_closes_local, spec.tz) if spec.registration_closes_local else None
    if opens and opens >= starts:
        raise EventError("opens_after_start", "registration_opens_at")
    if closes and closes > starts:
        raise EventError("closes_after_start", "registration_closes_at")
    if opens and closes and closes <= opens:
        raise EventError("window_order", "registration_closes_at")
    return {
        "kind": spec.kind, "title": spec.title.strip(), "description": spec.description or "",
        "tz": spec.tz, "starts_at": starts, "ends_at": ends, "mode": spec.mode, "venue": spec.venue,
        "venue_address": spec.venue_address, "online_url": spec.online_url, "capacity": spec.capacity,
        "registration_opens_at": opens, "registration_closes_at": closes,
        "requires_approval": spec.requires_approval, "requires_press_card": spec.requires_press_card,
    }


def create_event(spec: EventSpec, *, actor: Any = None, now: datetime | None = None) -> Event:
    """A new draft one-off event; a start in the past is refused."""
    values = event_values(spec)
    if values["starts_at"] < (now or utcnow()):
        raise EventError("past_date", "starts_at")
    event = Event(status=EventStatus.DRAFT, **values)
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "event.create", event, event.title,
                 {"starts_at": values["starts_at"].isoformat(), "mode": event.mode.value})
    return event


def change_event(event: Event, spec: EventSpec, *, actor: Any = None, now: datetime | None = None) -> dict:
    """Apply an edited spec; calendars see a new SEQUENCE, registrants hear about a new time."""
    return update_event(event, event_values(spec), actor=actor, now=now)
