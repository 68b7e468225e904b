"""Console screens for a hybrid event's participating sites and its agenda."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.calendar import recurrence
from eventapp.directory.labels import KIND_LABELS as ORG_KIND_LABELS
from eventapp.directory.labels import REGION_LABELS
from eventapp.directory.models import Organisation, OrganisationKind, Site
from eventapp.events import agenda, services, signals, sites
from eventapp.events.console import bp
from eventapp.events.console.series import flash_conflicts
from eventapp.events.forms import AddSitesForm, AgendaItemForm, SitesTableForm
from eventapp.events.models import AgendaItem, Event, EventSite
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, form_status, required, show_error


def _site_choices(form: AddSitesForm, event: Event) -> Sequence[Site]:
    all_sites = db.session.scalars(sa.select(Site).where(Site.is_active).order_by(
        Site.is_ministry_location.desc(), Site.code)).all()
    taken = {p.site_id for p in event.sites}
    form.region.choices = [("", "—")] + [(r.value, str(label)) for r, label in REGION_LABELS.items()]
    form.organisation_kind.choices = [("", "—")] + [
        (k.value, str(label)) for k, label in ORG_KIND_LABELS.items()
        if k in (OrganisationKind.MINISTRY_UNIT, OrganisationKind.PROVINCIAL_DEPARTMENT)]
    form.site_ids.choices = [(s.id, s.name) for s in all_sites if s.id not in taken]
    return all_sites


def _participations(event: Event) -> list[EventSite]:
    return list(db.session.scalars(sa.select(EventSite).options(selectinload(EventSite.site))
                                   .where(EventSite.event_id == event.id).join(Site)
                                   .order_by(Site.is_ministry_location.desc(), Site.code)))


def _table_form(event: Event, rows: list[EventSite]) -> SitesTableForm:
    form = SitesTableForm(formdata=None)
    for row in rows:
        form.sites.append_entry({"site_id": row.site_id, "quota": row.quota, "room": row.room,
                                 "join_url": row.join_url, "passcode": row.passcode})
    return form


def render_sites(event: Event, add_form: AddSitesForm | None = None, table_form: SitesTableForm | None = None):
    rows = _participations(event)
    add_form = add_form or AddSitesForm(formdata=None)
    _site_choices(add_form, event)
    table_form = table_form or _table_form(event, rows)
    used = signals.merged(signals.site_registration_counts, event)
    return render_template("events/console/sites.html", event=event, add_form=add_form, table_form=table_form,
                           rows=dict(zip([r.site_id for r in rows], rows, strict=True)), used=used,
                           total_quota=sum(r.quota for r in rows))


@bp.get("/<int:event_id>/sites")
@roles_required(*ORGANISERS)
def event_sites(event_id: int) -> ResponseReturnValue:
    return render_sites(db.get_or_404(Event, event_id))


@bp.post("/<int:event_id>/sites/add")
@roles_required(*ORGANISERS)
def add_sites(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    form = AddSitesForm()
    _site_choices(form, event)
    if form.validate_on_submit():
        try:
            chosen = sites.select_sites(scope=form.scope.data, region=form.region.data,
                                        organisation_kind=form.organisation_kind.data, site_ids=form.site_ids.data)
            added = sites.add_sites(event, [s.id for s in chosen], quota=form.default_quota.data or 0, actor=current_user)
        except services.EventError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("%(count)s sites added.", count=len(added)), "success")
            flash_conflicts([event])
            return redirect(url_for(".event_sites", event_id=event.id))
    return render_sites(event, add_form=form), 422


@bp.post("/<int:event_id>/sites")
@roles_required(*ORGANISERS)
def update_sites(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    form = SitesTableForm()
    if form.validate_on_submit():
        try:
            changes = [sites.SiteChange(site_id=int(row.site_id.data), quota=row.quota.data, room=row.room.data,
                                        join_url=row.join_url.data, passcode=row.passcode.data,
                                        remove=row.remove.data) for row in form.sites]
        except (TypeError, ValueError):
            abort(400)
        try:
            result = sites.update_sites(event, changes, actor=current_user)
        except services.EventError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Sites saved (%(count)s changed).", count=result["changed"]), "success")
            for name, approved, quota in result["overbooked"]:
                flash(_("%(site)s: %(approved)s people are already approved, more than the new quota of "
                        "%(quota)s; nobody was removed.", site=name, approved=approved, quota=quota), "warning")
            return redirect(url_for(".event_sites", event_id=event.id))
    return render_sites(event, table_form=form), 422


def _organisation_choices(form: AgendaItemForm) -> None:
    orgs = db.session.scalars(sa.select(Organisation).where(
        Organisation.kind.in_([OrganisationKind.MINISTRY_UNIT, OrganisationKind.PROVINCIAL_DEPARTMENT,
                               OrganisationKind.OTHER])).order_by(Organisation.kind, Organisation.name)).all()
    form.speaker_organisation_id.choices = [(None, "—")] + [(o.id, o.name) for o in orgs]


def agenda_spec(form: AgendaItemForm) -> agenda.AgendaSpec:
    return agenda.AgendaSpec(
        starts_local=required(form.starts_at.data), ends_local=required(form.ends_at.data),
        title=form.title.data or "",
        speaker=form.speaker.data or None, speaker_organisation_id=form.speaker_organisation_id.data,
        speaker_organisation_name=form.speaker_organisation_name.data or None,
        description=form.description.data or "", is_parallel=form.is_parallel.data)


def _get_item(event: Event, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return item


@bp.route("/<int:event_id>/agenda", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def event_agenda(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    form = AgendaItemForm()
    _organisation_choices(form)
    if request.method == "GET":
        last_end = max((i.ends_at for i in event.agenda_items), default=event.starts_at)
        form.starts_at.data = recurrence.to_local(last_end, event.tz)
        form.ends_at.data = recurrence.to_local(min(last_end + (event.ends_at - event.starts_at) / 8, event.ends_at), event.tz)
    if form.validate_on_submit():
        try:
            agenda.add_item(event, agenda_spec(form), actor=current_user)
        except services.EventError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Agenda item added."), "success")
            return redirect(url_for(".event_agenda", event_id=event.id))
    status = form_status(form)
    return render_template("events/console/agenda.html", event=event, form=form, item=None,
                           confirm_form=ConfirmForm()), status


@bp.route("/<int:event_id>/agenda/<int:item_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit_agenda_item(event_id: int, item_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    item = _get_item(event, item_id)
    form = AgendaItemForm(obj=item if request.method == "GET" else None)
    _organisation_choices(form)
    if request.method == "GET":
        form.starts_at.data = recurrence.to_local(item.starts_at, event.tz)
        form.ends_at.data = recurrence.to_local(item.ends_at, event.tz)
    if form.validate_on_submit():
        try:
            agenda.update_item(item, agenda_spec(form), actor=current_user)
        except services.EventError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for(".event_agenda", event_id=event.id))
    status = form_status(form)
    return render_template("events/console/agenda.html", event=event, form=form, item=item,
                           confirm_form=ConfirmForm()), status


@bp.post("/<int:event_id>/agenda/<int:item_id>/delete")
@roles_required(*ORGANISERS)
def delete_agenda_item(event_id: int, item_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    item = _get_item(event, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    agenda.delete_item(item, actor=current_user)
    db.session.commit()
    flash(_("Agenda item deleted."), "success")
    return redirect(url_for(".event_agenda", event_id=event.id))


@bp.post("/<int:event_id>/agenda/<int:item_id>/move")
@roles_required(*ORGANISERS)
def move_agenda_item(event_id: int, item_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    item = _get_item(event, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    agenda.move_item(item, -1 if request.form.get("direction") == "up" else 1, actor=current_user)
    db.session.commit()
    return redirect(url_for(".event_agenda", event_id=event.id))


@bp.post("/<int:event_id>/agenda/sort")
@roles_required(*ORGANISERS)
def sort_agenda(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    agenda.sort_by_time(event, actor=current_user)
    db.session.commit()
    return redirect(url_for(".event_agenda", event_id=event.id))
