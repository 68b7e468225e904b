"""Organiser screens on the registrations blueprint: announcements, accreditation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.directory.models import Person
from eventapp.events.models import Event, EventSeries, SeriesStatus
from eventapp.extensions import db
from eventapp.registrations import emails, network
from eventapp.registrations.console import bp
from eventapp.registrations.forms import AccreditForm, AnnounceForm, ConfirmForm
from eventapp.registrations.labels import CHANNEL_LABELS, STATUS_BADGES, STATUS_LABELS
from eventapp.registrations.models import Accreditation, Registration


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


@bp.route("/events/<int:event_id>/announce", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def announce(event_id: int):
    event = _event(event_id)
    form = AnnounceForm()
    if form.validate_on_submit():
        if not event.is_published:
            flash(_("Publish the event before announcing it."), "warning")
        elif form.confirmed.data != "yes":
            # First the count and what the e-mails will say; nothing is queued until confirmed.
            chosen = network.announcement_recipients(
                event, coordinators=form.coordinators.data, units=form.units.data,
                journalists=form.journalists.data)
            samples = _samples(event, chosen, form.note.data or None)
            form.confirmed.data = "yes"
            return render_template("console/registrations/announce_confirm.html", event=event, form=form,
                                   count=len(chosen), samples=samples)
        else:
            count = network.announce(event, actor=current_user, coordinators=form.coordinators.data,
                                     units=form.units.data, journalists=form.journalists.data,
                                     note=form.note.data or None)
            db.session.commit()
            flash(_("The announcement was queued for %(count)s recipients.", count=count), "success")
            return redirect(url_for(".event_registrations", event_id=event.id))
    recipients = network.announcement_recipients(event, coordinators=True, units=True, journalists=True)
    return render_template("console/registrations/announce.html", event=event, form=form,
                           recipient_count=len(recipients))


def _samples(event: Event, chosen: list, note: str | None) -> list[tuple[str, str, str]]:
    """(who, subject, text) of one e-mail of each kind the announcement sends: to a coordinator
    (with their site and quota) and to everyone else."""
    samples = []
    coordinator = next((r for r in chosen if r.places), None)
    other = next((r for r in chosen if not r.places), None)
    if coordinator is not None:
        subject, text, _html = emails.render_announcement(event, coordinator, note)
        samples.append((_("To a site coordinator"), subject, text))
    if other is not None:
        subject, text, _html = emails.render_announcement(event, other, note)
        samples.append((_("To units and journalists"), subject, text))
    return samples


def _series() -> list[EventSeries]:
    return list(db.session.scalars(sa.select(EventSeries).where(EventSeries.status == SeriesStatus.ACTIVE)
                                   .order_by(EventSeries.title)))


def accredit_form() -> AccreditForm:
    return AccreditForm(series=_series())


def accreditations(person: Person) -> list[Accreditation]:
    return list(db.session.scalars(sa.select(Accreditation).options(selectinload(Accreditation.series))
                                   .where(Accreditation.person_id == person.id)
                                   .order_by(Accreditation.created_at.desc())))


@bp.get("/people/<int:person_id>")
@roles_required(*ORGANISERS)
def person(person_id: int):
    someone = db.session.get(Person, person_id) or abort(404)
    history = db.session.scalars(sa.select(Registration).options(selectinload(Registration.event),
                                                                 selectinload(Registration.site))
                                 .where(Registration.person_id == someone.id)
                                 .order_by(Registration.created_at.desc())).all()
    return render_template("console/registrations/person.html", person=someone, history=history,
                           accreditations=accreditations(someone), form=accredit_form(),
                           status_labels=STATUS_LABELS, status_badges=STATUS_BADGES,
                           channel_labels=CHANNEL_LABELS)


@bp.post("/people/<int:person_id>/accredit")
@roles_required(*ORGANISERS)
def accredit(person_id: int):
    person = db.session.get(Person, person_id) or abort(404)
    form = accredit_form()
    if form.validate_on_submit():
        series = db.session.get(EventSeries, form.series_id.data) if form.series_id.data else None
        network.accredit(person, series=series, valid_until=form.valid_until.data, actor=current_user,
                         note=form.note.data)
        db.session.commit()
        flash(_("%(name)s is accredited.", name=person.full_name), "success")
    else:
        flash(_("Please check the accreditation form."), "danger")
    return redirect(url_for(".person", person_id=person.id))


@bp.post("/accreditations/<int:accreditation_id>/revoke")
@roles_required(*ORGANISERS)
def revoke_accreditation(accreditation_id: int):
    accreditation = db.session.get(Accreditation, accreditation_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    network.revoke(accreditation, actor=current_user)
    db.session.commit()
    flash(_("Accreditation revoked."), "success")
    return redirect(url_for(".person", person_id=accreditation.person_id))
