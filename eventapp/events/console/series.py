"""Series screens: the recurrence picker and its live preview; helpers the other screens share."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.calendar import recurrence, recurrence_words
from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.errors import error_message
from eventapp.events import conflicts, occurrences, services, signals
from eventapp.events.console import bp
from eventapp.events.forms import COMMON_ZONES, CancelForm, SeriesForm
from eventapp.events.labels import KIND_SINGULAR, MODE_LABELS, STATUS_LABELS
from eventapp.events.models import Event, EventKind, EventMode, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, form_status, required, show_error
from eventapp.models import utcnow


def horizon_months() -> int:
    return int(current_app.config.get("EVENT_HORIZON_MONTHS", 12))


def series_spec(form: SeriesForm) -> services.SeriesSpec:
    """The form's values as a plain spec for the service layer."""
    return services.SeriesSpec(
        title=form.title.data or "", rrule=form.rule_text(), dtstart_local=form.dtstart_local(),
        duration_minutes=required(form.duration_minutes.data), tz=form.tz.data or DEFAULT_TZ, kind=EventKind(form.kind.data),
        description=form.description.data or "", mode=EventMode(form.mode.data), venue=form.venue.data or None,
        venue_address=form.venue_address.data or None, online_url=form.online_url.data or None,
        capacity=form.capacity.data, registration_opens_days_before=form.registration_opens_days_before.data,
        registration_closes_hours_before=form.registration_closes_hours_before.data,
        requires_approval=form.requires_approval.data, requires_press_card=form.requires_press_card.data,
    )


SERIES_FIELD_MAP = {"ends_at": "duration_minutes", "starts_at": "start_date", "status": "title",
                    "registration_opens_at": "registration_opens_days_before"}


def series_error(form: SeriesForm, exc: services.EventError) -> None:
    show_error(form, exc, {**SERIES_FIELD_MAP, "rrule": form.rule_field()})


def flash_conflicts(events: list[Event]) -> None:
    """Warn (never block) about venues or sites booked by overlapping published events."""
    for found in conflicts.find_conflicts(events)[:5]:
        when = found.other.starts_at.astimezone(recurrence.zone(found.other.tz)).strftime("%d/%m/%Y %H:%M")
        if found.kind == "venue":
            flash(_("Warning: the venue is also booked by \"%(other)s\" (%(when)s).",
                    other=found.other.title, when=when), "warning")
        else:
            flash(_("Warning: the site %(site)s also takes part in \"%(other)s\" (%(when)s).",
                    site=found.site_name, other=found.other.title, when=when), "warning")


OVERBOOKED_SHOWN = 5  # a series edit can hit many occurrences: the first few make the point


def flash_overbooked(events: list[Event], *, with_date: bool = False) -> None:
    """Warn when fewer seats remain than people already approved: nobody is un-approved for it."""
    over = signals.merged(signals.venue_overbooked, events=events)
    for event, approved in [(e, over[e.id]) for e in events if e.id in over][:OVERBOOKED_SHOWN]:
        message = _("%(approved)s people are already approved, more than the new capacity of %(capacity)s; "
                    "nobody was removed.", approved=approved, capacity=event.capacity)
        if with_date:  # which occurrence of the series
            when = format_datetime(recurrence.to_local(event.starts_at, event.tz), "dd/MM/yyyy HH:mm", rebase=False)
            message = f"{when}: {message}"
        flash(message, "warning")


def registration_counts(event_ids: list[int]) -> dict[int, int]:
    """Active registrations per event, as the registrations layer answers (events.signals)."""
    return signals.merged(signals.registration_counts, event_ids=event_ids)


def render_series_form(form: SeriesForm, series: EventSeries | None, *, occurrence: Event | None = None):
    return render_template("events/console/series_form.html", form=form, series=series,
                           occurrence=occurrence, zones=COMMON_ZONES), form_status(form)


@bp.get("/")
@roles_required(*ORGANISERS)
def index() -> ResponseReturnValue:
    now = utcnow()
    series = db.session.scalars(sa.select(EventSeries).order_by(EventSeries.status, EventSeries.title)).all()
    next_dates = dict(db.session.execute(
        sa.select(Event.series_id, sa.func.min(Event.starts_at)).where(
            Event.series_id.is_not(None), Event.starts_at > now, Event.status != EventStatus.CANCELLED)
        .group_by(Event.series_id)).all())
    one_offs = db.session.scalars(sa.select(Event).where(
        Event.series_id.is_(None), Event.ends_at > now - timedelta(days=30)).order_by(Event.starts_at)).all()
    return render_template("events/console/index.html", series=series, next_dates=next_dates,
                           one_offs=one_offs, status_labels=STATUS_LABELS, kind_labels=KIND_SINGULAR,
                           mode_labels=MODE_LABELS, now=now)


