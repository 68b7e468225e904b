"""Public pages: the journalist's registration form and the ticket page (no account)."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.routing import BuildError

from eventapp.directory.collation import sort_key
from eventapp.directory.models import Organisation, OrganisationKind
from eventapp.errors import error_message
from eventapp.events.labels import MODE_LABELS
from eventapp.events.models import Event, EventStatus, RegistrationWindow
from eventapp.events.services import upcoming_occurrences
from eventapp.extensions import KNOWN_TOKEN_CHECKS, db, limiter, token_miss_limit
from eventapp.forms import ConfirmForm, form_status
from eventapp.mail import drafts
from eventapp.models import utcnow
from eventapp.registrations import emails, enrolments, public, services
from eventapp.registrations.forms import PublicRegistrationForm
from eventapp.registrations.labels import STATUS_BADGES, STATUS_LABELS
from eventapp.registrations.models import ACTIVE_STATUSES, CancelledBy, Enrolment, Registration
from eventapp.registrations.tickets import (
    current_ticket,
    find_by_renewal,
    find_by_token,
    issue_ticket,
    may_remind,
    private_response,
    qr_svg,
)

bp = Blueprint("registrations", __name__)
ATTEMPTS = 3  # a concurrent submission for the same person can make our flush fail: try again


def _is_deadlock(error: OperationalError) -> bool:
    return getattr(error.orig, "sqlstate", None) == "40P01"  # PostgreSQL deadlock_detected


def _rate_limit() -> str:
    return current_app.config.get("REGISTRATION_RATE_LIMIT", "20 per minute")


def _public_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or event.status != EventStatus.PUBLISHED:
        abort(404)
    return event


def window_state(event: Event, now: datetime | None = None) -> str:
    """open | not_yet_open | closed, as the pages say it (an event not open at all reads as closed)."""
    window = event.registration_window(now)
    return RegistrationWindow.CLOSED.value if window == RegistrationWindow.NOT_OPEN else window.value


@bp.app_template_global("registration_window")
def registration_window(event: Event) -> str:
    return window_state(event)


def _outlets() -> list[Organisation]:
    """Confirmed outlets in Vietnamese alphabetical order (Đ after D, not after X)."""
    return sorted(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.PRESS_OUTLET, Organisation.is_confirmed.is_(True),
        Organisation.is_active.is_(True))), key=lambda outlet: sort_key(outlet.name))


def _applicant(form: PublicRegistrationForm) -> services.Applicant:
    return services.Applicant(
        full_name=form.full_name.data or "", email=form.email.data, phone=form.phone.data or None,
        position=form.position.data or None, press_card_no=form.press_card_no.data or None,
        organisation_id=form.outlet_id.data, locale=str(get_locale() or "vi"))


def _form_kept(_limit: object) -> Response:
    """Over the rate limit: the form again with everything typed, and when to send it again."""
    event = _public_event(int((request.view_args or {})["event_id"]))
    form = PublicRegistrationForm(outlets=_outlets(), requires_press_card=event.requires_press_card,
                                  series=event.series_id is not None)
    form.form_errors.append(_("Too many registrations were sent from your connection just now. What you "
                              "typed is kept: wait a minute, then send it again."))
    page = render_template("registrations/register.html", event=event, form=form, state="open",
                           mode_labels=MODE_LABELS, series_sessions=[])
    return make_response(page, 429)


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"], on_breach=_form_kept)
def register(event_id: int) -> ResponseReturnValue:
    event = _public_event(event_id)
    now = utcnow()
    form = PublicRegistrationForm(outlets=_outlets(), requires_press_card=event.requires_press_card,
                                  series=event.series_id is not None)
    state = window_state(event, now)
    if request.method == "GET" and "scope" in form and request.args.get("scope") == "series":
        form.scope.data = "series"  # from the series page's "register for the whole series"
    if state == "open" and form.validate_on_submit():
        if form.website.data:
            return redirect(url_for(".sent", event_id=event.id))  # a bot: pretend, keep nothing
        whole_series = "scope" in form and form.scope.data == "series"
        for _attempt in range(ATTEMPTS):
            try:
                public.submit_public(event, _applicant(form), outlet_name=form.outlet_name.data or None,
                                       questions=form.questions.data or None, whole_series=whole_series,
                                       now=now, render_after_commit=True)
                db.session.commit()
                drafts.render_written()  # after the commit: the event's seats are no longer locked
                break
            except (IntegrityError, OperationalError) as error:
                db.session.rollback()
                if isinstance(error, OperationalError) and not _is_deadlock(error):
                    raise
                # someone registered the same person meanwhile (or PostgreSQL broke a rare lock
                # cycle): the next attempt sees their committed rows
            except services.RegistrationError as error:
                db.session.rollback()
                if error.code != "full":
                    state = window_state(event)
                    break
                # Full without a waiting list: said by e-mail, so the page never tells whether
                # this address was registered already.
                applicant = _applicant(form)
                emails.event_full(event, applicant.email or "", applicant.full_name, applicant.locale)
                db.session.commit()
                break
        else:
            abort(503)
        if state == "open":
            return redirect(url_for(".sent", event_id=event.id, to=masked_email(form.email.data)))
    series_sessions = (upcoming_occurrences(event.series, now, published_only=True)
                       if event.series is not None else [])
    return render_template("registrations/register.html", event=event, form=form, state=state,
                           mode_labels=MODE_LABELS, series_sessions=series_sessions), form_status(form)


@bp.get("/events/<int:event_id>/register/sent")
def sent(event_id: int) -> ResponseReturnValue:
    # Only a masked address travels in the URL (it never names a registration, only what was typed).
    shown = request.args.get("to", "")[:80]
    return render_template("registrations/sent.html", event=_public_event(event_id),
                           address=shown if MASKED.fullmatch(shown) else None)


MASKED = re.compile(r"[^@\s]{1,2}•••@[^@\s]+")


def masked_email(address: str | None) -> str:
    """b•••@baochi.vn: enough for the person to recognise their address, useless to anyone else."""
    local, _at, domain = (address or "").strip().lower().partition("@")
    return f"{local[:1]}•••@{domain}" if local and domain else ""


def _ticket(token: str) -> Registration:
    registration = find_by_token(token)
    if registration is None:
        abort(404)
    return registration


def _calendar_url(event: Event) -> str | None:
    try:
        return url_for("feeds.one_event", event_id=event.id)
    except BuildError:
        return None


@bp.get("/ticket/<token>")
@token_miss_limit
def ticket(token: str) -> ResponseReturnValue:
    registration = _ticket(token)
    event = registration.event
    now = utcnow()
    sessions = enrolments.sessions(registration.enrolment, now) if registration.enrolment else []
    cancellable = registration.status in ACTIVE_STATUSES and event.starts_at > now
    place = emails.site_place(registration)
    # Checked in at the door or ticked by the site's roll-call: both record checked_in_at.
    attended = registration.holds_seat and registration.checked_in_at is not None
    return private_response(make_response(render_template(
        "registrations/ticket.html", registration=registration, event=event, token=token,
        over=event.ends_at <= now, attended=attended,
        qr=qr_svg(token), status_labels=STATUS_LABELS, status_badges=STATUS_BADGES, mode_labels=MODE_LABELS,
        join_url=emails.join_url(event, registration, place), place=place, calendar_url=_calendar_url(event),
        cancellable=cancellable, sessions=sessions, form=ConfirmForm(), now=now)))


@bp.route("/ticket/<token>/cancel", methods=["GET", "POST"])
@token_miss_limit
def cancel(token: str) -> ResponseReturnValue:
    registration = _ticket(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            # notified: the e-mail carries the METHOD:CANCEL that takes it out of their calendar
            services.cancel(registration, by=CancelledBy.REGISTRANT)
        except services.RegistrationError as error:
            db.session.rollback()
            flash(error_message(error), "danger")
            return redirect(url_for(".ticket", token=token))
        db.session.commit()
        flash(_("Your registration has been cancelled. Thank you for letting us know."), "success")
        return redirect(url_for(".ticket", token=token))
    return private_response(make_response(render_template(
        "registrations/cancel.html", registration=registration, event=registration.event, token=token,
        form=form)))


def _session_event(registration: Registration, event_id: int) -> tuple[Event, Enrolment]:
    """An occurrence of the series this ticket's enrolment covers (or of its continuation after a
    split), with the enrolment that covers it; else 404."""
    event = db.session.get(Event, event_id)
    if registration.enrolment is None or event is None or not event.is_published:
        abort(404)
    enrolment = enrolments.enrolment_for(registration.enrolment, event)
    if enrolment is None:
        abort(404)
    return event, enrolment


@bp.post("/ticket/<token>/sessions/<int:event_id>/<any(skip, unskip):action>")
@token_miss_limit
def session_action(token: str, event_id: int, action: str) -> ResponseReturnValue:
    registration = _ticket(token)
    event, enrolment = _session_event(registration, event_id)
    if not ConfirmForm().validate_on_submit() or event.starts_at <= utcnow():
        abort(400)
    if action == "skip":
        enrolments.skip(enrolment, event)
    else:
        enrolments.unskip(enrolment, event, locale=registration.locale or "vi")
    db.session.commit()
    flash(_("Your sessions have been updated."), "success")
    return redirect(url_for(".ticket", token=token))


@bp.post("/ticket/<token>/sessions/<int:event_id>/open")
@token_miss_limit
def open_session(token: str, event_id: int) -> ResponseReturnValue:
    """The ticket of another session of the same enrolment (its current link; a new one only if
    that one was issued before links were derived and can't be repeated)."""
    registration = _ticket(token)
    event, _enrolment = _session_event(registration, event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    other = db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.person_id == registration.person_id))
    if other is None:
        abort(404)
    other_token = current_ticket(other) or issue_ticket(other)
    db.session.commit()
    return redirect(url_for(".ticket", token=other_token))


