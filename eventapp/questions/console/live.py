"""During the event: the moderator's live queue (phone-friendly) and the projector's large type,
both refreshed by polling like the site board."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.accounts.permissions import roles_required
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.forms import ConfirmForm
from eventapp.questions import live, services
from eventapp.questions.console import ORGANISERS, bp
from eventapp.questions.forms import AnsweredForm
from eventapp.questions.labels import LIVE_LABELS, error_message
from eventapp.questions.models import Question


def _poll_seconds() -> int:
    return int(current_app.config.get("ATTENDANCE_POLL_SECONDS", 5))


def question_json(question: Question) -> dict:
    return {"id": question.id, "text": question.text, "topic": question.topic,
            "state": question.live_state.value if question.live_state else None,
            "askers": [a.label for a in question.askers], "answered_by": question.answered_by_note,
            "agenda_item": question.agenda_item.title if question.agenda_item else None}


@bp.get("/events/<int:event_id>/live")
@roles_required(*ORGANISERS)
def moderator(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    return render_template("questions/console/live.html", event=event, questions=live.queue(event.id),
                           confirm=ConfirmForm(), answered_form=AnsweredForm(), live_labels=LIVE_LABELS,
                           poll_seconds=_poll_seconds())


@bp.get("/events/<int:event_id>/live.json")
@roles_required(*ORGANISERS)
def live_json(event_id: int) -> ResponseReturnValue:
    """The queue and the current question: the moderator screen and the projector poll this."""
    event = db.get_or_404(Event, event_id)
    questions = live.queue(event.id)
    current = next((q for q in questions if q.live_state and q.live_state.value == "being_answered"), None)
    response = jsonify({"current": question_json(current) if current else None,
                        "queue": [question_json(q) for q in questions]})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events/<int:event_id>/projector")
@roles_required(*ORGANISERS)
def projector(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    return render_template("questions/console/projector.html", event=event, current=live.current(event.id),
                           poll_seconds=_poll_seconds())


@bp.post("/<int:question_id>/live/<any(start, answered, requeue, up, down):action>")
@roles_required(*ORGANISERS)
def live_action(question_id: int, action: str) -> ResponseReturnValue:
    question = db.get_or_404(Question, question_id)
    target = url_for(".moderator", event_id=question.event_id) + f"#q{question.id}"
    form = AnsweredForm() if action == "answered" else ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Please check the form."), "danger")
        return redirect(target), 303
    try:
        if action == "start":
            live.start(question, actor=current_user)
        elif action == "answered":
            live.answered(question, note=form.note.data, actor=current_user)
        elif action == "requeue":
            live.back_to_queue(question, actor=current_user)
        else:
            live.move(question, up=action == "up", actor=current_user)
    except services.QuestionError as error:
        db.session.rollback()
        flash(error_message(error.code), "danger")
        return redirect(target), 303
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ok": True})
    return redirect(target)
