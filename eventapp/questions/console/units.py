"""Unit respondents answer their unit's questions (and see nothing else); documents; coordinators
ask on behalf of their site."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.models import Role
from eventapp.accounts.permissions import require_site, roles_required
from eventapp.directory.models import Site
from eventapp.events.models import Event, EventSite
from eventapp.extensions import db
from eventapp.forms import required
from eventapp.models import utcnow
from eventapp.questions import answering, documents, services
from eventapp.questions.console import DOCUMENT_READERS, SITE_ROLES, UNIT_RESPONDENTS, bp
from eventapp.questions.forms import AnswerForm, AskForm
from eventapp.questions.labels import ANSWER_LABELS, STATUS_BADGES, STATUS_LABELS, error_message
from eventapp.questions.models import (
    AskedVia,
    Question,
    QuestionAnswer,
    QuestionAsker,
    QuestionAssignment,
)


def _own_assignment(assignment_id: int) -> QuestionAssignment:
    """Another unit's assignment is a 404: its existence is not revealed."""
    assignment = db.session.get(QuestionAssignment, assignment_id)
    if assignment is None or assignment.unit_id != current_user.unit_id \
            or assignment.question.status not in answering.VISIBLE_TO_UNITS:
        abort(404)
    return assignment


@bp.get("/unit/")
@roles_required(*UNIT_RESPONDENTS)
def unit_index() -> ResponseReturnValue:
    assignments = answering.unit_assignments(current_user.unit_id)
    return render_template("questions/console/unit_index.html", assignments=assignments, unit=current_user.unit,
                           today=services.local_today(), answer_labels=ANSWER_LABELS)


def _assignment_page(assignment: QuestionAssignment, form: AnswerForm, status: int = 200) -> ResponseReturnValue:
    return render_template("questions/console/assignment.html", assignment=assignment,
                           question=assignment.question, answer=assignment.answer, form=form,
                           today=services.local_today(), answer_labels=ANSWER_LABELS), status


@bp.route("/unit/assignments/<int:assignment_id>", methods=["GET", "POST"])
@roles_required(*UNIT_RESPONDENTS)
def assignment(assignment_id: int) -> ResponseReturnValue:
    assignment = _own_assignment(assignment_id)
    answer = assignment.answer
    form = AnswerForm(data={"text": answer.text if answer else ""})
    if request.method == "GET":
        return _assignment_page(assignment, form)
    if not form.validate_on_submit():
        return _assignment_page(assignment, form, 422)
    upload = None
    if form.document.data and form.document.data.filename:
        upload = documents.Upload(form.document.data.filename, form.document.data.read(documents.max_bytes() + 1))
    submit = request.form.get("action") == "submit"
    try:
        answering.save(assignment, text=form.text.data or "", upload=upload, submit=submit, actor=current_user)
    except services.QuestionError as error:
        db.session.rollback()
        field = getattr(form, error.field or "text")
        field.errors = [*field.errors, error_message(error.code)]
        return _assignment_page(db.get_or_404(QuestionAssignment, assignment_id), form, 422)
    db.session.commit()
    flash(_("Your answer was sent for approval.") if submit else _("Draft saved."), "success")
    return redirect(url_for(".unit_index") if submit else url_for(".assignment", assignment_id=assignment.id))


@bp.get("/answers/<int:answer_id>/document")
@roles_required(*DOCUMENT_READERS)
def document(answer_id: int) -> ResponseReturnValue:
    answer = db.get_or_404(QuestionAnswer, answer_id)
    if current_user.role == Role.UNIT_RESPONDENT and answer.assignment.unit_id != current_user.unit_id:
        abort(404)
    return documents.attachment(answer.document_key, answer.document_name, answer.document_type)


@bp.route("/site/<int:site_id>/events/<int:event_id>/ask", methods=["GET", "POST"])
@roles_required(*SITE_ROLES)
def site_ask(site_id: int, event_id: int) -> ResponseReturnValue:
    require_site(current_user, site_id)
    site = db.get_or_404(Site, site_id)
    event = db.get_or_404(Event, event_id)
    takes_part = db.session.scalar(sa.select(sa.exists().where(
        EventSite.event_id == event.id, EventSite.site_id == site.id)))
    if not takes_part or not event.is_visible_to(current_user):
        abort(404)
    form = AskForm(agenda=event.agenda_items)
    state = services.asking_state(event, utcnow())
    if request.method == "POST":
        if not form.validate_on_submit():
            return _site_page(site, event, form, state, 422)
        try:
            services.ask_for_site(event, site, text=required(form.text.data), topic=form.topic.data,
                                  agenda_item_id=form.agenda_item_id.data, actor=current_user)
        except services.QuestionError as error:
            db.session.rollback()
            field = getattr(form, error.field or "text")
            field.errors = [*field.errors, error_message(error.code)]
            return _site_page(site, event, form, state, 422)
        db.session.commit()
        flash(_("Your site's question was sent."), "success")
        return redirect(url_for(".site_ask", site_id=site.id, event_id=event.id))
    return _site_page(site, event, form, state)


def _site_page(site: Site, event: Event, form: AskForm, state: str, status: int = 200) -> ResponseReturnValue:
    asked = list(db.session.scalars(sa.select(Question).join(QuestionAsker).where(
        Question.event_id == event.id, QuestionAsker.site_id == site.id,
        QuestionAsker.asked_via.in_([AskedVia.COORDINATOR, AskedVia.LIVE]),
        QuestionAsker.person_id.is_(None)).order_by(Question.id.desc())))
    return render_template("questions/console/site_ask.html", site=site, event=event, form=form, state=state,
                           asked=list(dict.fromkeys(asked)), status_labels=STATUS_LABELS,
                           status_badges=STATUS_BADGES), status



