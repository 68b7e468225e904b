"""Certificate and badge screens: the public verification page, the holder's download from the
ticket page, the organiser's template and downloads, a coordinator's bundle for their site, and
the check-in desk's badge sheets. One blueprint; console routes sit under /console/certificates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from eventapp.accounts.permissions import (
    CHECKIN,
    COORDINATORS,
    ORGANISERS,
    managed_sites,
    require_site,
    roles_required,
)
from eventapp.calendar import recurrence
from eventapp.certificates import badges, services, wording
from eventapp.certificates.forms import RevokeForm, TemplateForm
from eventapp.certificates.models import Certificate
from eventapp.directory.models import Site
from eventapp.documents.pdf import PDF_MEDIA_TYPE
from eventapp.events.models import Event, EventSite, EventStatus
from eventapp.extensions import KNOWN_TOKEN_CHECKS, db, token_miss_limit
from eventapp.models import utcnow
from eventapp.params import valid_id
from eventapp.registrations.models import Registration
from eventapp.registrations.tickets import find_by_token
from eventapp.spreadsheets import export_filename

bp = Blueprint("certificates", __name__)
CONSOLE = "/console/certificates"
MESSAGES = {
    "not_present": lambda: _("Certificates are issued only to people recorded as present."),
    "revoked": lambda: _("This certificate has been revoked."),
    "already_revoked": lambda: _("This certificate had already been revoked."),
    "not_revoked": lambda: _("This certificate is valid: there is nothing to reinstate."),
}


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=PDF_MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id) if valid_id(event_id) else None
    if event is None or not event.is_visible_to(current_user):
        abort(404)
    return event


def _day(event: Event) -> date:
    return recurrence.to_local(event.starts_at, event.tz).date()


# ------------------------------------------------------------------------------ public

@bp.get("/certificates/verify")
def verify_form() -> str | tuple[str, int] | BaseResponse:
    """Type the code printed on a certificate."""
    raw = request.args.get("code")
    if raw is not None:
        code = services.normalise_code(raw)
        if code is not None:
            return redirect(url_for(".verify", code=code))
        return render_template("certificates/verify.html", result=None, error=True, typed=raw[:40]), 422
    return render_template("certificates/verify.html", result=None, error=False, typed="")


@bp.get("/certificates/verify/<code>")
@token_miss_limit
def verify(code: str) -> tuple[str, int] | Response:
    """Name, event and date only: the page is public, so nothing else about the holder shows."""
    certificate = services.find_by_code(code)
    if certificate is None:
        return render_template("certificates/verify.html", result=None, error=True, typed=code[:40]), 404
    response = Response(render_template("certificates/verify.html", result=services.verification(certificate),
                                        code=certificate.display_code, error=False))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/ticket/<token>/certificate.pdf")
@token_miss_limit
def ticket_certificate(token: str) -> Response | BaseResponse:
    """The holder's own certificate, from their ticket link."""
    registration = find_by_token(token)
    if registration is None:
        abort(404)
    try:
        certificate = services.certificate_of(registration)
    except services.CertificateError as error:
        flash(MESSAGES[error.code](), "warning")
        return redirect(url_for("registrations.ticket", token=token))
    data = services.render(registration.event, [certificate])
    db.session.commit()
    return _pdf(data, export_filename(_("certificate"), registration.person.full_name))


KNOWN_TOKEN_CHECKS[f"{bp.name}.ticket_certificate"] = lambda token: find_by_token(token) is not None


@bp.app_template_global()
def ticket_certificate_state(registration: Registration) -> str | None:
    """For the ticket page's card: "ready", "revoked", or None (not present: no card)."""
    if not services.is_present(registration):
        return None
    certificate = services.certificates_by_registration([registration.id]).get(registration.id)
    return "revoked" if certificate is not None and certificate.is_revoked else "ready"


