"""A person's registrations and accreditations: accredit (per series or everywhere) and revoke."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.directory.models import Person
from eventapp.events.models import EventSeries, SeriesStatus
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, form_status
from eventapp.registrations import network
from eventapp.registrations.console import bp
from eventapp.registrations.forms import AccreditForm
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


def _person_page(someone: Person, form: AccreditForm) -> ResponseReturnValue:
    history = db.session.scalars(sa.select(Registration).options(selectinload(Registration.event),
                                                                 selectinload(Registration.site))
                                 .where(Registration.person_id == someone.id)
                                 .order_by(Registration.created_at.desc())).all()
    return render_template("registrations/console/person.html", person=someone, history=history,
                           accreditations=accreditations(someone), form=form,
                           status_labels=STATUS_LABELS, status_badges=STATUS_BADGES,
                           channel_labels=CHANNEL_LABELS), form_status(form)


@bp.get("/people/<int:person_id>")
@roles_required(*ORGANISERS)
def person(person_id: int) -> ResponseReturnValue:
    return _person_page(db.get_or_404(Person, person_id), accredit_form())


@bp.post("/people/<int:person_id>/accredit")
@roles_required(*ORGANISERS)
def accredit(person_id: int) -> ResponseReturnValue:
    person = db.get_or_404(Person, person_id)
    form = accredit_form()
    if form.validate_on_submit():
        series = db.session.get(EventSeries, form.series_id.data) if form.series_id.data else None
        network.accredit(person, series=series, valid_until=form.valid_until.data, actor=current_user,
                         note=form.note.data)
        db.session.commit()
        flash(_("%(name)s is accredited.", name=person.full_name), "success")
        return redirect(url_for(".person", person_id=person.id))
    return _person_page(person, form)  # 422, with the field at fault marked and the rest kept


@bp.post("/accreditations/<int:accreditation_id>/revoke")
@roles_required(*ORGANISERS)
def revoke_accreditation(accreditation_id: int) -> ResponseReturnValue:
    accreditation = db.get_or_404(Accreditation, accreditation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    network.revoke(accreditation, actor=current_user)
    db.session.commit()
    flash(_("Accreditation revoked."), "success")
    return redirect(url_for(".person", person_id=accreditation.person_id))
