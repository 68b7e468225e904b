"""During the event: the moderator's live queue of stage questions and what the projector shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventapp import audit
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.questions.models import Handling, LiveState, Question, QuestionAsker, QuestionStatus
from eventapp.questions.services import QuestionError

MAX_NOTE = 300
ORDER = {LiveState.BEING_ANSWERED: 0, LiveState.QUEUED: 1, LiveState.DONE: 2}


def queue(event_id: int) -> list[Question]:
    """Stage questions of the event: the one being answered, then the queue in order, then the answered."""
    rows = db.session.scalars(
        sa.select(Question).options(selectinload(Question.askers).selectinload(QuestionAsker.person),
                                    selectinload(Question.askers).selectinload(QuestionAsker.outlet),
                                    selectinload(Question.askers).selectinload(QuestionAsker.site),
                                    selectinload(Question.agenda_item))
        .where(Question.event_id == event_id, Question.handling == Handling.STAGE,
               Question.live_state.is_not(None),
               Question.status.in_([QuestionStatus.NEW, QuestionStatus.ASSIGNED,
                                    QuestionStatus.ANSWERED_ON_STAGE])))
    return sorted(rows, key=lambda q: (ORDER[q.live_state], q.live_position or 0, q.id))  # type: ignore[index]


def current(event_id: int) -> Question | None:
    """The question being answered now (the projector's)."""
    return db.session.scalar(sa.select(Question).where(
        Question.event_id == event_id, Question.live_state == LiveState.BEING_ANSWERED).limit(1))


def _require_stage(question: Question) -> None:
    if question.handling != Handling.STAGE or question.live_state is None \
            or question.status not in (QuestionStatus.NEW, QuestionStatus.ASSIGNED, QuestionStatus.ANSWERED_ON_STAGE):
        raise QuestionError("not_on_stage")


def start(question: Question, *, actor: Any) -> None:
    """On the projector: this one is being answered (the one before goes back to the queue)."""
    _require_stage(question)
    if question.status == QuestionStatus.ANSWERED_ON_STAGE:
        raise QuestionError("closed_question")
    for other in db.session.scalars(sa.select(Question).where(
            Question.event_id == question.event_id, Question.live_state == LiveState.BEING_ANSWERED,
            Question.id != question.id)):
        other.live_state = LiveState.QUEUED
    question.live_state = LiveState.BEING_ANSWERED
    db.session.flush()
    audit.record(actor, "question.live_start", question, question.text[:120], {"live_state": "being_answered"})


def answered(question: Question, *, note: str | None, actor: Any, now: datetime | None = None) -> None:
    """Answered from the stage, with who answered."""
    _require_stage(question)
    who = (note or "").replace("\x00", "").strip()[:MAX_NOTE] or None
    old = question.status
    question.live_state = LiveState.DONE
    question.status = QuestionStatus.ANSWERED_ON_STAGE
    question.answered_by_note = who
    question.answered_at = now or utcnow()
    db.session.flush()
    audit.record(actor, "question.answered_on_stage", question, who or "",
                 {"status": [old.value, "answered_on_stage"]})


def back_to_queue(question: Question, *, actor: Any) -> None:
    _require_stage(question)
    if question.status == QuestionStatus.ANSWERED_ON_STAGE:
        question.status = QuestionStatus.ASSIGNED if question.assignments else QuestionStatus.NEW
        question.answered_at = None
    question.live_state = LiveState.QUEUED
    db.session.flush()
    audit.record(actor, "question.live_requeue", question, question.text[:120], {"live_state": "queued"})


def move(question: Question, *, up: bool, actor: Any) -> None:
    """Swap places with the neighbour in the queue."""
    _require_stage(question)
    waiting = [q for q in queue(question.event_id) if q.live_state == LiveState.QUEUED]
    if question not in waiting:
        raise QuestionError("not_on_stage")
    index = waiting.index(question)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(waiting):
        return
    other = waiting[other_index]
    question.live_position, other.live_position = other.live_position, question.live_position
    if question.live_position == other.live_position:
        question.live_position = (other.live_position or 0) + (-1 if up else 1)
    db.session.flush()
    audit.record(actor, "question.live_move", question, "up" if up else "down")
