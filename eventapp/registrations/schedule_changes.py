"""What a schedule change does to an event's registrations: seats added by the organiser go to the
waiting list, a moved event re-arms the day-before reminder, and fewer seats than approved people
are reported (never resolved by un-approving anyone)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from eventapp.events.models import Event, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.models import rows_changed, utcnow
from eventapp.registrations import capacity
from eventapp.registrations import services as registrations
from eventapp.registrations.models import ACTIVE_STATUSES, Registration


def promote(event: Event, site_ids: list[int | None], *, now: datetime | None = None) -> list[Registration]:
    """Promote from the venue's (None) or sites' waiting lists into new seats, as a cancellation
    does; the caller holds the event lock (capacity.lock_event)."""
    if event.status == EventStatus.CANCELLED or event.starts_at <= (now or utcnow()):
        return []  # nobody is moved up for an event that is off or already started
    db.session.flush()  # the new capacity and quotas must be what promote_waitlist reads
    promoted: list[Registration] = []
    for site_id in site_ids:
        promoted.extend(registrations.fill_freed_seats(event, site_id))
    return promoted


def rearm_reminders(event: Event) -> int:
    """Let `flask mail reminders` send the day-before reminder again after the event moved."""
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES),
               Registration.reminder_sent_at.is_not(None))
        .values(reminder_sent_at=None)
        .execution_options(synchronize_session="fetch"))
    return rows_changed(result)


def venue_overbooked(events: list[Event]) -> list[tuple[Event, int]]:
    """The events whose venue has more approved people than its capacity, with that number (one
    query for all of them: a series edit checks a year of occurrences)."""
    candidates = [e for e in events
                  if e.capacity is not None and e.status != EventStatus.CANCELLED and e.id is not None]
    if not candidates:
        return []
    taken = dict(db.session.execute(
        sa.select(Registration.event_id, sa.func.count())
        .where(Registration.event_id.in_([e.id for e in candidates]),
               Registration.holds_seat, Registration.site_id.is_(None))
        .group_by(Registration.event_id)).all())
    return [(e, taken[e.id]) for e in candidates if e.capacity is not None and taken.get(e.id, 0) > e.capacity]


def site_overbooked(event: Event, participation: EventSite) -> int | None:
    """How many of a site's people are approved when that exceeds its quota, else None."""
    if event.status == EventStatus.CANCELLED or event.id is None:
        return None
    taken = capacity.site_seats_taken(event.id, participation.site_id)
    return taken if taken > participation.quota else None