@bp.post("/ticket/<token>/renew")
@token_miss_limit
def request_renewal(token: str) -> ResponseReturnValue:
    """"Send me a new ticket link": a confirmation link goes to the registered address only."""
    registration = _ticket(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if may_remind(registration):
        emails.notify(registration, emails.RENEWAL_REQUESTED)
    db.session.commit()
    flash(_("We have e-mailed a confirmation link to your address. Your current link keeps working "
            "until you confirm."), "success")
    return redirect(url_for(".ticket", token=token))


@bp.route("/ticket/renew/<token>", methods=["GET", "POST"])
@token_miss_limit
def renew_ticket(token: str) -> ResponseReturnValue:
    """The confirmation link: GET only asks (mail scanners open links), POST replaces the link."""
    registration = find_by_renewal(token)
    if registration is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        new_token = issue_ticket(registration)
        emails.notify(registration, emails.TICKET_RENEWED)
        db.session.commit()
        flash(_("Your ticket has a new link, also sent to you by e-mail. Earlier links no longer work."),
              "success")
        return redirect(url_for(".ticket", token=new_token))
    return private_response(make_response(render_template(
        "registrations/renew.html", registration=registration, event=registration.event, form=form)))


# Every ticket URL: a known ticket is never refused by the token-miss limit (see extensions).
KNOWN_TOKEN_CHECKS.update({f"{bp.name}.{view}": lambda token: find_by_token(token) is not None for view in (
    "ticket", "cancel", "session_action", "open_session", "request_renewal")})