@bp.route("/series/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new_series() -> ResponseReturnValue:
    form = SeriesForm()
    if request.method == "GET":
        form.start_date.data = recurrence.to_local(utcnow(), form.tz.data or DEFAULT_TZ).date() + timedelta(days=1)
    if form.validate_on_submit():
        try:
            series = services.create_series(series_spec(form), actor=current_user,
                                             horizon_months=horizon_months())
        except services.EventError as exc:
            db.session.rollback()
            series_error(form, exc)
        else:
            db.session.commit()
            flash(_("Series created with %(count)s occurrences (drafts until you publish).",
                    count=len(series.occurrences)), "success")
            return redirect(url_for(".series_detail", series_id=series.id))
    return render_series_form(form, None)


@bp.get("/series/preview")
@roles_required(*ORGANISERS)
def preview() -> ResponseReturnValue:
    """The next 10 dates of the rule the picker describes, formatted in the current locale."""
    form = SeriesForm(formdata=request.args, meta={"csrf": False})
    # Every picker field is checked: weekday=99 or nth=² must be an error message, never a 500.
    picker = ("start_date", "time_of_day", "tz", "preset", "nth", "weekday", "day", "until_date")
    for name in picker:
        getattr(form, name).validate(form)
    errors = [e for name in picker for e in getattr(form, name).errors]
    if errors or form.start_date.data is None or form.time_of_day.data is None:
        return jsonify(dates=[], rrule="", error=str(errors[0]) if errors else _("Choose a first date and a time."))
    rule, tz, start = form.rule_text(), form.tz.data or DEFAULT_TZ, form.dtstart_local()
    try:
        normalised = recurrence.normalise_rrule(rule, tz)
        dates = recurrence.preview(normalised, start, tz, 10)
    except recurrence.RecurrenceError as exc:
        return jsonify(dates=[], rrule=rule,
                       error=error_message(services.EventError(exc.code, "rrule", exc.detail)))
    error = None
    try:  # the same checks as saving: dates within the horizon, not too many
        services.anchored_rule(services.SeriesSpec(title="-", rrule=rule, dtstart_local=start,
                                                   duration_minutes=60, tz=tz),
                               horizon=recurrence.horizon_end(utcnow(), horizon_months()))
    except services.EventError as exc:
        error = error_message(exc)
    return jsonify(rrule=normalised, error=error,
                   words=recurrence_words.describe(normalised, tz, gettext=_, dtstart_local=start),
                   dates=[format_datetime(d, "EEEE, dd/MM/yyyy HH:mm", rebase=False) for d in dates])


@bp.get("/series/<int:series_id>")
@roles_required(*ORGANISERS)
def series_detail(series_id: int) -> ResponseReturnValue:
    series = db.get_or_404(EventSeries, series_id)
    now = utcnow()
    upcoming = services.upcoming_occurrences(series, now)
    past = db.session.scalars(sa.select(Event).where(Event.series_id == series.id, Event.starts_at <= now)
                              .order_by(Event.starts_at.desc()).limit(5)).all()
    return render_template(
        "events/console/series.html", series=series, upcoming=upcoming, past=past,
        counts=registration_counts([e.id for e in [*upcoming, *past]]),
        conflicts=conflicts.find_conflicts(upcoming), status_labels=STATUS_LABELS, mode_labels=MODE_LABELS,
        splittable={e.id for e in upcoming if occurrences.can_split(e, now)},
        kind_labels=KIND_SINGULAR, cancel_form=CancelForm(), confirm_form=ConfirmForm(),
        split_from=db.session.get(EventSeries, series.split_from_id) if series.split_from_id else None,
    )


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit_series(series_id: int) -> ResponseReturnValue:
    series = db.get_or_404(EventSeries, series_id)
    form = SeriesForm(obj=series if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data, form.mode.data = series.kind.value, series.mode.value
        form.start_date.data, form.time_of_day.data = series.dtstart_local.date(), series.dtstart_local.time()
        form.fill_recurrence(series.rrule, series.tz)
    if form.validate_on_submit():
        try:
            old_capacity = series.capacity
            result = occurrences.update_series(series, series_spec(form), actor=current_user,
                                            horizon_months=horizon_months())
        except services.EventError as exc:
            db.session.rollback()
            series_error(form, exc)
        else:
            db.session.commit()
            if result.id != series.id:
                flash(_("Past occurrences were kept; the changes apply from the next occurrence as a new series."), "info")
            flash(_("Changes saved."), "success")
            upcoming = services.upcoming_occurrences(result, utcnow())
            if result.capacity is not None and result.capacity != old_capacity:
                flash_overbooked([e for e in upcoming if e.capacity == result.capacity], with_date=True)
            flash_conflicts(upcoming)
            return redirect(url_for(".series_detail", series_id=result.id))
    return render_series_form(form, series)


@bp.post("/series/<int:series_id>/publish")
@roles_required(*ORGANISERS)
def publish_series(series_id: int) -> ResponseReturnValue:
    series = db.get_or_404(EventSeries, series_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if request.form.get("confirmed") != "1":
        # Publishing is outward (public pages, feeds, coordinators' e-mails): first say how many.
        drafts = [e for e in services.upcoming_occurrences(series, utcnow()) if e.status == EventStatus.DRAFT]
        return render_template("events/console/publish_confirm.html", series=series, drafts=drafts,
                               confirm_form=ConfirmForm())
    try:
        count = services.publish_series(series, actor=current_user)
    except services.EventError as exc:
        db.session.rollback()
        flash(error_message(exc), "danger")
    else:
        db.session.commit()
        flash(_("%(count)s occurrences published.", count=count), "success")
        flash_conflicts(services.upcoming_occurrences(series, utcnow()))
    return redirect(url_for(".series_detail", series_id=series.id))


@bp.post("/series/<int:series_id>/cancel")
@roles_required(*ORGANISERS)
def cancel_series(series_id: int) -> ResponseReturnValue:
    series = db.get_or_404(EventSeries, series_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for the cancellation."), "danger")
        return redirect(url_for(".series_detail", series_id=series.id))
    try:
        count = occurrences.cancel_series(series, form.reason.data or "", actor=current_user)
    except services.EventError as exc:
        db.session.rollback()
        flash(error_message(exc), "danger")
    else:
        db.session.commit()
        flash(_("Series cancelled; %(count)s registrations were cancelled and their holders notified.",
                count=count), "success")
    return redirect(url_for(".series_detail", series_id=series.id))

