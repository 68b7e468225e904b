"""An event's programme: items inside the event, no overlaps unless marked parallel, reorderable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventapp import audit
from eventapp.calendar import recurrence
from eventapp.directory.models import Organisation
from eventapp.events.models import AgendaItem, Event
from eventapp.events.services import EventError, apply_changes
from eventapp.extensions import db


@dataclass(frozen=True)
class AgendaSpec:
    """One programme item as typed: wall times in the event's zone."""

    starts_local: datetime
    ends_local: datetime
    title: str
    speaker: str | None = None
    speaker_organisation_id: int | None = None
    speaker_organisation_name: str | None = None
    description: str = ""
    is_parallel: bool = False


def _values(event: Event, spec: AgendaSpec, item: AgendaItem | None) -> dict[str, Any]:
    if not spec.title.strip():
        raise EventError("required", "title")
    starts = recurrence.to_utc(spec.starts_local, event.tz)
    ends = recurrence.to_utc(spec.ends_local, event.tz)
    if ends <= starts:
        raise EventError("end_before_start", "ends_at")
    if starts < event.starts_at or ends > event.ends_at:
        raise EventError("agenda_outside", "starts_at")
    if not spec.is_parallel:
        for other in event.agenda_items:
            if other is item or other.is_parallel:
                continue
            if starts < other.ends_at and other.starts_at < ends:
                raise EventError("agenda_overlap", "starts_at", other.title)
    organisation_name = (spec.speaker_organisation_name or "").strip() or None
    if spec.speaker_organisation_id and not organisation_name:
        organisation = db.session.get(Organisation, spec.speaker_organisation_id)
        organisation_name = organisation.name if organisation else None
    return {
        "starts_at": starts, "ends_at": ends, "title": spec.title.strip(), "speaker": spec.speaker or None,
        "speaker_organisation_id": spec.speaker_organisation_id or None,
        "speaker_organisation_name": organisation_name, "description": spec.description or "",
        "is_parallel": spec.is_parallel,
    }


def add_item(event: Event, spec: AgendaSpec, *, actor: Any = None) -> AgendaItem:
    """Append an item to the programme (it goes last; reorder moves it)."""
    values = _values(event, spec, None)
    position = max((i.position for i in event.agenda_items), default=-1) + 1
    item = AgendaItem(position=position, **values)
    event.agenda_items.append(item)
    event.bump_sequence()
    db.session.flush()
    audit.record(actor, "agenda.add", event, item.title, {"item_id": item.id})
    return item


def update_item(item: AgendaItem, spec: AgendaSpec, *, actor: Any = None) -> dict:
    diff = apply_changes(item, _values(item.event, spec, item))
    if diff:
        item.event.bump_sequence()
        db.session.flush()
        audit.record(actor, "agenda.update", item.event, item.title, {"item_id": item.id, **diff})
    return diff


def delete_item(item: AgendaItem, *, actor: Any = None) -> None:
    event = item.event
    event.agenda_items.remove(item)
    _renumber(event)
    event.bump_sequence()
    db.session.flush()
    audit.record(actor, "agenda.delete", event, item.title, {"item_id": item.id})


def move_item(item: AgendaItem, offset: int, *, actor: Any = None) -> None:
    """Move an item up (-1) or down (+1) in the programme."""
    items = sorted(item.event.agenda_items, key=lambda i: (i.position, i.id))
    index = items.index(item)
    target = index + offset
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        each.position = position
    item.event.bump_sequence()  # the programme's order is in DESCRIPTION: feeds and invitations change
    db.session.flush()
    audit.record(actor, "agenda.reorder", item.event, item.title, {"item_id": item.id, "to": target})


def sort_by_time(event: Event, *, actor: Any = None) -> None:
    """Order the programme by start time (parallel items after the main one)."""
    ordered = sorted(event.agenda_items, key=lambda i: (i.starts_at, i.is_parallel, i.id))
    if [each.id for each in ordered] != [each.id for each in sorted(event.agenda_items, key=lambda i: (i.position, i.id))]:
        event.bump_sequence()  # the order changes DESCRIPTION
    for position, each in enumerate(ordered):
        each.position = position
    db.session.flush()
    audit.record(actor, "agenda.reorder", event, event.title, {"by": "time"})


def _renumber(event: Event) -> None:
    for position, each in enumerate(sorted(event.agenda_items, key=lambda i: (i.position, i.id))):
        each.position = position
