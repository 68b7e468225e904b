"""An event's registrations: the list, decisions in bulk, hand entry, exports; outlets to confirm."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventapp import audit, spreadsheets
from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.calendar import recurrence
from eventapp.directory.models import Organisation, OrganisationKind, Site
from eventapp.errors import error_message
from eventapp.events.models import Event, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, form_status, show_error
from eventapp.models import utcnow
from eventapp.params import id_list
from eventapp.registrations import queries, services
from eventapp.registrations.console import bp
from eventapp.registrations.forms import ACTION_CHOICES, BulkActionForm, OrganiserAddForm
from eventapp.registrations.labels import CHANNEL_LABELS, STATUS_BADGES, STATUS_LABELS
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.spreadsheets import export_filename
from eventapp.web import is_safe_redirect

PAGE_SIZE = 100
CONFIRMED_ACTIONS = frozenset({RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED})


@bp.get("/")
@roles_required(*ORGANISERS)
def index() -> ResponseReturnValue:
    now = utcnow()
    events = list(db.session.scalars(sa.select(Event).where(
        Event.status != EventStatus.DRAFT, Event.ends_at > now).order_by(Event.starts_at).limit(200)))
    return render_template("registrations/console/index.html", events=events,
                           counts=queries.status_counts_by_event([e.id for e in events]),
                           status_labels=STATUS_LABELS, status_badges=STATUS_BADGES)


@bp.get("/events/<int:event_id>")
@roles_required(*ORGANISERS)
def event_registrations(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    filters = queries.Filters.from_args(request.args)
    pagination = db.paginate(queries.filtered(event.id, filters), page=filters.page, per_page=PAGE_SIZE,
                             error_out=False)
    return render_template(
        "registrations/console/event.html", event=event, pagination=pagination, filters=filters,
        counts=queries.status_counts(event.id), sites=queries.event_sites(event.id),
        outlets=queries.registered_outlets(event.id), seats=queries.venue_seats(event),
        form=BulkActionForm(), status_labels=STATUS_LABELS, status_badges=STATUS_BADGES,
        channel_labels=CHANNEL_LABELS)


@bp.post("/events/<int:event_id>/bulk")
@roles_required(*ORGANISERS)
def bulk(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    form = BulkActionForm()
    ids = id_list("ids", request.form)  # "²" or a 20-digit id is a 400, never a 500
    asked = request.form.get("back")
    back = redirect(asked if is_safe_redirect(asked) and asked.startswith("/console/")
                    else url_for(".event_registrations", event_id=event.id))
    if not form.validate_on_submit() or not ids:
        flash(_("Tick at least one registration and choose an action."), "warning")
        return back
    target = RegistrationStatus(form.action.data)
    registrations = db.session.scalars(sa.select(Registration).options(selectinload(Registration.person))
                                       .where(Registration.event_id == event.id, Registration.id.in_(ids))
                                       .order_by(Registration.id)).all()
    if target in CONFIRMED_ACTIONS and request.form.get("confirmed") != "1":
        # Cancelling or rejecting people (and e-mailing them) is asked once more, with the count.
        return render_template("registrations/console/bulk_confirm.html", event=event, form=form,
                               registrations=registrations, action_label=dict(ACTION_CHOICES)[target.value],
                               back_url=back.location)
    done, waitlisted, refused = 0, 0, []
    for registration in registrations:
        try:
            result = services.change_status(registration, target, actor=current_user,
                                            reason=form.reason.data or None)
        except services.RegistrationError as error:
            refused.append(f"{registration.person.full_name}: {error_message(error)}")
            continue
        if result == target:
            done += 1
        else:
            waitlisted += 1
    db.session.commit()
    flash(_("%(count)s registrations updated.", count=done), "success")
    if waitlisted:
        flash(_("%(count)s could not be approved because the event is full and were put on the waiting list.",
                count=waitlisted), "warning")
    for line in refused[:20]:
        flash(line, "danger")
    return back


@bp.route("/events/<int:event_id>/add", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def add(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    sites = db.session.scalars(sa.select(Site).join(EventSite).where(EventSite.event_id == event.id)
                               .order_by(Site.name)).all()
    organisations = db.session.scalars(sa.select(Organisation).where(Organisation.is_active.is_(True))
                                       .order_by(Organisation.kind, Organisation.name)).all()
    form = OrganiserAddForm(organisations=organisations, sites=sites)
    if form.validate_on_submit():
        applicant = services.Applicant(
            full_name=form.full_name.data or "", email=form.email.data or None, phone=form.phone.data or None,
            position=form.position.data or None, organisation_id=form.organisation_id.data)
        try:
            outcome = services.add_by_organiser(event, applicant, actor=current_user, site_id=form.site_id.data)
            db.session.commit()
        except services.RegistrationError as error:
            db.session.rollback()
            show_error(form, error, default_field="full_name")
        except IntegrityError:
            db.session.rollback()
            show_error(form, services.RegistrationError("duplicate", "email"))
        else:
            flash(_("%(name)s added: %(status)s.", name=outcome.registration.person.full_name,
                    status=STATUS_LABELS[outcome.registration.status]), "success")
            return redirect(url_for(".event_registrations", event_id=event.id))
    return render_template("registrations/console/add.html", event=event, form=form), form_status(form)


def export_headers() -> list[str]:
    """Column titles for people, in the organiser's language."""
    return [_("Registration no."), _("Full name"), _("E-mail"), _("Phone"), _("Organisation"), _("Position"),
            _("Press card number"), _("Site"), _("Channel"), _("Status"), _("Registered at"),
            _("Checked in at")]


