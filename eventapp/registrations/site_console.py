"""Site coordinators' console: their site's events, quota, people; one by one or from a file.

A coordinator only ever sees their own site: every site or registration in a URL goes through
require_site, which answers 404 for anyone else's.
"""

from __future__ import annotations

import io
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventapp import audit, spreadsheets
from eventapp.accounts.permissions import COORDINATORS, managed_sites, require_site, roles_required
from eventapp.directory.models import Person, Site
from eventapp.directory.search import clean_query, search_people
from eventapp.errors import error_message
from eventapp.events.models import Event, EventSite
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, form_status, show_error
from eventapp.models import utcnow
from eventapp.params import MAX_PAGE, int_arg
from eventapp.registrations import capacity, imports, services
from eventapp.registrations.forms import ImportConfirmForm, ImportUploadForm, SitePersonForm
from eventapp.registrations.labels import STATUS_BADGES, STATUS_LABELS
from eventapp.registrations.models import CancelledBy, Registration
from eventapp.spreadsheets import SpreadsheetError, read_table

bp = Blueprint("site_console", __name__)
MAX_UPLOAD = 2 * 1024 * 1024
PAST_PAGE_SIZE = 10


def _site(site_id: int) -> Site:
    require_site(current_user, site_id)
    return db.get_or_404(Site, site_id)


def _taking_part(site: Site, event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not event.is_visible_to(current_user) or capacity.participation(event_id, site.id) is None:
        abort(404)
    return event


@bp.get("/")
@roles_required(*COORDINATORS)
def index() -> ResponseReturnValue:
    sites = managed_sites(current_user)
    now = utcnow()
    rows = db.session.execute(
        sa.select(EventSite.site_id, Event).join(Event, EventSite.event_id == Event.id)
        .where(EventSite.site_id.in_([s.id for s in sites]), Event.visible_to(current_user),
               Event.ends_at > now).order_by(Event.starts_at)).all() if sites else []
    by_site: dict[int, list[Event]] = {s.id: [] for s in sites}
    for site_id, event in rows:
        by_site[site_id].append(event)
    usage = {s.id: capacity.site_usage([e.id for e in by_site[s.id]], s.id) for s in sites if by_site[s.id]}
    return render_template("registrations/site_console/index.html", sites=[s for s in sites if by_site[s.id]],
                           by_site=by_site, usage=usage, now=now, past=_past_events(sites, now))


def _past_events(sites: list[Site], now: datetime) -> Pagination | None:
    """The sites' ended events, the latest first, a page at a time: where their materials, the
    site's evaluation and its certificates stay within reach."""
    if not sites:
        return None
    query = (sa.select(EventSite).join(Event, EventSite.event_id == Event.id)
             .options(selectinload(EventSite.event), selectinload(EventSite.site))
             .where(EventSite.site_id.in_([s.id for s in sites]), Event.visible_to(current_user),
                    Event.ends_at <= now)
             .order_by(Event.starts_at.desc(), EventSite.id.desc()))
    return db.paginate(query, page=int_arg("past_page", 1, high=MAX_PAGE), per_page=PAST_PAGE_SIZE,
                       error_out=False)


@bp.get("/<int:site_id>/events/<int:event_id>")
@roles_required(*COORDINATORS)
def event(site_id: int, event_id: int) -> ResponseReturnValue:
    site = _site(site_id)
    ev = _taking_part(site, event_id)
    registrations = db.session.scalars(
        sa.select(Registration).options(selectinload(Registration.person))
        .where(Registration.event_id == ev.id, Registration.site_id == site.id)
        .order_by(Registration.created_at)).all()
    return render_template(
        "registrations/site_console/event.html", site=site, event=ev, registrations=registrations,
        place=capacity.participation(ev.id, site.id),
        usage=capacity.site_usage([ev.id], site.id)[ev.id], open=ev.site_changes_open(),
        form=SitePersonForm(),
        confirm=ConfirmForm(), upload=ImportUploadForm(), status_labels=STATUS_LABELS,
        status_badges=STATUS_BADGES)


def _applicant(form: SitePersonForm, site: Site) -> services.Applicant:
    return services.Applicant(full_name=form.full_name.data or "", email=form.email.data or None,
                              phone=form.phone.data or None, position=form.position.data or None,
                              organisation_id=site.organisation_id)


@bp.post("/<int:site_id>/events/<int:event_id>/add")
@roles_required(*COORDINATORS)
def add(site_id: int, event_id: int) -> ResponseReturnValue:
    site = _site(site_id)
    ev = _taking_part(site, event_id)
    form = SitePersonForm()
    if form.validate_on_submit():
        try:
            registration = services.register_for_site(ev, site.id, site.organisation_id, _applicant(form, site),
                                                      actor=current_user)
            db.session.commit()
        except services.RegistrationError as error:
            db.session.rollback()
            show_error(form, error, default_field="full_name")
        except IntegrityError:
            # a concurrent entry, possibly another site's: say nothing about whose
            db.session.rollback()
            show_error(form, services.RegistrationError("not_for_site", "email"))
        else:
            flash(_("%(name)s registered.", name=registration.person.full_name), "success")
            return redirect(url_for(".event", site_id=site.id, event_id=ev.id))
    registrations = db.session.scalars(sa.select(Registration).options(selectinload(Registration.person)).where(
        Registration.event_id == ev.id, Registration.site_id == site.id).order_by(Registration.created_at)).all()
    return render_template(
        "registrations/site_console/event.html", site=site, event=ev, registrations=registrations,
        place=capacity.participation(ev.id, site.id),
        usage=capacity.site_usage([ev.id], site.id)[ev.id], open=True,
        form=form, confirm=ConfirmForm(), upload=ImportUploadForm(), status_labels=STATUS_LABELS,
        status_badges=STATUS_BADGES), 422


@bp.get("/<int:site_id>/people.json")
@roles_required(*COORDINATORS)
def people(site_id: int) -> ResponseReturnValue:
    """Autocomplete: people of the site's own organisation only."""
    site = _site(site_id)
    q = clean_query(request.args.get("q"))
    if len(q) < 2 or site.organisation_id is None:
        return jsonify([])
    found = db.session.scalars(search_people(
        sa.select(Person).where(Person.organisation_id == site.organisation_id), q, ("full_name", "email"))
        .order_by(Person.full_name).limit(10))
    return jsonify([{"full_name": p.full_name, "email": p.email or "", "phone": p.phone or "",
                     "position": p.position or ""} for p in found])


def _registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.site_id is None:
        abort(404)
    require_site(current_user, registration.site_id)
    return registration


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def edit(registration_id: int) -> ResponseReturnValue:
    registration = _registration(registration_id)
    person, site, ev = registration.person, registration.site, registration.event
    assert site is not None  # _registration refuses a registration without a site
    form = SitePersonForm(obj=person)
    allowed = ev.site_changes_open() and person.organisation_id == site.organisation_id
    if allowed and form.validate_on_submit():
        before = {"full_name": person.full_name, "phone": person.phone, "position": person.position}
        person.full_name, person.phone, person.position = form.full_name.data or "", form.phone.data or None, \
            form.position.data or None
        audit.record(current_user, "registration.site_edit", registration, person.full_name,
                     {"before": before})
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".event", site_id=site.id, event_id=ev.id))
    return render_template("registrations/site_console/edit.html", registration=registration, site=site, event=ev,
                           form=form, allowed=allowed), form_status(form)


