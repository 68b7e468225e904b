"""/api/v1: public read-only events (for the Ministry portal) and the OpenAPI document."""

from __future__ import annotations

from flask import abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from eventapp.api import bp
from eventapp.api.openapi import document
from eventapp.events.models import Event, EventKind, EventStatus
from eventapp.events.queries import upcoming_published
from eventapp.extensions import db
from eventapp.params import is_digits


def event_json(event: Event) -> dict:
    """The public view of an event; the online join link is for registrants only, never here."""
    return {
        "id": event.id,
        "uid": event.uid,
        "kind": event.kind.value,
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "tz": event.tz,
        "mode": event.mode.value,
        "status": event.status.value,
        "venue": event.venue,
        "series_id": event.series_id,
        "url": url_for("events.detail", event_id=event.id, _external=True),
        "ics_url": f"{request.host_url.rstrip('/')}/events/{event.id}.ics",
    }


def _bad_request(message: str):
    return jsonify(error="bad_request", message=message), 400


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())


@bp.get("/events")
def events() -> ResponseReturnValue:
    """Upcoming published events, soonest first."""
    kind_arg = request.args.get("kind")
    if kind_arg is not None and kind_arg not in EventKind._value2member_map_:
        return _bad_request("kind must be one of " + ", ".join(EventKind._value2member_map_))
    limit_arg = request.args.get("limit", "200")
    if not is_digits(limit_arg) or not 1 <= int(limit_arg) <= 500:  # int("²") raises: ASCII digits only
        return _bad_request("limit must be an integer from 1 to 500")
    kind = EventKind(kind_arg) if kind_arg else None
    return jsonify([event_json(e) for e in upcoming_published(kind=kind, limit=int(limit_arg))])


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> ResponseReturnValue:
    found = db.session.get(Event, event_id)
    if found is None or found.status == EventStatus.DRAFT or found.published_at is None:
        abort(404)
    return jsonify(event_json(found))
