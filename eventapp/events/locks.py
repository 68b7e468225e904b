"""The event lock: one row lock per event serialises every seat decision (why: registrations.capacity)."""

from __future__ import annotations

import weakref

import sqlalchemy as sa
from sqlalchemy.orm import SessionTransaction

from eventapp.events.models import Event
from eventapp.extensions import db

# Events whose lock each transaction holds, so a second lock_event in it costs no round trip under
# the lock: a lock lasts until its transaction ends, and each transaction is a new object. (No
# savepoints are used: rolling back to one would release a lock taken after it.)
_held: weakref.WeakKeyDictionary[SessionTransaction, set[int]] = weakref.WeakKeyDictionary()


def lock_event(event_id: int) -> None:
    """Serialise every seat decision for this event until the transaction ends (why and how: the module doc of registrations.capacity)."""
    session = db.session()
    transaction = session.get_transaction()
    if transaction is not None and event_id in _held.get(transaction, ()):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(Event.id).where(Event.id == event_id).with_for_update())
    else:
        # Raw text on purpose: a Core update() would also bump updated_at (feeds' DTSTAMP).
        session.execute(sa.text("UPDATE events SET id = id WHERE id = :id"), {"id": event_id})
    held_by = session.get_transaction()
    if held_by is not None:
        _held.setdefault(held_by, set()).add(event_id)