@bp.route("/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def cancel(registration_id: int) -> ResponseReturnValue:
    registration = _registration(registration_id)
    ev, site_id = registration.event, registration.site_id
    form = ConfirmForm()
    if request.method == "GET":
        # A cancellation tells the person and frees a place of the quota: one more look first.
        return render_template("registrations/site_console/cancel_confirm.html", registration=registration,
                               event=ev, form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        services.check_site_deadline(ev, utcnow())
        services.cancel(registration, by=CancelledBy.COORDINATOR, actor=current_user)
    except services.RegistrationError as error:
        db.session.rollback()
        flash(error_message(error), "danger")
    else:
        db.session.commit()
        flash(_("Registration cancelled."), "success")
    return redirect(url_for(".event", site_id=site_id, event_id=ev.id))


@bp.get("/template.<any(csv, xlsx):fmt>")
@roles_required(*COORDINATORS)
def template(fmt: str) -> ResponseReturnValue:
    return spreadsheets.download(fmt, "mau-dang-ky", imports.TEMPLATE_HEADERS, [])


@bp.post("/<int:site_id>/events/<int:event_id>/import")
@roles_required(*COORDINATORS)
def import_preview(site_id: int, event_id: int) -> ResponseReturnValue:
    site = _site(site_id)
    ev = _taking_part(site, event_id)
    form = ImportUploadForm()
    error = None
    if not form.validate_on_submit() or not request.files.get("file"):
        error = _("Please choose a file.")
    else:
        upload = request.files["file"]
        data = upload.stream.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            error = _("The file is too large (at most 2 MB).")
        else:
            try:
                table = read_table(io.BytesIO(data), upload.filename or "", imports.IMPORT_LIMITS)
                rows = imports.rows_from_table(table)
            except (SpreadsheetError, ValueError) as problem:
                error = str(imports.FILE_ERRORS.get(str(problem), imports.FILE_ERRORS["malformed"]))
            except Exception:
                error = str(imports.FILE_ERRORS["malformed"])
    if error:
        flash(error, "danger")
        return redirect(url_for(".event", site_id=site.id, event_id=ev.id))
    report = imports.check(rows, ev, site.id, site.organisation_id)
    return _preview(site, ev, report)


def _preview(site: Site, ev: Event, report: imports.Report, status: int = 200):
    confirm = ImportConfirmForm(payload=imports.sign(report, ev.id, site.id))
    return render_template("registrations/site_console/preview.html", site=site, event=ev, report=report, form=confirm), status


@bp.post("/<int:site_id>/events/<int:event_id>/import/confirm")
@roles_required(*COORDINATORS)
def import_confirm(site_id: int, event_id: int) -> ResponseReturnValue:
    site = _site(site_id)
    ev = _taking_part(site, event_id)
    form = ImportConfirmForm()
    try:
        if not form.validate_on_submit():
            raise ValueError("expired")
        rows = imports.unsign(form.payload.data or "", ev.id, site.id)
        services.check_site_deadline(ev, utcnow())
    except ValueError:
        flash(str(imports.FILE_ERRORS["expired"]), "danger")
        return redirect(url_for(".event", site_id=site.id, event_id=ev.id))
    except services.RegistrationError as error:
        flash(error_message(error), "danger")
        return redirect(url_for(".event", site_id=site.id, event_id=ev.id))
    try:
        report = imports.import_rows(rows, ev, site.id, site.organisation_id, actor=current_user)
    except (services.RegistrationError, IntegrityError):
        db.session.rollback()
        report = None
    if report is None or report.counts["ok"] != len(rows):
        db.session.rollback()  # all or nothing: something changed since the preview
        flash(_("Some rows are no longer valid (the quota or the registrations changed). Nothing was "
                "imported; please check the new report."), "warning")
        return _preview(site, ev, report or imports.check(rows, ev, site.id, site.organisation_id), 409)
    db.session.commit()
    flash(_("%(count)s people registered.", count=len(rows)), "success")
    return redirect(url_for(".event", site_id=site.id, event_id=ev.id))

