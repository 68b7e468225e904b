"""Public pages: a registrant asks from the ticket page (before and during the event); the event
page shows the published question-and-answer record."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventapp.events.models import Event
from eventapp.extensions import KNOWN_TOKEN_CHECKS, db, limiter, token_miss_limit
from eventapp.forms import required, show_error
from eventapp.models import utcnow
from eventapp.questions import documents, services
from eventapp.questions.forms import AskForm
from eventapp.questions.labels import STATUS_LABELS
from eventapp.questions.models import (
    AnswerStatus,
    Question,
    QuestionAnswer,
    QuestionAssignment,
    QuestionStatus,
)
from eventapp.registrations.models import Registration
from eventapp.registrations.tickets import find_by_token

bp = Blueprint("questions", __name__)


def ticket_questions(registration: Registration, form: AskForm | None = None) -> dict:
    """What the ticket page's question card needs (a Jinja global: the ticket view stays as it is)."""
    event = registration.event
    return {"state": services.asking_state(event, utcnow()), "closes_at": services.asking_closes_at(event),
            "form": form or AskForm(agenda=event.agenda_items),
            "asked": services.asked_by_registration(registration), "status_labels": STATUS_LABELS}


def published_record(event: Event) -> list[Question]:
    """The event's published questions with their approved answers (the public Q&A record)."""
    return list(db.session.scalars(
        sa.select(Question).options(selectinload(Question.assignments).selectinload(QuestionAssignment.unit),
                                    selectinload(Question.assignments).selectinload(QuestionAssignment.answer))
        .where(Question.event_id == event.id, Question.is_published.is_(True),
               Question.status.in_([QuestionStatus.ANSWERED, QuestionStatus.ANSWERED_ON_STAGE]))
        .order_by(Question.answered_at, Question.id)))


def approved_answers(question: Question) -> list[QuestionAssignment]:
    return [a for a in question.assignments if a.answer is not None and a.answer.status == AnswerStatus.APPROVED]


def _rate_limit() -> str:
    return current_app.config.get("QUESTION_RATE_LIMIT", "10 per minute;60 per hour")


@bp.post("/ticket/<token>/questions")
@token_miss_limit
@limiter.limit(_rate_limit)
def ask(token: str) -> ResponseReturnValue:
    registration = find_by_token(token)
    if registration is None:
        abort(404)
    form = AskForm(agenda=registration.event.agenda_items)
    if form.validate_on_submit():
        try:
            question = services.ask_from_ticket(registration, text=required(form.text.data), topic=form.topic.data,
                                                agenda_item_id=form.agenda_item_id.data)
        except services.QuestionError as error:
            db.session.rollback()
            show_error(form, error, default_field="text")
        else:
            db.session.commit()
            flash(_("Your question was sent. You can follow it here."), "success")
            return redirect(url_for("registrations.ticket", token=token) + f"#question-{question.id}")
    page = render_template("questions/ask_again.html", registration=registration, event=registration.event,
                           token=token, card=ticket_questions(registration, form))
    response = make_response(page, 422)
    response.headers["Cache-Control"] = "no-store"
    return response


KNOWN_TOKEN_CHECKS[f"{bp.name}.ask"] = lambda token: find_by_token(token) is not None


@bp.get("/answers/<int:answer_id>/document/<signature>")
@token_miss_limit
def answer_document(answer_id: int, signature: str) -> ResponseReturnValue:
    """An approved answer's document, from the link in the askers' e-mail (signed, so a guessed
    id opens nothing; the unit's drafts and returned answers never)."""
    answer = db.session.get(QuestionAnswer, answer_id)
    if (answer is None or answer.status != AnswerStatus.APPROVED
            or not documents.signature_holds(answer.id, answer.document_key, signature)):
        abort(404)
    return documents.attachment(answer.document_key, answer.document_name, answer.document_type)
