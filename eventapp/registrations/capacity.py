"""Seats and quotas: the event lock, counts taken under it, and waiting-list promotion.

Why a lock and not a counter: every decision that hands out a seat (a new registration, an
approval, a promotion) first calls `lock_event`, then counts approved registrations from the
table itself, then writes — all in one transaction. Counting the truth under a lock cannot
drift, whoever else changes statuses.

- PostgreSQL: `SELECT … FROM events WHERE id = :id FOR UPDATE` takes the event's row lock; a
  concurrent registration for the same event waits at that statement until the first commits,
  and (READ COMMITTED) its following statements see the committed rows. One lock per event
  covers the venue's capacity and every site's quota, so quotas need no lock of their own.
- SQLite: FOR UPDATE does not exist, and pysqlite only opens a transaction at the first write.
  So the lock is a write that changes nothing (`UPDATE events SET id = id`): it opens the
  transaction and takes SQLite's database-wide write lock, held until commit or rollback;
  other writers wait in the busy handler (the connection's timeout). Reads made before the
  lock are never trusted for a decision.

The lock itself lives with the events (events.locks), as schedule changes take it too.

Lock order: a transaction creates or finds its people first, then locks events in id order, so
two transactions never wait for each other in a cycle. Unique (event, person) stays the backstop
against duplicates (see services.register).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from eventapp.events.locks import (
    lock_event as lock_event,  # re-exported: every seat decision takes it
)
from eventapp.events.models import Event, EventSite
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import Registration, RegistrationStatus


def _approved(event_id: int) -> sa.Select:
    return sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.holds_seat)


def venue_seats_taken(event_id: int) -> int:
    """Approved registrations without a site: they sit in the event's own venue."""
    return db.session.scalar(_approved(event_id).where(Registration.site_id.is_(None))) or 0


def site_seats_taken(event_id: int, site_id: int) -> int:
    """Approved registrations of one site: they count against that site's quota."""
    return db.session.scalar(_approved(event_id).where(Registration.site_id == site_id)) or 0


def participation(event_id: int, site_id: int) -> EventSite | None:
    return db.session.scalar(
        sa.select(EventSite).where(EventSite.event_id == event_id, EventSite.site_id == site_id))


def has_room(event: Event, site_id: int | None) -> bool:
    """Whether one more approved registration fits; call only after lock_event."""
    if site_id is None:
        return event.capacity is None or venue_seats_taken(event.id) < event.capacity
    taking_part = participation(event.id, site_id)
    return taking_part is not None and site_seats_taken(event.id, site_id) < taking_part.quota


@dataclass(frozen=True)
class Usage:
    """A site's quota for one event and how much of it is used."""

    quota: int
    used: int

    @property
    def left(self) -> int:
        return max(self.quota - self.used, 0)


def site_usage(event_ids: list[int], site_id: int) -> dict[int, Usage]:
    """Quota used/left of one site for many events, in two queries (for the coordinator's list)."""
    if not event_ids:
        return {}
    quotas = dict(db.session.execute(sa.select(EventSite.event_id, EventSite.quota).where(
        EventSite.site_id == site_id, EventSite.event_id.in_(event_ids))).all())
    used = dict(db.session.execute(
        sa.select(Registration.event_id, sa.func.count()).where(
            Registration.site_id == site_id, Registration.event_id.in_(event_ids),
            Registration.holds_seat,
        ).group_by(Registration.event_id)).all())
    return {event_id: Usage(quota, used.get(event_id, 0)) for event_id, quota in quotas.items()}


def others_waiting(event: Event, registration: Registration) -> bool:
    """Whether someone else is on the waiting list the registration's seat would go to."""
    same_list = (Registration.site_id.is_(None) if registration.site_id is None
                 else Registration.site_id == registration.site_id)
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Registration.event_id == event.id, same_list, Registration.id != registration.id,
        Registration.status == RegistrationStatus.WAITLISTED))))


def promote_waitlist(event: Event, site_id: int | None = None) -> list[Registration]:
    """Give free seats (the venue's, or one site's quota) to the first on that waiting list, in
    the order they were wait-listed. Call under lock_event, in the transaction that freed the
    seat; the caller tells each one. Without a capacity the list is manual: nobody is promoted.
    """
    if site_id is None:
        if event.capacity is None:
            return []
        free = event.capacity - venue_seats_taken(event.id)
        where: sa.ColumnElement[bool] = Registration.site_id.is_(None)
    else:
        taking_part = participation(event.id, site_id)
        if taking_part is None:
            return []
        free = taking_part.quota - site_seats_taken(event.id, site_id)
        where = Registration.site_id == site_id
    if free <= 0:
        return []
    promoted = list(db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, where,
               Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(sa.func.coalesce(Registration.status_changed_at, Registration.created_at),
                  Registration.id)
        .limit(free)))
    now = utcnow()
    for registration in promoted:
        registration.set_status(RegistrationStatus.APPROVED, now)
    db.session.flush()
    return promoted
