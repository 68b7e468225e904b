"""A person's registrations and accreditations: accredit (per series or everywhere) and revoke."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.directory.models import Person
from eventapp.events.models import EventSeries, SeriesStatus
from eventapp.extensions import db
from eventapp.registrations import network
from eventapp.registrations.console import bp
from eventapp.registrations.forms import AccreditForm, ConfirmForm
from eventapp.registrations.labels import CHANNEL_LABELS, STATUS_BADGES, STATUS_LABELS
from eventapp.registrations.models import Accreditation, Registration


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
    return render_template("registrations/console/person.html", person=someone, history=history,
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
