"""The event lock: one row lock per event serialises every seat decision (why: registrations.capacity)."""

from __future__ import annotations

import sqlalchemy as sa

from eventapp.events.models import Event
from eventapp.extensions import db


def lock_event(event_id: int) -> None:
    """Serialise every seat decision for this event until the transaction ends (why and how: the module doc of registrations.capacity)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Event.id).where(Event.id == event_id).with_for_update())
    else:
        # Raw text on purpose: a Core update() would also bump updated_at (feeds' DTSTAMP).
        db.session.execute(sa.text("UPDATE events SET id = id WHERE id = :id"), {"id": event_id})
