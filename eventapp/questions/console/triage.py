"""The organiser's queue per event: edit, assign, decline, merge, approve or return answers, publish."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventapp.accounts.permissions import roles_required
from eventapp.audit import AuditEntry
from eventapp.events.models import Event, EventStatus
from eventapp.extensions import db
from eventapp.forms import ConfirmForm, required
from eventapp.models import utcnow
from eventapp.questions import answering, delivery, services
from eventapp.questions.console import ORGANISERS, bp, ministry_units
from eventapp.questions.forms import (
    AssignForm,
    DeadlineForm,
    DeclineForm,
    EditForm,
    MergeForm,
    ReturnForm,
)
from eventapp.questions.labels import (
    ANSWER_LABELS,
    AUDIT_LABELS,
    HANDLING_LABELS,
    LIVE_LABELS,
    STATUS_BADGES,
    STATUS_LABELS,
    VIA_LABELS,
    error_message,
)
from eventapp.questions.models import (
    Question,
    QuestionAnswer,
    QuestionAsker,
    QuestionAssignment,
    QuestionStatus,
)

LABELS = {"status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES, "handling_labels": HANDLING_LABELS,
          "answer_labels": ANSWER_LABELS, "via_labels": VIA_LABELS, "live_labels": LIVE_LABELS,
          "audit_labels": AUDIT_LABELS}


def event_questions(event_id: int, status: str | None = None) -> list[Question]:
    query = (sa.select(Question)
             .options(selectinload(Question.askers).selectinload(QuestionAsker.person),
                      selectinload(Question.askers).selectinload(QuestionAsker.outlet),
                      selectinload(Question.askers).selectinload(QuestionAsker.site),
                      selectinload(Question.assignments).selectinload(QuestionAssignment.unit),
                      selectinload(Question.assignments).selectinload(QuestionAssignment.answer),
                      selectinload(Question.agenda_item))
             .where(Question.event_id == event_id).order_by(Question.created_at, Question.id))
    if status in {s.value for s in QuestionStatus}:
        query = query.where(Question.status == QuestionStatus(status))
    return list(db.session.scalars(query))


@bp.get("/")
@roles_required(*ORGANISERS)
def index() -> ResponseReturnValue:
    counts = dict(db.session.execute(sa.select(Question.event_id, sa.func.count()).where(
        Question.status != QuestionStatus.MERGED).group_by(Question.event_id)).all())
    waiting = dict(db.session.execute(sa.select(Question.event_id, sa.func.count()).where(
        Question.status == QuestionStatus.NEW).group_by(Question.event_id)).all())
    now = utcnow()
    events = list(db.session.scalars(sa.select(Event).where(
        Event.status != EventStatus.DRAFT,
        sa.or_(Event.ends_at > now, Event.id.in_(list(counts)) if counts else sa.false()))
        .order_by(Event.starts_at.desc()).limit(200)))
    return render_template("questions/console/index.html", events=events, counts=counts, waiting=waiting)


def _local_input(value: datetime | None, tz: str) -> datetime | None:
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if value else None


def _queue_page(event: Event, deadline: DeadlineForm, code: int = 200) -> ResponseReturnValue:
    status = request.args.get("status")
    return render_template("questions/console/queue.html", event=event, status=status,
                           questions=event_questions(event.id, status), deadline_form=deadline,
                           closes_at=services.asking_closes_at(event), today=services.local_today(),
                           statuses=list(QuestionStatus), confirm=ConfirmForm(),
                           event_over=event.ends_at <= utcnow(), **LABELS), code


@bp.get("/events/<int:event_id>")
@roles_required(*ORGANISERS)
def queue(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    chosen = services.settings(event)
    return _queue_page(event, DeadlineForm(data={
        "closes_at": _local_input(chosen.asking_closes_at if chosen else None, event.tz)}))


@bp.post("/events/<int:event_id>/deadline")
@roles_required(*ORGANISERS)
def set_deadline(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    form = DeadlineForm()
    if not form.validate_on_submit():
        return _queue_page(event, form, 422)
    closes = form.closes_at.data.replace(tzinfo=ZoneInfo(event.tz)) if form.closes_at.data else None
    services.set_deadline(event, closes, actor=current_user)
    db.session.commit()
    flash(_("The deadline for questions is saved."), "success")
    return redirect(url_for(".queue", event_id=event.id))


@bp.post("/events/<int:event_id>/send-answers")
@roles_required(*ORGANISERS)
def send_answers(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".queue", event_id=event.id)), 303
    sent = sum(delivery.send_answers(q, utcnow()) for q in event_questions(event.id, QuestionStatus.ANSWERED.value))
    db.session.commit()
    flash(_("%(count)s e-mails with answers were queued.", count=sent), "success")
    return redirect(url_for(".queue", event_id=event.id))


def _forms(question: Question) -> dict:
    event = question.event
    others = [q for q in event_questions(event.id) if q.id != question.id and q.status not in
              (QuestionStatus.MERGED, QuestionStatus.DECLINED)]
    return {
        "edit_form": EditForm(prefix="edit", agenda=event.agenda_items, data={
            "text": question.text, "topic": question.topic, "agenda_item_id": question.agenda_item_id}),
        "assign_form": AssignForm(prefix="assign", units=ministry_units(), data={
            "unit_ids": [a.unit_id for a in question.assignments],
            "handling": (question.handling.value if question.handling else "written"),
            "due_on": question.assignments[0].due_on if question.assignments else None}),
        "decline_form": DeclineForm(prefix="decline"),
        "merge_form": MergeForm(prefix="merge", others=others),
        "return_form": ReturnForm(prefix="return"),
    }


def _history(question: Question) -> list[AuditEntry]:
    answer_ids = [a.answer.id for a in question.assignments if a.answer is not None]
    return list(db.session.scalars(sa.select(AuditEntry).where(sa.or_(
        sa.and_(AuditEntry.object_type == "Question", AuditEntry.object_id == question.id),
        sa.and_(AuditEntry.object_type == "QuestionAnswer", AuditEntry.object_id.in_(answer_ids or [-1]))))
        .order_by(AuditEntry.at, AuditEntry.id)))


def _page(question: Question, status: int = 200, **forms: object) -> ResponseReturnValue:
    context = {**_forms(question), **forms}
    return render_template("questions/console/question.html", question=question, event=question.event,
                           history=_history(question), today=services.local_today(), confirm=ConfirmForm(),
                           **context, **LABELS), status


@bp.get("/<int:question_id>")
@roles_required(*ORGANISERS)
def question(question_id: int) -> ResponseReturnValue:
    return _page(db.get_or_404(Question, question_id))


def _done(question: Question, message: str) -> ResponseReturnValue:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".question", question_id=question.id))


def _refused(question: Question, form: object, error: services.QuestionError, name: str) -> ResponseReturnValue:
    db.session.rollback()
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error_message(error.code)]
    else:
        form.form_errors.append(error_message(error.code))  # type: ignore[attr-defined]
    return _page(db.get_or_404(Question, question.id), 422, **{name: form})


@bp.post("/<int:question_id>/edit")
@roles_required(*ORGANISERS)
def edit(question_id: int) -> ResponseReturnValue:
    question = db.get_or_404(Question, question_id)
    form = EditForm(prefix="edit", agenda=question.event.agenda_items)
    if not form.validate_on_submit():
        return _page(question, 422, edit_form=form)
    try:
        services.edit(question, text=required(form.text.data), topic=form.topic.data, agenda_item_id=form.agenda_item_id.data,
                      actor=current_user)
    except services.QuestionError as error:
        return _refused(question, form, error, "edit_form")
    return _done(question, _("The question is saved; the asker's own words are kept."))


@bp.post("/<int:question_id>/assign")
@roles_required(*ORGANISERS)
def assign(question_id: int) -> ResponseReturnValue:
    question = db.get_or_404(Question, question_id)
    form = AssignForm(prefix="assign", units=ministry_units())
    if not form.validate_on_submit():
        return _page(question, 422, assign_form=form)
    try:
        services.assign(question, unit_ids=form.unit_ids.data or [], handling=services.Handling(form.handling.data),
                        due_on=form.due_on.data, actor=current_user)
    except services.QuestionError as error:
        return _refused(question, form, error, "assign_form")
    return _done(question, _("The question is assigned."))


@bp.post("/<int:question_id>/decline")
@roles_required(*ORGANISERS)
def decline(question_id: int) -> ResponseReturnValue:
    question = db.get_or_404(Question, question_id)
    form = DeclineForm(prefix="decline")
    if not form.validate_on_submit():
        return _page(question, 422, decline_form=form)
    try:
        services.decline(question, reason=required(form.reason.data), actor=current_user)
    except services.QuestionError as error:
        return _refused(question, form, error, "decline_form")
    return _done(question, _("The question is declined."))


@bp.post("/<int:question_id>/merge")
@roles_required(*ORGANISERS)
def merge(question_id: int) -> ResponseReturnValue:
    question = db.get_or_404(Question, question_id)
    others = [q for q in event_questions(question.event_id) if q.id != question.id]
    form = MergeForm(prefix="merge", others=others)
    if not form.validate_on_submit():
        return _page(question, 422, merge_form=form)
    into = db.session.get(Question, form.into_id.data)
    try:
        if into is None:
            raise services.QuestionError("merge_target", "into_id")
        services.merge(question, into, actor=current_user)
    except services.QuestionError as error:
        return _refused(question, form, error, "merge_form")
    db.session.commit()
    flash(_("Merged: every asker now follows this question."), "success")
    return redirect(url_for(".question", question_id=into.id))


@bp.post("/<int:question_id>/publish")
@roles_required(*ORGANISERS)
def publish(question_id: int) -> ResponseReturnValue:
    question = db.get_or_404(Question, question_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".question", question_id=question.id)), 303
    published = request.form.get("published") == "1"
    try:
        services.set_published(question, published, actor=current_user)
    except services.QuestionError as error:
        db.session.rollback()
        flash(error_message(error.code), "danger")
        return redirect(url_for(".question", question_id=question.id)), 303
    return _done(question, _("Published on the event page.") if published else _("Taken off the event page."))


@bp.post("/answers/<int:answer_id>/approve")
@roles_required(*ORGANISERS)
def approve(answer_id: int) -> ResponseReturnValue:
    answer = db.get_or_404(QuestionAnswer, answer_id)
    question = answer.assignment.question
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".question", question_id=question.id)), 303
    try:
        answering.approve(answer, actor=current_user)
    except services.QuestionError as error:
        db.session.rollback()
        flash(error_message(error.code), "danger")
        return redirect(url_for(".question", question_id=question.id)), 303
    return _done(question, _("The answer is approved."))


@bp.post("/answers/<int:answer_id>/return")
@roles_required(*ORGANISERS)
def return_answer(answer_id: int) -> ResponseReturnValue:
    answer = db.get_or_404(QuestionAnswer, answer_id)
    question = answer.assignment.question
    form = ReturnForm(prefix="return")
    if not form.validate_on_submit():
        return _page(question, 422, return_form=form)
    try:
        answering.return_answer(answer, comment=required(form.comment.data), actor=current_user)
    except services.QuestionError as error:
        return _refused(question, form, error, "return_form")
    return _done(question, _("The answer went back to the unit with your comment."))
