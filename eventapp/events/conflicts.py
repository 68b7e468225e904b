"""Booking conflicts: a venue or a site used by overlapping published events (a warning only)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventapp.events.models import Event, EventMode, EventSite, EventStatus
from eventapp.extensions import db


def normalise_venue(venue: str | None) -> str:
    """Venue text compared loosely: NFC, case-folded, punctuation and repeated spaces removed."""
    text = unicodedata.normalize("NFC", venue or "").casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Conflict:
    """`event` overlaps `other` (published) at the same venue, or shares the site `site_name`."""

    event: Event
    other: Event
    kind: str  # "venue" | "site"
    site_name: str = ""


def _uses_venue(event: Event) -> bool:
    return event.mode != EventMode.ONLINE and bool(normalise_venue(event.venue))


def find_conflicts(events: list[Event]) -> list[Conflict]:
    """Conflicts of these events with other published events, in a fixed number of queries."""
    events = [e for e in events if e.status != EventStatus.CANCELLED]
    if not events:
        return []
    start = min(e.starts_at for e in events)
    end = max(e.ends_at for e in events)
    own_ids = {e.id for e in events}
    others = db.session.scalars(
        sa.select(Event).options(selectinload(Event.sites).selectinload(EventSite.site))
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at < end, Event.ends_at > start)
        .order_by(Event.starts_at)).all()
    result: list[Conflict] = []
    for event in events:
        venue = normalise_venue(event.venue) if _uses_venue(event) else ""
        sites = {s.site_id for s in event.sites}
        for other in others:
            if other.id == event.id or (other.id in own_ids and other.id < event.id):
                continue
            if not (other.starts_at < event.ends_at and event.starts_at < other.ends_at):
                continue
            if venue and _uses_venue(other) and normalise_venue(other.venue) == venue:
                result.append(Conflict(event, other, "venue"))
            for participation in other.sites:
                if participation.site_id in sites:
                    result.append(Conflict(event, other, "site", participation.site.name))
    return result
