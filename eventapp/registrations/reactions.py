"""What registrations do when the schedule changes, and what they answer when events asks: the
receivers of the events' signals (events.signals), connected once by the app factory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from eventapp.events import signals
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.registrations import enrolments, schedule_changes, schedule_notices
from eventapp.registrations.models import Registration


def _schedule_changed(_sender: Any, *, changes: list[signals.ScheduleChange]) -> None:
    """Registrants hear about the change; a new time re-arms the day-before reminder."""
    for change in changes:
        if change.kind == "event_rescheduled":
            schedule_changes.rearm_reminders(change.event)
    schedule_notices.tell_changes(changes)


def _event_cancelled(event: Event, *, reason: str) -> int:
    return schedule_notices.cancel_registrations(event, reason)


def _seats_changed(event: Event, *, site_ids: list[int | None], now: datetime | None = None) -> dict[int, int]:
    """Freed seats go to the waiting lists; the changed sites whose approved people now exceed
    their quota are reported with that number (the venue's are asked for with venue_overbooked)."""
    schedule_changes.promote(event, site_ids, now=now)
    participations = {p.site_id: p for p in event.sites}
    over: dict[int, int] = {}
    for site_id in site_ids:
        participation = participations.get(site_id) if site_id is not None else None
        if site_id is not None and participation is not None:
            taken = schedule_changes.site_overbooked(event, participation)
            if taken is not None:
                over[site_id] = taken
    return over


def _event_in_use(event: Event) -> bool:
    return schedule_notices.has_registrations(event)


def _sites_in_use(event: Event, *, site_ids: list[int]) -> list[int]:
    """The sites among `site_ids` that have a registration (in any state) for the event."""
    return list(db.session.scalars(sa.select(Registration.site_id).distinct().where(
        Registration.event_id == event.id, Registration.site_id.in_(site_ids))))


def _registration_counts(_sender: Any, *, event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Registration.event_id, sa.func.count()).where(
            Registration.event_id.in_(event_ids), Registration.is_active)
        .group_by(Registration.event_id)).all())


def _site_registration_counts(event: Event) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Registration.site_id, sa.func.count()).where(
            Registration.event_id == event.id, Registration.is_active,
            Registration.site_id.is_not(None)).group_by(Registration.site_id)).all()
    return {site_id: count for site_id, count in rows if site_id is not None}


def _venue_overbooked(_sender: Any, *, events: list[Event]) -> dict[int, int]:
    return {event.id: approved for event, approved in schedule_changes.venue_overbooked(events)}


def connect() -> None:
    """Connect every receiver (idempotent: blinker keeps one connection per receiver)."""
    signals.series_split.connect(enrolments.carry_over)
    signals.schedule_changed.connect(_schedule_changed)
    signals.event_cancelled.connect(_event_cancelled)
    signals.seats_changed.connect(_seats_changed)
    signals.event_in_use.connect(_event_in_use)
    signals.sites_in_use.connect(_sites_in_use)
    signals.registration_counts.connect(_registration_counts)
    signals.site_registration_counts.connect(_site_registration_counts)
    signals.venue_overbooked.connect(_venue_overbooked)