def local(instant: datetime | None, tz: str) -> datetime | None:
    """A UTC instant as the event's local wall time, for a spreadsheet cell (it has no zones)."""
    return recurrence.to_local(instant, tz) if instant is not None else None


def export_name(what: str, event: Event) -> str:
    """"dang-ky-hop-bao-thuong-ky-2027-01-07": what, the event's title and its local date."""
    return export_filename(what, event.title, recurrence.to_local(event.starts_at, event.tz).date())


@bp.get("/events/<int:event_id>/export.<any(csv, xlsx):fmt>")
@roles_required(*ORGANISERS)
def export(event_id: int, fmt: str) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    rows = []
    for r in db.session.scalars(queries.filtered(event.id, queries.Filters.from_args(request.args))):
        p = r.person
        rows.append([r.id, p.full_name, p.email, p.phone, p.organisation.name if p.organisation else "",
                     p.position, p.press_card_no, r.site.name if r.site else "",
                     str(CHANNEL_LABELS.get(r.channel, r.channel.value)),
                     str(STATUS_LABELS.get(r.status, r.status.value)), local(r.created_at, event.tz),
                     local(r.checked_in_at, event.tz)])
    return spreadsheets.download(fmt, export_name(_("Registrations"), event), export_headers(), rows,
                                 title=_("Registrations"))


@bp.get("/outlets")
@roles_required(*ORGANISERS)
def outlets() -> ResponseReturnValue:
    rows = db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.PRESS_OUTLET, Organisation.is_confirmed.is_(False))
        .order_by(Organisation.created_at)).all()
    return render_template("registrations/console/outlets.html", outlets=rows, form=ConfirmForm())


@bp.post("/outlets/<int:organisation_id>/confirm")
@roles_required(*ORGANISERS)
def confirm_outlet(organisation_id: int) -> ResponseReturnValue:
    outlet = db.get_or_404(Organisation, organisation_id)
    if outlet.kind != OrganisationKind.PRESS_OUTLET or not ConfirmForm().validate_on_submit():
        abort(400)
    outlet.is_confirmed = True
    audit.record(current_user, "outlet.confirm", outlet, outlet.name)
    db.session.commit()
    flash(_("%(name)s confirmed.", name=outlet.name), "success")
    return redirect(url_for(".outlets"))

