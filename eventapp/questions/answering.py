"""Units answer in writing: draft, submit with an optional document; the organiser approves or returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventapp import audit
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.questions import delivery, documents
from eventapp.questions.models import (
    AnswerStatus,
    Question,
    QuestionAnswer,
    QuestionAssignment,
    QuestionStatus,
)
from eventapp.questions.services import QuestionError

MAX_ANSWER = 10_000
# A unit sees its questions from assignment on (declined or merged ones leave its list).
VISIBLE_TO_UNITS = frozenset({QuestionStatus.ASSIGNED, QuestionStatus.ANSWERED, QuestionStatus.ANSWERED_ON_STAGE})
MAX_COMMENT = 1000


def unit_assignments(unit_id: int, *, include_done: bool = True) -> list[QuestionAssignment]:
    """A unit's assignments (open questions first, soonest due first)."""
    query = (sa.select(QuestionAssignment).join(Question)
             .options(selectinload(QuestionAssignment.question).selectinload(Question.event),
                      selectinload(QuestionAssignment.answer))
             .where(QuestionAssignment.unit_id == unit_id,
                    Question.status.in_(VISIBLE_TO_UNITS)))
    rows = list(db.session.scalars(query))
    if not include_done:
        rows = [a for a in rows if not a.is_answered]
    return sorted(rows, key=lambda a: (a.is_answered, a.due_on or date.max, a.id))


def _answer(assignment: QuestionAssignment, actor: Any) -> QuestionAnswer:
    if assignment.answer is None:
        assignment.answer = QuestionAnswer(text="", status=AnswerStatus.DRAFT, drafted_by_id=getattr(actor, "id", None))
    return assignment.answer


def save(assignment: QuestionAssignment, *, text: str, upload: documents.Upload | None, submit: bool, actor: Any,
         now: datetime | None = None) -> QuestionAnswer:
    """Keep the draft (and its document); with `submit` it goes to the organiser for approval."""
    now = now or utcnow()
    if assignment.question.status != QuestionStatus.ASSIGNED:
        raise QuestionError("closed_question")
    answer = _answer(assignment, actor)
    if answer.status in (AnswerStatus.SUBMITTED, AnswerStatus.APPROVED):
        raise QuestionError("already_submitted")
    body = (text or "").replace("\x00", "").strip()
    if len(body) > MAX_ANSWER:
        raise QuestionError("too_long", "text")
    if submit and not body:
        raise QuestionError("text_required", "text")
    if upload is not None:
        try:
            answer.document_key, answer.document_name, answer.document_type = documents.store(upload)
        except documents.DocumentError as error:
            raise QuestionError(f"document_{error.code}", "document") from error
    answer.text = body
    answer.drafted_by_id = getattr(actor, "id", None)
    if submit:
        answer.status = AnswerStatus.SUBMITTED
        answer.submitted_at = now
    db.session.flush()
    audit.record(actor, "answer.submit" if submit else "answer.draft", answer, body[:120],
                 {"question_id": assignment.question_id, "unit_id": assignment.unit_id,
                  "document": answer.document_name})
    return answer


def remove_document(answer: QuestionAnswer, *, actor: Any) -> None:
    if answer.status in (AnswerStatus.SUBMITTED, AnswerStatus.APPROVED):
        raise QuestionError("already_submitted")
    name = answer.document_name
    answer.document_key = answer.document_name = answer.document_type = None
    db.session.flush()
    audit.record(actor, "answer.remove_document", answer, name or "")


def approve(answer: QuestionAnswer, *, actor: Any, now: datetime | None = None) -> None:
    """Approved; when every unit's answer is, the question is answered (and sent, if the event is over)."""
    now = now or utcnow()
    if answer.status != AnswerStatus.SUBMITTED:
        raise QuestionError("not_submitted")
    answer.status = AnswerStatus.APPROVED
    answer.decided_by_id = getattr(actor, "id", None)
    answer.approved_at = now
    answer.return_comment = None
    question = answer.assignment.question
    audit.record(actor, "answer.approve", answer, question.text[:120], {"status": ["submitted", "approved"]})
    if all(a.is_answered for a in question.assignments):
        question.status = QuestionStatus.ANSWERED
        question.answered_at = now
        audit.record(actor, "question.answered", question, question.text[:120],
                     {"status": ["assigned", "answered"]})
    db.session.flush()
    delivery.send_answers(question, now)


def return_answer(answer: QuestionAnswer, *, comment: str, actor: Any) -> None:
    """Back to the unit with the organiser's comment; the unit edits and submits again."""
    if answer.status != AnswerStatus.SUBMITTED:
        raise QuestionError("not_submitted")
    why = (comment or "").replace("\x00", "").strip()
    if not why:
        raise QuestionError("text_required", "comment")
    if len(why) > MAX_COMMENT:
        raise QuestionError("too_long", "comment")
    answer.status = AnswerStatus.RETURNED
    answer.return_comment = why
    answer.decided_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "answer.return", answer, why[:300], {"status": ["submitted", "returned"]})
