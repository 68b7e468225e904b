"""Read-side queries for events (public listings, dashboard counts)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventapp.calendar.recurrence import DEFAULT_TZ, to_utc
from eventapp.events.models import Event, EventKind, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow


def upcoming_published(*, kind: EventKind | None = None, month: tuple[int, int] | None = None,
                       now: datetime | None = None, limit: int = 200) -> list[Event]:
    """Published events that have not ended, soonest first; optionally one kind or one local month."""
    now = now or utcnow()
    query = (
        sa.select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at > now)
        .options(selectinload(Event.series))
        .order_by(Event.starts_at)
        .limit(limit)
    )
    if kind is not None:
        query = query.where(Event.kind == kind)
    if month is not None:
        year, number = month
        first = to_utc(datetime(year, number, 1), DEFAULT_TZ)
        after = to_utc(datetime(year + (number == 12), number % 12 + 1, 1), DEFAULT_TZ)
        query = query.where(Event.starts_at >= first, Event.starts_at < after)
    return list(db.session.scalars(query))


def count_upcoming(now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(
            Event.status != EventStatus.CANCELLED, Event.ends_at > now)
    ) or 0