@bp.app_template_global()
def site_present_count(event: Event, site: Site) -> int:
    """For a coordinator's site page: how many of the site's people were present."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.site_id == site.id, services.present_condition())) or 0


# ------------------------------------------------------------------------------ console

def _present_counts(event_ids: list[int], site_ids: list[int] | None = None) -> dict[tuple[int, int | None], int]:
    if not event_ids:
        return {}
    query = (sa.select(Registration.event_id, Registration.site_id, sa.func.count())
             .where(Registration.event_id.in_(event_ids), services.present_condition())
             .group_by(Registration.event_id, Registration.site_id))
    if site_ids is not None:
        query = query.where(Registration.site_id.in_(site_ids))
    return {(event_id, site_id): n for event_id, site_id, n in db.session.execute(query)}


@bp.get(f"{CONSOLE}/")
@roles_required(*COORDINATORS)
def index() -> str:
    """Events that have begun: organisers open one; coordinators download their site's bundle."""
    now = utcnow()
    begun = sa.select(Event).where(Event.status != EventStatus.CANCELLED, Event.visible_to(current_user),
                                   Event.starts_at <= now, Event.starts_at >= now - timedelta(days=730))
    if current_user.is_organiser:
        events = list(db.session.scalars(begun.order_by(Event.starts_at.desc()).limit(100)))
        counts = _present_counts([e.id for e in events])
        totals = {e.id: sum(n for (event_id, _site), n in counts.items() if event_id == e.id) for e in events}
        return render_template("certificates/console/index.html", events=events, totals=totals, rows=[])
    sites = managed_sites(current_user)
    site_ids = [s.id for s in sites]
    pairs = db.session.execute(
        begun.add_columns(EventSite.site_id).join(EventSite, EventSite.event_id == Event.id)
        .where(EventSite.site_id.in_(site_ids)).order_by(Event.starts_at.desc()).limit(200)).all() if sites else []
    counts = _present_counts([event.id for event, _site_id in pairs], site_ids)
    by_id = {s.id: s for s in sites}
    rows = [(event, by_id[site_id], counts.get((event.id, site_id), 0)) for event, site_id in pairs]
    return render_template("certificates/console/index.html", events=[], totals={}, rows=rows)


@bp.route(f"{CONSOLE}/events/<int:event_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def event(event_id: int) -> str | tuple[str, int] | BaseResponse:
    """The event's wording (edited here) and its present people with their certificates."""
    ev = _event(event_id)
    form = TemplateForm(data=services.template_values(ev))
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.save_template(ev, {name: getattr(form, name).data for name in services.TEMPLATE_FIELDS},
                                       current_user)
            except wording.WordingError as error:
                db.session.rollback()
                getattr(form, error.field or "body").errors.append(_wording_message(error))
            else:
                db.session.commit()
                flash(_("The certificate template was saved."), "success")
                return redirect(url_for(".event", event_id=ev.id))
        status = 422
    present = services.present_registrations(ev.id)
    issued = services.certificates_by_registration([r.id for r in present])
    return render_template("certificates/console/event.html", event=ev, form=form, present=present,
                           issued=issued, revoke_form=RevokeForm()), status


def _wording_message(error: wording.WordingError) -> str:
    allowed = ", ".join("{" + name + "}" for name in wording.PLACEHOLDERS)
    if error.placeholder is None:
        return _("A brace is not closed. Placeholders look like {name}; write {{ and }} for a literal brace.")
    return _("Unknown placeholder %(placeholder)s. You can use: %(allowed)s.",
             placeholder=error.placeholder, allowed=allowed)


@bp.get(f"{CONSOLE}/events/<int:event_id>/certificates.pdf")
@roles_required(*ORGANISERS)
def event_pdf(event_id: int) -> Response | BaseResponse:
    """Every present person's certificate in one PDF."""
    ev = _event(event_id)
    return _bundle(ev, services.present_registrations(ev.id), url_for(".event", event_id=ev.id), ev.title)


def _bundle(ev: Event, registrations: list[Registration], back: str, name: str) -> Response | BaseResponse:
    data, count = services.bundle(ev, registrations, actor=current_user)
    if count == 0:
        db.session.rollback()
        flash(_("Nobody here was recorded as present, so there are no certificates yet."), "warning")
        return redirect(back)
    db.session.commit()
    return _pdf(data, export_filename(_("certificates"), name, _day(ev)))


def _registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id) if valid_id(registration_id) else None
    if registration is None or not registration.event.is_visible_to(current_user):
        abort(404)
    return registration


