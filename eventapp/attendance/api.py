"""JSON endpoints of the check-in desk and the site board (session-authenticated, CSRF by header)."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, jsonify, make_response, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from eventapp.accounts.permissions import ALL_STAFF, CHECKIN, ORGANISERS, roles_required
from eventapp.attendance import rollcall, services, walkins
from eventapp.attendance.services import OfflineScan, ScanCode, ScanResult
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.web import local_time

bp = Blueprint("attendance_api", __name__)


def _fail(status: int, error: str) -> NoReturn:
    abort(make_response(jsonify(error=error), status))


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)  # the URL's int converter refuses ids no row can have
    if event is None or not event.is_visible_to(current_user):
        _fail(404, "event_not_found")
    return event


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        _fail(400, "json_object_expected")
    return body


def _int(value: object) -> int | None:
    return value if services.valid_id(value) else None


def result_json(event: Event, result: ScanResult) -> dict[str, Any]:
    """A scan result as the desk's JavaScript reads it (times as hh:mm in the event's zone)."""
    return {
        "code": result.code.value,
        "ok": result.ok,
        "registration_id": result.registration_id,
        "name": result.name,
        "organisation": result.organisation,
        "time": local_time(result.checked_in_at, event.tz, "HH:mm") if result.checked_in_at else None,
        "by": result.checked_in_by,
        "other_event": result.other_event,
        "corrected": result.corrected,
    }


@bp.post("/events/<int:event_id>/scan")
@roles_required(*CHECKIN)
def scan(event_id: int) -> ResponseReturnValue:
    """One scan (`payload`: what the scanner typed) or one search tap (`registration_id`)."""
    event = _event(event_id)
    target = services.scan_target(_body())
    if isinstance(target, str):
        _fail(400, target)
    result = services.check_in(event, actor=current_user, **target)
    answer = result_json(event, result)  # before the commit expires `event` (no reload)
    services.commit_scans_without_waiting()
    db.session.commit()
    # No counters here: they cost a scan of the event's registrations; the desk polls them.
    return jsonify(result=answer)


def _offline_scan(item: object) -> OfflineScan | str:
    """An item of a batch, or the reason it was refused."""
    if not isinstance(item, dict):
        return "invalid"
    scanned_at = services.scan_time(item.get("scanned_at"))
    if scanned_at is None:
        return "bad_time"
    target = services.scan_target(item)
    if isinstance(target, str):
        return "invalid"
    return OfflineScan(str(item.get("id", ""))[:64], scanned_at, **target)


@bp.post("/events/<int:event_id>/batch")
@roles_required(*CHECKIN)
def batch(event_id: int) -> ResponseReturnValue:
    """Scans queued offline, each with its own scan time; answers per client id.

    `client_now` (optional) is the desk's clock at sending, used to correct a fast or slow desk clock.
    """
    event = _event(event_id)
    body = _body()
    items = body.get("scans")
    if not isinstance(items, list) or len(items) > services.MAX_BATCH:
        _fail(400, "scans_invalid")
    client_now = None
    if body.get("client_now") is not None:
        client_now = services.scan_time(body["client_now"])
        if client_now is None:
            _fail(400, "client_now_invalid")
    answers: dict[str, dict[str, Any]] = {}
    scans = []
    for item in items:
        parsed = _offline_scan(item)
        client_id = str(item.get("id", ""))[:64] if isinstance(item, dict) else ""
        if isinstance(parsed, str):
            answers[client_id] = result_json(event, ScanResult(ScanCode(parsed)))
        else:
            scans.append(parsed)
    for client_id, result in services.replay(event, scans, current_user, client_now=client_now):
        answers[client_id] = result_json(event, result)
    services.commit_scans_without_waiting()
    db.session.commit()
    return jsonify(results=answers, counters=services.counters(event.id))


@bp.post("/events/<int:event_id>/undo")
@roles_required(*CHECKIN)
def undo(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    registration_id = _int(_body().get("registration_id"))
    if registration_id is None:
        _fail(400, "registration_id_invalid")
    result = services.undo_check_in(event, registration_id, current_user)
    db.session.commit()
    return jsonify(result=result_json(event, result), counters=services.counters(event.id))


@bp.post("/events/<int:event_id>/walk-in")
@roles_required(*CHECKIN)
def walk_in(event_id: int) -> ResponseReturnValue:
    """Register someone at the door and check them in, if a seat is free."""
    event = _event(event_id)
    body = _body()
    try:
        person = walkins.applicant(body.get("full_name"), body.get("phone"), body.get("email"))
    except walkins.WalkInError as error:
        return jsonify(result={"code": "walk_in_invalid", "ok": False, "field": error.field}), 400
    result = walkins.walk_in(event, person, current_user)
    db.session.commit()
    return jsonify(result=result_json(event, result), counters=services.counters(event.id))


@bp.get("/events/<int:event_id>/counters")
@roles_required(*CHECKIN)
def counters(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    return jsonify(counters=services.counters(event.id))


@bp.get("/events/<int:event_id>/search")
@roles_required(*CHECKIN)
def search(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    query = request.args.get("q", "")[:100]
    found = services.search(event.id, query)
    for item in found:
        at = item.pop("checked_in_at")
        item["time"] = local_time(at, event.tz, "HH:mm") if at else None
    return jsonify(results=found)


@bp.get("/events/<int:event_id>/board")
@roles_required(*ORGANISERS)
def board(event_id: int) -> ResponseReturnValue:
    """The site board's polling endpoint."""
    event = _event(event_id)
    tiles = rollcall.board(event)
    response = jsonify(tiles=[t.as_dict() for t in tiles], summary=rollcall.summary(tiles),
                       at=utcnow().isoformat())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/ping")
@roles_required(*ALL_STAFF)
def ping() -> ResponseReturnValue:
    """The roll-call's connection test (and the desk's "am I online" probe)."""
    response = jsonify(ok=True, at=utcnow().isoformat(),
                       interval=current_app.config.get("ATTENDANCE_POLL_SECONDS", 5))
    response.headers["Cache-Control"] = "no-store"
    return response
