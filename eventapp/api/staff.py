"""/api/v1 for the check-in and roll-call clients: registrations, check-ins, site tiles (bearer tokens).

Scoping follows the console: organisers, admins and check-in staff see every registration of an
event; a site coordinator only their own site's (or organisation's sites'), and an event none of
their sites takes part in is a 404, as another site's objects are in the console.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import jsonify, request
from flask.typing import ResponseReturnValue

from eventapp.accounts.models import Role, User
from eventapp.accounts.permissions import ALL_STAFF, managed_site_condition
from eventapp.api import bp
from eventapp.api.auth import api_user, fail, token_required
from eventapp.attendance import rollcall, services
from eventapp.attendance.api import result_json
from eventapp.attendance.services import OfflineScan
from eventapp.directory.models import Organisation, Person, Site
from eventapp.events.models import Event, EventSite
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.params import is_digits
from eventapp.registrations.models import Registration, RegistrationStatus

EVERY_ROLE = ALL_STAFF  # unit respondents see only their questions
DOOR_ROLES = (Role.ADMIN, Role.ORGANISER, Role.CHECKIN_STAFF)
BOARD_ROLES = (Role.ADMIN, Role.ORGANISER, Role.SITE_COORDINATOR)
MAX_LIMIT, DEFAULT_LIMIT, MAX_OFFSET = 500, 100, 1_000_000


def _event(event_id: int, user: User) -> Event:
    """The event, or a JSON 404; for a coordinator only a non-draft event one of their sites is in."""
    event = db.session.get(Event, event_id)  # the URL's int converter refuses ids no row can have
    if event is None:
        fail(404, "event_not_found")
    scope = managed_site_condition(user)
    if not event.is_visible_to(user):
        fail(404, "event_not_found")
    if scope is not None and (not db.session.scalar(
            sa.select(sa.exists().where(EventSite.event_id == event.id,
                                        EventSite.site_id.in_(sa.select(Site.id).where(scope)))))):
        fail(404, "event_not_found")
    return event


def _bounded(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (is_digits(raw) and low <= int(raw) <= high):
        fail(400, "bad_request", f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


@bp.get("/events/<int:event_id>/registrations")
@token_required(*EVERY_ROLE)
def registrations(event_id: int) -> ResponseReturnValue:
    """The event's registrations (a coordinator: their sites' only), by id, paginated."""
    user = api_user()
    event = _event(event_id, user)
    limit = _bounded("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _bounded("offset", 0, 0, MAX_OFFSET)
    status = request.args.get("status")
    if status is not None and status not in RegistrationStatus._value2member_map_:
        fail(400, "bad_request", "status must be one of " + ", ".join(RegistrationStatus._value2member_map_))
    where = [Registration.event_id == event.id]
    if status is not None:
        where.append(Registration.status == RegistrationStatus(status))
    scope = managed_site_condition(user)
    if scope is not None:
        where.append(Registration.site_id.in_(sa.select(Site.id).where(scope)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(*where))
    rows = db.session.execute(
        sa.select(Registration.id, Registration.status, Registration.channel, Registration.checked_in_at,
                  Registration.checkin_method, Person.full_name, Organisation.name.label("organisation"),
                  Site.id.label("site_id"), Site.name.label("site_name"))
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(Site, Site.id == Registration.site_id)
        .where(*where).order_by(Registration.id).limit(limit).offset(offset)).all()
    items = [{
        "id": row.id, "status": row.status.value, "channel": row.channel.value,
        "person_name": row.full_name, "organisation": row.organisation,
        "site_id": row.site_id, "site_name": row.site_name,
        "checked_in_at": _iso(row.checked_in_at),
        "checkin_method": row.checkin_method.value if row.checkin_method else None,
    } for row in rows]
    return jsonify(items=items, total=total, limit=limit, offset=offset)


@bp.post("/events/<int:event_id>/checkins")
@token_required(*DOOR_ROLES)
def checkins(event_id: int) -> ResponseReturnValue:
    """Check one ticket or registration in; with `scanned_at` (an offline replay) the earliest wins."""
    user = api_user()
    event = _event(event_id, user)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        fail(400, "json_object_expected")
    args = services.scan_target(body)
    if isinstance(args, str):
        fail(400, args, "send payload (the ticket's QR text) or registration_id"
             if args == "payload_missing" else None)
    if "scanned_at" not in body:
        result = services.check_in(event, actor=user, **args)
    else:
        scanned_at = services.scan_time(body["scanned_at"])
        if scanned_at is None:
            fail(400, "scanned_at_invalid", "scanned_at must be an ISO 8601 date-time with an offset")
        [(_, result)] = services.replay(event, [OfflineScan("api", scanned_at, **args)], user)
    answer = result_json(event, result) | {"checked_in_at": _iso(result.checked_in_at)}
    services.commit_scans_without_waiting()
    db.session.commit()
    return jsonify(result=answer)


@bp.get("/events/<int:event_id>/sites")
@token_required(*BOARD_ROLES)
def sites(event_id: int) -> ResponseReturnValue:
    """The roll-call board: every participating site (a coordinator: their own site tiles)."""
    user = api_user()
    event = _event(event_id, user)
    tiles = rollcall.board(event, sites=managed_site_condition(user))
    return jsonify(tiles=[t.as_dict() for t in tiles], summary=rollcall.summary(tiles),
                   at=utcnow().isoformat())
