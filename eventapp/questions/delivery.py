"""E-mails of the question cycle, through the outbox: reminders to units before and on the due date
(once each), and approved written answers to every asker once the event is over."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _

from eventapp.accounts.models import Role, User
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.mail.rendering import rendering
from eventapp.mail.sender import one_line
from eventapp.mail.services import queue_message
from eventapp.models import rows_changed, utcnow
from eventapp.questions.models import AnswerStatus, Question, QuestionAssignment, QuestionStatus
from eventapp.questions.services import local_today
from eventapp.registrations.tickets import public_url

ANSWER = "question.answer"
REMINDER_BEFORE = "question.reminder_before"
REMINDER_DUE = "question.reminder_due"


def _subject(text: str) -> str:
    return one_line(text)[:300]


# ---------------------------------------------------------------------------- answers to askers

def recipients(question: Question) -> list[tuple[str, str, str]]:
    """(address, name, locale) of every asker, each address once: the person, or for a site's
    question the coordinator who asked."""
    seen: dict[str, tuple[str, str, str]] = {}
    for asker in question.askers:
        if asker.person is not None and asker.person.email:
            seen.setdefault(asker.person.email.lower(), (asker.person.email, asker.person.full_name,
                                                         asker.person.locale or "vi"))
        elif asker.asked_by_user_id is not None:
            user = db.session.get(User, asker.asked_by_user_id)
            if user is not None and user.is_active:
                seen.setdefault(user.email.lower(), (user.email, user.full_name or user.email, user.locale or "vi"))
    return list(seen.values())


def send_answers(question: Question, now: datetime | None = None) -> int:
    """Queue the approved written answers to every asker, once, when the event is over; 0 otherwise."""
    now = now or utcnow()
    event = question.event
    if question.status != QuestionStatus.ANSWERED or question.answers_sent_at is not None or event.ends_at > now:
        return 0
    claimed = db.session.execute(
        sa.update(Question).where(Question.id == question.id, Question.answers_sent_at.is_(None))
        .values(answers_sent_at=now).execution_options(synchronize_session=False))
    if rows_changed(claimed) != 1:
        return 0
    question.answers_sent_at = now
    answers = [(a.unit, a.answer) for a in question.assignments
               if a.answer is not None and a.answer.status == AnswerStatus.APPROVED]
    count = 0
    for address, name, locale in recipients(question):
        with rendering(locale):
            context = {"lang": locale, "name": name, "event": event, "question": question, "answers": answers,
                       "event_url": public_url("events.detail", event_id=event.id)}
            subject = _subject(_("Answer to your question: %(title)s", title=event.title))
            text = render_template("questions/emails/answer.txt", **context)
            html = render_template("questions/emails/answer.html", **context)
        queue_message(kind=ANSWER, to_address=address, to_name=name, subject=subject, body_text=text,
                      body_html=html, locale=locale)
        count += 1
    db.session.flush()
    return count


def send_due_answers(now: datetime | None = None) -> int:
    """Answers approved before their event ended go out once it has (run by `flask questions reminders`)."""
    now = now or utcnow()
    due = db.session.scalars(sa.select(Question).join(Event).where(
        Question.status == QuestionStatus.ANSWERED, Question.answers_sent_at.is_(None), Event.ends_at <= now))
    return sum(send_answers(question, now) for question in list(due))


# ------------------------------------------------------------------------------ unit reminders

def _respondents(unit_id: int) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(
        User.role == Role.UNIT_RESPONDENT, User.unit_id == unit_id, User.is_active_account.is_(True))
        .order_by(User.id)))


def _reminded(assignment: QuestionAssignment) -> list[tuple[str, str, str]]:
    """(address, name, locale): the unit's active respondents, else the unit's own address."""
    people = [(u.email, u.full_name or u.email, u.locale or "vi") for u in _respondents(assignment.unit_id)]
    if not people and assignment.unit.email:
        people = [(assignment.unit.email, assignment.unit.name, "vi")]
    return people


def _remind(assignment: QuestionAssignment, kind: str) -> int:
    question = assignment.question
    count = 0
    for address, name, locale in _reminded(assignment):
        with rendering(locale):
            context = {"lang": locale, "name": name, "event": question.event,
                       "question": question, "assignment": assignment, "due_today": kind == REMINDER_DUE,
                       "answer_url": public_url("questions_console.assignment", assignment_id=assignment.id)}
            heading = _("Due today") if kind == REMINDER_DUE else _("Due tomorrow")
            subject = _subject(f"{heading}: {_('answer to a question')} – {question.event.title}")
            text = render_template("questions/emails/reminder.txt", **context)
            html = render_template("questions/emails/reminder.html", **context)
        queue_message(kind=kind, to_address=address, to_name=name, subject=subject,
                      body_text=text, body_html=html, locale=locale)
        count += 1
    return count


def queue_reminders(now: datetime | None = None) -> int:
    """The day before and on the due date (Vietnam's calendar day), once each, while the unit's answer
    is not yet submitted. Each claim is an atomic conditional UPDATE, so two runs never both send."""
    now = now or utcnow()
    today = local_today(now)
    rows = db.session.scalars(
        sa.select(QuestionAssignment).join(Question).where(
            Question.status == QuestionStatus.ASSIGNED, QuestionAssignment.due_on.in_([today, today + timedelta(days=1)]))
        .order_by(QuestionAssignment.id)).all()
    queued = 0
    for assignment in rows:
        if assignment.answer is not None and assignment.answer.status in (AnswerStatus.SUBMITTED, AnswerStatus.APPROVED):
            continue
        due_today = assignment.due_on == today
        column = QuestionAssignment.reminded_due_at if due_today else QuestionAssignment.reminded_before_at
        claimed = db.session.execute(
            sa.update(QuestionAssignment).where(QuestionAssignment.id == assignment.id, column.is_(None))
            .values({column.key: now}).execution_options(synchronize_session=False))
        if rows_changed(claimed) != 1:
            continue
        queued += _remind(assignment, REMINDER_DUE if due_today else REMINDER_BEFORE)
    db.session.flush()
    return queued
