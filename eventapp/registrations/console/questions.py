"""Questions sent in advance: the organiser's list, answering unit, export."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventapp import spreadsheets
from eventapp.accounts.permissions import ORGANISERS, roles_required
from eventapp.directory.models import Organisation, OrganisationKind, Person
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.forms import form_status
from eventapp.registrations import network
from eventapp.registrations.console import bp
from eventapp.registrations.console.registrants import export_name, local
from eventapp.registrations.forms import QuestionForm
from eventapp.registrations.models import Registration


def _units() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.MINISTRY_UNIT).order_by(Organisation.name)))


def _questions(event_id: int) -> list[Registration]:
    return list(db.session.scalars(
        sa.select(Registration).options(selectinload(Registration.person).selectinload(Person.organisation),
                                        selectinload(Registration.question_unit))
        .where(Registration.event_id == event_id, Registration.questions.is_not(None),
               Registration.questions != "")
        .order_by(Registration.created_at)))


@bp.get("/events/<int:event_id>/questions")
@roles_required(*ORGANISERS)
def questions(event_id: int) -> ResponseReturnValue:
    return _questions_page(db.get_or_404(Event, event_id))


def _questions_page(event: Event, sent: QuestionForm | None = None,
                    sent_id: int | None = None) -> ResponseReturnValue:
    """Every question with its form; one just sent back with an error keeps what was chosen (422)."""
    units = _units()
    rows = [(r, sent if r.id == sent_id and sent is not None else QuestionForm(
        prefix=f"q{r.id}", units=units,
        data={"unit_id": r.question_unit_id, "answered": r.question_answered_at is not None}))
        for r in _questions(event.id)]
    status = form_status(sent) if sent is not None else 200
    return render_template("registrations/console/questions.html", event=event, rows=rows), status


@bp.post("/questions/<int:registration_id>")
@roles_required(*ORGANISERS)
def update_question(registration_id: int) -> ResponseReturnValue:
    registration = db.get_or_404(Registration, registration_id)
    form = QuestionForm(prefix=f"q{registration.id}", units=_units())
    if form.validate_on_submit():
        network.update_question(registration, unit_id=form.unit_id.data, answered=form.answered.data,
                                actor=current_user)
        db.session.commit()
        flash(_("Question updated."), "success")
        return redirect(url_for(".questions", event_id=registration.event_id) + f"#q{registration.id}")
    return _questions_page(registration.event, form, registration.id)


@bp.get("/events/<int:event_id>/questions/export.<any(csv, xlsx):fmt>")
@roles_required(*ORGANISERS)
def export_questions(event_id: int, fmt: str) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    rows = [[r.person.full_name, r.person.organisation.name if r.person.organisation else "",
             r.questions, r.question_unit.name if r.question_unit else "",
             local(r.question_answered_at, event.tz)]
            for r in _questions(event.id)]
    headers = [_("Full name"), _("Outlet"), _("Questions"), _("Answering unit"), _("Answered at")]
    return spreadsheets.download(fmt, export_name(_("Questions"), event), headers, rows, title=_("Questions"))
