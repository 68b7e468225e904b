"""Organisers' materials screens: upload and remove files and links per event, see download counts;
coordinators download what their site may see."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.permissions import COORDINATORS, ORGANISERS, roles_required
from eventapp.documents.filetypes import FileTypeError
from eventapp.events.models import Event, EventStatus
from eventapp.extensions import csrf, db
from eventapp.forms import ConfirmForm
from eventapp.materials import bp, services, storage
from eventapp.materials.forms import LinkForm, MaterialForm
from eventapp.materials.labels import error_message
from eventapp.materials.models import Audience, EventLink, LinkKind, Material
from eventapp.materials.views import send_material
from eventapp.models import utcnow

# Room for the form's other fields around the file, so an oversized file within this margin still
# reaches the form (which then says how large a file may be, keeping what was typed).
FORM_MARGIN = 1024 * 1024


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


def _talk_choices(form: MaterialForm, event: Event) -> None:
    form.agenda_item_id.choices = [("", _("The whole event"))] + [
        (item.id, item.title) for item in event.agenda_items]


@bp.get("/console/materials/")
@roles_required(*ORGANISERS)
def index() -> ResponseReturnValue:
    """Recent and coming events with their number of files and downloads."""
    now = utcnow()
    counts = (sa.select(Material.event_id, sa.func.count().label("files"),
                        sa.func.coalesce(sa.func.sum(Material.download_count), 0).label("downloads"))
              .group_by(Material.event_id).subquery())
    rows = db.session.execute(
        sa.select(Event, counts.c.files, counts.c.downloads).outerjoin(counts, counts.c.event_id == Event.id)
        .where(Event.status != EventStatus.CANCELLED, Event.starts_at >= now - timedelta(days=120),
               Event.starts_at <= now + timedelta(days=90))
        .order_by(Event.starts_at.desc()).limit(80)).all()
    return render_template("materials/console/index.html", rows=rows)


def render_event(event: Event, form: MaterialForm | None = None, link_form: LinkForm | None = None,
                 status: int = 200) -> tuple[str, int]:
    form = form or MaterialForm(formdata=None)
    _talk_choices(form, event)
    everything = services.shelf(event, list(Audience))
    return render_template(
        "materials/console/event.html", event=event, form=form, link_form=link_form or LinkForm(formdata=None),
        shelf=everything, confirm=ConfirmForm(), max_megabytes=services.max_bytes() / (1024 * 1024),
    ), status


@bp.get("/console/materials/events/<int:event_id>")
@roles_required(*ORGANISERS)
def event_materials(event_id: int) -> ResponseReturnValue:
    return render_event(_event(event_id))


@bp.post("/console/materials/events/<int:event_id>/files")
@csrf.exempt  # checked below, once the larger limit is set: the app-wide check would read the body first
@roles_required(*ORGANISERS)
def upload(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    # This form alone may carry a larger body than the app-wide limit (MAX_CONTENT_LENGTH).
    request.max_content_length = services.max_bytes() + FORM_MARGIN
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # the app-wide check, now that the body may be read (a CSRFError is a 400)
    form = MaterialForm()
    _talk_choices(form, event)
    if form.validate_on_submit():
        upload_file = form.file.data
        data = upload_file.read(services.max_bytes() + 1)
        try:
            material = services.add_material(
                event, data=data, filename=upload_file.filename or "", title=form.title.data or "",
                audience=Audience(form.audience.data), agenda_item_id=form.agenda_item_id.data,
                actor=current_user)
        except (services.MaterialError, FileTypeError) as error:
            db.session.rollback()
            target = form.agenda_item_id if error.code == "not_this_event" else form.file
            target.errors = [error_message(error.code, services.max_bytes() / (1024 * 1024))]
        else:
            db.session.commit()
            flash(_("“%(title)s” was added.", title=material.title), "success")
            return redirect(url_for(".event_materials", event_id=event.id))
    return render_event(event, form=form, status=422)


@bp.post("/console/materials/events/<int:event_id>/links")
@roles_required(*ORGANISERS)
def add_link(event_id: int) -> ResponseReturnValue:
    event = _event(event_id)
    link_form = LinkForm()
    if link_form.validate_on_submit():
        try:
            services.add_link(event, kind=LinkKind(link_form.kind.data), title=link_form.title.data or "",
                              url=link_form.url.data or "", audience=Audience(link_form.audience.data),
                              actor=current_user)
        except services.MaterialError as error:
            db.session.rollback()
            link_form.url.errors = [error_message(error.code)]
        else:
            db.session.commit()
            flash(_("The link was added."), "success")
            return redirect(url_for(".event_materials", event_id=event.id))
    return render_event(event, link_form=link_form, status=422)


@bp.post("/console/materials/files/<int:material_id>/delete")
@roles_required(*ORGANISERS)
def delete_material(material_id: int) -> ResponseReturnValue:
    material = db.session.get(Material, material_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    event_id = material.event_id
    key = services.remove_material(material, current_user)
    db.session.commit()
    storage.delete(key)  # after the commit: a rolled-back removal keeps its file
    flash(_("The file was removed."), "success")
    return redirect(url_for(".event_materials", event_id=event_id))


@bp.post("/console/materials/links/<int:link_id>/delete")
@roles_required(*ORGANISERS)
def delete_link(link_id: int) -> ResponseReturnValue:
    link = db.session.get(EventLink, link_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    event_id = link.event_id
    services.remove_link(link, current_user)
    db.session.commit()
    flash(_("The link was removed."), "success")
    return redirect(url_for(".event_materials", event_id=event_id))


@bp.get("/console/materials/files/<int:material_id>")
@roles_required(*COORDINATORS)
def console_download(material_id: int) -> ResponseReturnValue:
    """Organisers download any file; a coordinator those of events their site takes part in
    (a 404 for anything else, so other events' files are not revealed)."""
    material = db.session.get(Material, material_id) or abort(404)
    if material.audience not in services.staff_audiences(material.event, current_user):
        abort(404)
    return send_material(material, private=True)