@bp.get(f"{CONSOLE}/registrations/<int:registration_id>.pdf")
@roles_required(*ORGANISERS)
def registration_pdf(registration_id: int) -> Response | BaseResponse:
    registration = _registration(registration_id)
    try:
        certificate = services.certificate_of(registration, actor=current_user)
    except services.CertificateError as error:
        flash(MESSAGES[error.code](), "warning")
        return redirect(url_for(".event", event_id=registration.event_id))
    data = services.render(registration.event, [certificate])
    db.session.commit()
    return _pdf(data, export_filename(_("certificate"), registration.person.full_name))


def _certificate(registration_id: int) -> Certificate:
    registration = _registration(registration_id)
    certificate = services.certificates_by_registration([registration.id]).get(registration.id)
    return certificate or abort(404)


def _change(registration_id: int, change: Callable[[Certificate, RevokeForm], None], done: str) -> BaseResponse:
    """Revoke or reinstate: check the form (CSRF, reason), apply, commit, say what happened."""
    certificate = _certificate(registration_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Please try again."), "danger")
    else:
        try:
            change(certificate, form)
        except services.CertificateError as error:
            flash(MESSAGES[error.code](), "warning")
        else:
            db.session.commit()
            flash(done % {"name": certificate.registration.person.full_name}, "success")
    return redirect(url_for(".event", event_id=certificate.registration.event_id))


@bp.post(f"{CONSOLE}/registrations/<int:registration_id>/revoke")
@roles_required(*ORGANISERS)
def revoke(registration_id: int) -> BaseResponse:
    return _change(registration_id, lambda c, form: services.revoke(c, current_user, form.reason.data or ""),
                   _("The certificate of %(name)s was revoked."))


@bp.post(f"{CONSOLE}/registrations/<int:registration_id>/reinstate")
@roles_required(*ORGANISERS)
def reinstate(registration_id: int) -> BaseResponse:
    return _change(registration_id, lambda c, _form: services.reinstate(c, current_user),
                   _("The certificate of %(name)s is valid again."))


@bp.get(f"{CONSOLE}/sites/<int:site_id>/events/<int:event_id>/certificates.pdf")
@roles_required(*COORDINATORS)
def site_pdf(site_id: int, event_id: int) -> Response | BaseResponse:
    """A coordinator's bundle: the certificates of their own site's present people only."""
    require_site(current_user, site_id)
    site = db.session.get(Site, site_id) or abort(404)
    ev = _event(event_id)
    taking_part = db.session.scalar(sa.select(EventSite.id).where(
        EventSite.event_id == ev.id, EventSite.site_id == site.id))
    if taking_part is None:
        abort(404)
    return _bundle(ev, services.present_registrations(ev.id, site.id), url_for(".index"), f"{site.name} {ev.title}")


@bp.get(f"{CONSOLE}/events/<int:event_id>/badges.pdf")
@roles_required(*CHECKIN)
def badges_pdf(event_id: int) -> Response | BaseResponse:
    """A4 sheets of name badges for the event's in-person participants, for the desk to print."""
    ev = _event(event_id)
    sheet, count = badges.sheet(ev)
    if count == 0:
        db.session.rollback()
        flash(_("Nobody is expected in person yet, so there are no badges to print."), "warning")
        return redirect(url_for("attendance_console.desk", event_id=ev.id))
    db.session.commit()  # tickets issued for the first time while building the codes
    return _pdf(sheet, export_filename(_("badges"), ev.title, _day(ev)))
