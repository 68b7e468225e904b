"""Building a questionnaire, who may answer and when, and recording answers (no forms here)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from eventapp import audit
from eventapp.accounts.models import User
from eventapp.directory.models import Site
from eventapp.evaluations.models import (
    MAX_TEXT,
    RATING_MAX,
    RATING_MIN,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    QuestionKind,
    Respondent,
)
from eventapp.events.models import AgendaItem, Event, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import Registration, RegistrationStatus

# Answers are taken from the end of the event for this long.
ANSWER_WINDOW = timedelta(days=30)
MAX_OPTIONS = 12
MAX_TEXT_SENT = 4000  # characters read of one sent answer (a text answer keeps MAX_TEXT)


class EvaluationError(ValueError):
    """A refused action; `code` names the reason (messages in evaluations.labels)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# ------------------------------------------------------------------------------- questionnaire

def questions(event: Event) -> list[EvaluationQuestion]:
    return list(db.session.scalars(
        sa.select(EvaluationQuestion).where(EvaluationQuestion.event_id == event.id)
        .order_by(EvaluationQuestion.position, EvaluationQuestion.id)))


def add_question(event: Event, *, kind: QuestionKind, prompt: str, actor: User, options: str = "",
                 agenda_item_id: int | None = None) -> EvaluationQuestion:
    """Append a question. A single choice needs 2 to 12 different options; a talk must be this event's."""
    option_list = [line.strip()[:200] for line in options.splitlines() if line.strip()]
    if kind == QuestionKind.CHOICE and not (2 <= len(option_list) <= MAX_OPTIONS
                                            and len(set(option_list)) == len(option_list)):
        raise EvaluationError("options")
    if agenda_item_id is not None:
        item = db.session.get(AgendaItem, agenda_item_id)
        if item is None or item.event_id != event.id:
            raise EvaluationError("not_this_event")
    last = db.session.scalar(sa.select(sa.func.max(EvaluationQuestion.position))
                             .where(EvaluationQuestion.event_id == event.id))
    question = EvaluationQuestion(
        event_id=event.id, kind=kind, prompt=prompt.strip()[:300], position=(last or 0) + 1,
        agenda_item_id=agenda_item_id if kind == QuestionKind.RATING else None,
        options_text="\n".join(option_list) if kind == QuestionKind.CHOICE else "")
    db.session.add(question)
    db.session.flush()
    audit.record(actor, "evaluation.question_add", question, f"{event.title}: {question.prompt}")
    return question


def add_talk_ratings(event: Event, prompt_for: Callable[[AgendaItem], str], actor: User) -> int:
    """A 1–5 rating for every talk of the programme that has none yet; returns how many were added."""
    rated = set(db.session.scalars(sa.select(EvaluationQuestion.agenda_item_id).where(
        EvaluationQuestion.event_id == event.id, EvaluationQuestion.kind == QuestionKind.RATING)))
    added = 0
    for item in event.agenda_items:
        if item.id not in rated:
            add_question(event, kind=QuestionKind.RATING, prompt=prompt_for(item), agenda_item_id=item.id,
                         actor=actor)
            added += 1
    return added


def remove_question(question: EvaluationQuestion, actor: User) -> None:
    """Only while nobody has answered it: results must keep meaning what respondents were asked."""
    answered = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationAnswer)
                                 .where(EvaluationAnswer.question_id == question.id))
    if answered:
        raise EvaluationError("answered")
    audit.record(actor, "evaluation.question_remove", question, question.prompt)
    db.session.delete(question)
    db.session.flush()


# ------------------------------------------------------------------------------ who and when

def window_state(event: Event, now: datetime | None = None) -> str:
    """not_yet (before the end), open, or closed (ANSWER_WINDOW after the end, or not published)."""
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED:
        return "closed"
    if now < event.ends_at:
        return "not_yet"
    return "open" if now < event.ends_at + ANSWER_WINDOW else "closed"


def is_attendee(registration: Registration) -> bool:
    """Checked in at the door or marked present by their site's roll-call (both set checked_in_at)."""
    return registration.status == RegistrationStatus.APPROVED and registration.checked_in_at is not None


def attendee_key(registration: Registration) -> str:
    return f"r{registration.id}"


def site_key(site: Site) -> str:
    return f"s{site.id}"


def response_for(event: Event, key: str) -> EvaluationResponse | None:
    return db.session.scalar(sa.select(EvaluationResponse).where(
        EvaluationResponse.event_id == event.id, EvaluationResponse.respondent_key == key))


# --------------------------------------------------------------------------------- answering

def _answer(question: EvaluationQuestion, raw: object) -> EvaluationAnswer | None:
    """One answer from what was sent (a string), or None when left blank; EvaluationError if invalid."""
    value = raw.strip() if isinstance(raw, str) else ""
    if not value:
        return None
    if question.kind == QuestionKind.RATING:
        if not (value.isascii() and value.isdigit() and RATING_MIN <= int(value) <= RATING_MAX):
            raise EvaluationError("rating")
        return EvaluationAnswer(question_id=question.id, rating=int(value))
    if question.kind == QuestionKind.CHOICE:
        if value not in question.options:
            raise EvaluationError("choice")
        return EvaluationAnswer(question_id=question.id, choice=value)
    return EvaluationAnswer(question_id=question.id, text=value.replace("\x00", "")[:MAX_TEXT])


def check_answers(event: Event, raw: Mapping[int, object]) -> list[EvaluationAnswer]:
    """The answers to keep; EvaluationError("empty") when nothing was answered."""
    answers = [answer for question in questions(event)
               if (answer := _answer(question, raw.get(question.id))) is not None]
    if not answers:
        raise EvaluationError("empty")
    return answers


def _submit(event: Event, response: EvaluationResponse, raw: Mapping[int, object]) -> EvaluationResponse:
    response.answers = check_answers(event, raw)
    if response_for(event, response.respondent_key) is not None:
        raise EvaluationError("already_answered")
    db.session.add(response)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another submission of the same respondent got in first: the unique key held.
        raise EvaluationError("already_answered") from None
    return response


def submit_as_attendee(registration: Registration, raw: Mapping[int, object],
                       now: datetime | None = None) -> EvaluationResponse:
    """An attendee's answers, once, while the questionnaire is open."""
    event = registration.event
    if not is_attendee(registration):
        raise EvaluationError("not_attendee")
    if window_state(event, now) != "open":
        raise EvaluationError("closed")
    response = EvaluationResponse(event_id=event.id, respondent=Respondent.ATTENDEE,
                                  respondent_key=attendee_key(registration), registration_id=registration.id,
                                  site_id=registration.site_id, submitted_at=now or utcnow())
    return _submit(event, response, raw)


def submit_for_site(event: Event, site: Site, actor: User, raw: Mapping[int, object],
                    now: datetime | None = None) -> EvaluationResponse:
    """A coordinator's answers for their site's room, once per site (the caller checked the site)."""
    if window_state(event, now) != "open":
        raise EvaluationError("closed")
    response = EvaluationResponse(event_id=event.id, respondent=Respondent.SITE, respondent_key=site_key(site),
                                  site_id=site.id, submitted_by_id=actor.id, submitted_at=now or utcnow())
    response = _submit(event, response, raw)
    audit.record(actor, "evaluation.site_answer", response, f"{event.title}: {site.name}")
    return response
