"""/api/v1 for the question cycle (bearer tokens): an event's questions and one question, with
their states. Scoped like the console: organisers and admins see every question; a unit respondent
only those assigned to their unit (another question is a 404); other roles a 403."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from eventapp.accounts.models import Role, User
from eventapp.api import bp
from eventapp.api.auth import api_user, fail, token_required
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.params import valid_id
from eventapp.questions.models import (
    AnswerStatus,
    Question,
    QuestionAssignment,
    QuestionStatus,
)

QUESTION_ROLES = (Role.ADMIN, Role.ORGANISER, Role.UNIT_RESPONDENT)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _scoped(user: User) -> sa.ColumnElement[bool]:
    """Which questions this user may read: a unit respondent's unit's (assigned, not merged away)."""
    if user.role != Role.UNIT_RESPONDENT:
        return sa.true()
    return Question.id.in_(sa.select(QuestionAssignment.question_id).where(
        QuestionAssignment.unit_id == user.unit_id)) & Question.status.in_(
        [QuestionStatus.ASSIGNED, QuestionStatus.ANSWERED, QuestionStatus.ANSWERED_ON_STAGE])


def question_json(question: Question, user: User) -> dict:
    own_unit = user.unit_id if user.role == Role.UNIT_RESPONDENT else None
    assignments = []
    for assignment in question.assignments:
        answer = assignment.answer
        # a unit reads its own answer at every stage; organisers every answer; others' drafts stay theirs
        readable = answer is not None and (own_unit is None or own_unit == assignment.unit_id
                                           or answer.status == AnswerStatus.APPROVED)
        assignments.append({
            "unit_id": assignment.unit_id, "unit": assignment.unit.name,
            "due_on": assignment.due_on.isoformat() if assignment.due_on else None,
            "answer_status": answer.status.value if answer is not None else None,
            "answer": answer.text if readable and answer is not None else None,
            "approved_at": _iso(answer.approved_at) if answer is not None else None,
        })
    return {
        "id": question.id, "event_id": question.event_id, "status": question.status.value,
        "handling": question.handling.value if question.handling else None, "text": question.text,
        "topic": question.topic, "asked_live": question.asked_live,
        "live_state": question.live_state.value if question.live_state else None,
        "askers": len(question.askers), "merged_into_id": question.merged_into_id,
        "answered_by": question.answered_by_note, "answered_at": _iso(question.answered_at),
        "published": question.is_published, "created_at": _iso(question.created_at),
        "assignments": assignments,
    }


def _options() -> list:
    return [selectinload(Question.askers),
            selectinload(Question.assignments).selectinload(QuestionAssignment.unit),
            selectinload(Question.assignments).selectinload(QuestionAssignment.answer)]


@bp.get("/events/<int:event_id>/questions")
@token_required(*QUESTION_ROLES)
def questions(event_id: int) -> ResponseReturnValue:
    """The event's questions in the order they came (a unit respondent: their unit's only)."""
    user = api_user()
    event = db.session.get(Event, event_id) if valid_id(event_id) else None
    if event is None or not event.is_visible_to(user):
        fail(404, "event_not_found")
    status = request.args.get("status")
    if status is not None and status not in QuestionStatus._value2member_map_:
        fail(400, "bad_request", "status must be one of " + ", ".join(QuestionStatus._value2member_map_))
    query = (sa.select(Question).options(*_options())
             .where(Question.event_id == event.id, _scoped(user)).order_by(Question.id))
    if status is not None:
        query = query.where(Question.status == QuestionStatus(status))
    return jsonify(items=[question_json(q, user) for q in db.session.scalars(query)])


@bp.get("/questions/<int:question_id>")
@token_required(*QUESTION_ROLES)
def question(question_id: int) -> ResponseReturnValue:
    user = api_user()
    found = db.session.scalar(sa.select(Question).options(*_options()).where(
        Question.id == question_id, _scoped(user))) if valid_id(question_id) else None
    if found is None:
        fail(404, "question_not_found")
    return jsonify(question_json(found, user))
