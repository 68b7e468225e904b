"""Console screens for one event: create a one-off, edit (an occurrence becomes an exception),
"this and all following", publish and cancel."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.calendar import recurrence
from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.errors import error_message
from eventapp.events import conflicts, occurrences, oneoff, services
from eventapp.events.console import bp
from eventapp.events.console.series import (
    flash_conflicts,
    flash_overbooked,
    horizon_months,
    registration_counts,
    render_series_form,
    series_error,
    series_spec,
)
from eventapp.events.forms import (
    COMMON_ZONES,
    CancelForm,
    EventForm,
    OccurrenceForm,
    SeriesForm,
)
from eventapp.events.labels import KIND_SINGULAR, MODE_LABELS, STATUS_LABELS
from eventapp.events.models import Event, EventKind, EventMode
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, form_status, required, show_error
from eventapp.models import utcnow

EVENT_FIELD_MAP = {"status": "title", "registration_opens_days_before": "registration_opens_at"}


def event_spec(form: EventForm) -> oneoff.EventSpec:
    return oneoff.EventSpec(
        title=form.title.data or "", starts_local=required(form.starts_at.data),
        ends_local=required(form.ends_at.data), tz=form.tz.data or DEFAULT_TZ,
        kind=EventKind(form.kind.data), description=form.description.data or "", mode=EventMode(form.mode.data),
        venue=form.venue.data or None, venue_address=form.venue_address.data or None,
        online_url=form.online_url.data or None, capacity=form.capacity.data,
        registration_opens_local=form.registration_opens_at.data,
        registration_closes_local=form.registration_closes_at.data,
        requires_approval=form.requires_approval.data, requires_press_card=form.requires_press_card.data,
    )


def occurrence_values(form: OccurrenceForm, event: Event) -> dict:
    return {
        "title": form.title.data,
        "starts_at": recurrence.to_utc(required(form.starts_at.data), event.tz),
        "ends_at": recurrence.to_utc(required(form.ends_at.data), event.tz), "mode": EventMode(form.mode.data),
        "venue": form.venue.data or None, "venue_address": form.venue_address.data or None,
        "online_url": form.online_url.data or None, "capacity": form.capacity.data,
    }


def _fill_times(form: OccurrenceForm, event: Event) -> None:
    form.mode.data = event.mode.value
    form.starts_at.data = recurrence.to_local(event.starts_at, event.tz)
    form.ends_at.data = recurrence.to_local(event.ends_at, event.tz)
    if isinstance(form, EventForm):
        form.kind.data = event.kind.value
        for name in ("registration_opens_at", "registration_closes_at"):
            value = getattr(event, name)
            getattr(form, name).data = recurrence.to_local(value, event.tz) if value else None


def render_event(form: OccurrenceForm, event: Event | None):
    return render_template(
        "events/console/event_form.html", form=form, event=event, zones=COMMON_ZONES,
        status_labels=STATUS_LABELS, mode_labels=MODE_LABELS, kind_labels=KIND_SINGULAR,
        cancel_form=CancelForm(), confirm_form=ConfirmForm(),
        conflicts=conflicts.find_conflicts([event]) if event else [],
        problems=services.publication_problems(event) if event else [],
        registrations=registration_counts([event.id]).get(event.id, 0) if event else 0,
        completed=event.is_completed() if event else False,
        started=event.starts_at <= utcnow() if event else False,
        started_message=error_message(services.EventError("already_started")),
        can_split=occurrences.can_split(event) if event and event.series_id else False,
    ), form_status(form)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new_event() -> ResponseReturnValue:
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = oneoff.create_event(event_spec(form), actor=current_user)
        except services.EventError as exc:
            db.session.rollback()
            show_error(form, exc, EVENT_FIELD_MAP)
        else:
            db.session.commit()
            flash(_("Event created as a draft. Add sites and the agenda, then publish."), "success")
            flash_conflicts([event])
            return redirect(url_for(".edit_event", event_id=event.id))
    return render_event(form, None)


@bp.route("/<int:event_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit_event(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    form_class = OccurrenceForm if event.series_id else EventForm
    form = form_class(obj=event if request.method == "GET" else None)
    if request.method == "GET":
        _fill_times(form, event)
    if form.validate_on_submit():
        try:
            if event.series_id:
                diff = occurrences.update_event(event, occurrence_values(form, event), actor=current_user)
            else:
                diff = oneoff.change_event(event, event_spec(form), actor=current_user)
        except services.EventError as exc:
            db.session.rollback()
            show_error(form, exc, EVENT_FIELD_MAP)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            if "capacity" in diff:
                flash_overbooked([event])
            flash_conflicts([event])
            return redirect(url_for(".edit_event", event_id=event.id))
    return render_event(form, event)


@bp.post("/<int:event_id>/publish")
@roles_required(*ORGANISERS)
def publish_event(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.publish_event(event, actor=current_user)
    except services.EventError as exc:
        db.session.rollback()
        flash(error_message(exc), "danger")
    else:
        db.session.commit()
        flash(_("Event published."), "success")
        flash_conflicts([event])
    return redirect(url_for(".edit_event", event_id=event.id))


@bp.post("/<int:event_id>/cancel")
@roles_required(*ORGANISERS)
def cancel_event(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for the cancellation."), "danger")
        return redirect(url_for(".edit_event", event_id=event.id))
    try:
        count = occurrences.cancel_event(event, form.reason.data or "", actor=current_user)
    except services.EventError as exc:
        db.session.rollback()
        flash(error_message(exc), "danger")
    else:
        db.session.commit()
        flash(_("Event cancelled; %(count)s registrations were cancelled and their holders notified.",
                count=count), "success")
    return redirect(url_for(".edit_event", event_id=event.id))


@bp.route("/<int:event_id>/following", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit_following(event_id: int) -> ResponseReturnValue:
    """Change this occurrence and all following ones: the series is split here."""
    event = db.get_or_404(Event, event_id)
    if event.series is None:
        abort(404)
    refusal = occurrences.split_refusal(event)
    if refusal is not None:
        flash(error_message(refusal), "danger")
        return redirect(url_for(".edit_event", event_id=event.id))
    series, original_start = event.series, event.original_start
    assert series is not None and original_start is not None  # split_refusal saw to it
    form = SeriesForm(obj=series if request.method == "GET" else None)
    if request.method == "GET":
        local = recurrence.to_local(original_start, series.tz)
        form.kind.data, form.mode.data = series.kind.value, series.mode.value
        form.start_date.data, form.time_of_day.data = local.date(), series.dtstart_local.time()
        form.fill_recurrence(series.rrule, series.tz)
    if form.validate_on_submit():
        try:
            result = occurrences.split_at(event, series_spec(form), actor=current_user,
                                          horizon_months=horizon_months())
        except services.EventError as exc:
            db.session.rollback()
            series_error(form, exc)
        else:
            db.session.commit()
            flash(_("This and all following occurrences were changed."), "success")
            flash_conflicts(services.upcoming_occurrences(result, utcnow()))
            return redirect(url_for(".series_detail", series_id=result.id))
    return render_series_form(form, series, occurrence=event)
