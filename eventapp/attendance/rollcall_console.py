"""Roll-call screens: a site coordinator (or an organiser on the site's behalf) reports on the day."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.permissions import (
    COORDINATORS,
    ORGANISERS,
    managed_site_condition,
    require_site,
    roles_required,
)
from eventapp.attendance import rollcall, walkins
from eventapp.attendance.labels import rollcall_error, window_message
from eventapp.attendance.rollcall import RollCallError
from eventapp.attendance.services import ScanCode
from eventapp.directory.models import Site
from eventapp.events.labels import SITE_STATUS_LABELS
from eventapp.events.models import Event, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.forms import ConfirmForm
from eventapp.models import utcnow
from eventapp.registrations.labels import STATUS_LABELS
from eventapp.registrations.models import CheckinMethod

bp = Blueprint("rollcall_console", __name__)


def _participation(event_id: int, site_id: int) -> EventSite:
    """The site's participation in the event: 404 if absent or not the user's site (the URL's int
    converter has already refused ids no row can have)."""
    require_site(current_user, site_id)
    participation = db.session.scalar(sa.select(EventSite).where(
        EventSite.event_id == event_id, EventSite.site_id == site_id))
    if participation is None or not participation.event.is_visible_to(current_user):
        abort(404)
    return participation


def _back(participation: EventSite):
    return redirect(url_for(".screen", event_id=participation.event_id, site_id=participation.site_id))


def _apply(participation: EventSite, change, success: str):
    """Validate the CSRF token, make the change, commit once, say what happened."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change()
    except RollCallError as error:
        db.session.rollback()
        flash(rollcall_error(error.code, participation.event), "danger")
        return _back(participation)
    db.session.commit()
    flash(success, "success")
    return _back(participation)


@bp.get("/")
@roles_required(*COORDINATORS)
def index() -> ResponseReturnValue:
    """A coordinator's sites in events around today (organisers use the site board)."""
    if current_user.is_organiser:
        return redirect(url_for("attendance_console.boards"))
    now = utcnow()
    mine = managed_site_condition(current_user)
    rows = db.session.execute(
        sa.select(EventSite, Event, Site).join(Event, Event.id == EventSite.event_id)
        .join(Site, Site.id == EventSite.site_id)
        .where(mine, Event.status == EventStatus.PUBLISHED,
               Event.ends_at >= now - timedelta(days=3), Event.starts_at <= now + timedelta(days=30))
        .order_by(Event.starts_at, Site.code)).all()
    return render_template("attendance/rollcall_console/index.html", rows=rows,
                           status_labels=SITE_STATUS_LABELS, now=now, window_message=window_message)


@bp.get("/events/<int:event_id>/sites/<int:site_id>")
@roles_required(*COORDINATORS)
def screen(event_id: int, site_id: int) -> ResponseReturnValue:
    participation = _participation(event_id, site_id)
    event = participation.event
    registrations = rollcall.site_registrations(participation)
    return render_template(
        "attendance/rollcall_console/screen.html", participation=participation, event=event,
        site=participation.site, registrations=registrations,
        locked=rollcall.is_locked(participation, event), form=ConfirmForm(),
        not_open=window_message(event) if event.attendance_not_yet_open() else None,
        status_labels=SITE_STATUS_LABELS, registration_labels=STATUS_LABELS,
        present_count=sum(1 for r in registrations if r.checked_in_at is not None))


@bp.post("/events/<int:event_id>/sites/<int:site_id>/connect")
@roles_required(*COORDINATORS)
def connect(event_id: int, site_id: int) -> ResponseReturnValue:
    participation = _participation(event_id, site_id)

    def change() -> None:
        if request.form.get("tested") != "1":
            raise RollCallError("test_required")
        rollcall.mark_connected(participation, current_user)

    return _apply(participation, change, _("The site is marked connected."))


@bp.post("/events/<int:event_id>/sites/<int:site_id>/present")
@roles_required(*COORDINATORS)
def present(event_id: int, site_id: int) -> ResponseReturnValue:
    participation = _participation(event_id, site_id)

    def change() -> None:
        if request.form.get("all_present") == "1":  # "Everyone is present": every approved name ticked
            rollcall.record_present(participation, rollcall.approved_ids(participation), current_user)
            return
        raw = request.form.getlist("present")
        if not all(v.isascii() and v.isdigit() for v in raw):  # int("²") raises
            raise RollCallError("foreign_registration")
        rollcall.record_present(participation, {int(v) for v in raw}, current_user)

    return _apply(participation, change, _("Attendance saved."))


@bp.post("/events/<int:event_id>/sites/<int:site_id>/walk-in")
@roles_required(*COORDINATORS)
def walk_in(event_id: int, site_id: int) -> ResponseReturnValue:
    """Someone not registered is in the site's room: register them on the site's quota, present."""
    participation = _participation(event_id, site_id)

    def change() -> None:
        rollcall.check_editable(participation)
        try:
            person = walkins.applicant(request.form.get("full_name"), request.form.get("phone"),
                                       organisation_id=participation.site.organisation_id)
        except walkins.WalkInError:
            raise RollCallError("walk_in_invalid") from None
        result = walkins.walk_in(participation.event, person, current_user, site_id=site_id,
                                 method=CheckinMethod.ROLL_CALL)
        if result.code in (ScanCode.FULL, ScanCode.CLOSED):
            raise RollCallError("walk_in_" + result.code.value)
        if result.extra.get("reason") == "not_for_site":
            raise RollCallError("not_for_site")  # the rollback also undoes any edit of the person
        if result.code not in (ScanCode.CHECKED_IN, ScanCode.ALREADY):
            raise RollCallError("walk_in_status")

    return _apply(participation, change, _("The walk-in is registered and marked present."))


@bp.post("/events/<int:event_id>/sites/<int:site_id>/headcount")
@roles_required(*COORDINATORS)
def headcount(event_id: int, site_id: int) -> ResponseReturnValue:
    participation = _participation(event_id, site_id)

    def change() -> None:
        value = rollcall.parse_headcount(request.form.get("headcount"))
        rollcall.set_headcount(participation, value, current_user)

    return _apply(participation, change, _("Headcount saved."))


@bp.post("/events/<int:event_id>/sites/<int:site_id>/report")
@roles_required(*COORDINATORS)
def report(event_id: int, site_id: int) -> ResponseReturnValue:
    participation = _participation(event_id, site_id)
    return _apply(participation, lambda: rollcall.submit_report(participation, current_user),
                  _("The site's report is sent."))


@bp.post("/events/<int:event_id>/sites/<int:site_id>/reopen")
@roles_required(*ORGANISERS)
def reopen(event_id: int, site_id: int) -> ResponseReturnValue:
    participation = _participation(event_id, site_id)
    return _apply(participation, lambda: rollcall.reopen(participation, current_user),
                  _("The site's report is reopened."))


@bp.post("/events/<int:event_id>/sites/<int:site_id>/lock")
@roles_required(*ORGANISERS)
def lock(event_id: int, site_id: int) -> ResponseReturnValue:
    participation = _participation(event_id, site_id)
    return _apply(participation, lambda: rollcall.lock(participation, current_user),
                  _("The site's report is locked."))
