"""Asking and triage: questions in from every path, then edited, merged, assigned or declined.

Services take models and plain values, raise QuestionError, flush and never commit; every state
change is in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from eventapp import audit
from eventapp.directory.models import Organisation, OrganisationKind, Person, Site
from eventapp.errors import DomainError
from eventapp.events.models import AgendaItem, Event, EventSite, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.questions.models import (
    CLOSED_STATUSES,
    AskedVia,
    Handling,
    LiveState,
    Question,
    QuestionAsker,
    QuestionAssignment,
    QuestionSettings,
    QuestionStatus,
)
from eventapp.registrations.models import ACTIVE_STATUSES, Registration

MINISTRY_TZ = "Asia/Ho_Chi_Minh"  # due dates are the ministry's calendar days
MAX_TEXT = 2000
MAX_TOPIC = 150
MAX_REASON = 500


class QuestionError(DomainError):
    """A rule of the question cycle was broken; `code` names it (labels.ERRORS), `field` the form field."""


def local_today(now: datetime | None = None) -> date:
    """Today in Vietnam: what "due", "overdue" and reminders count by."""
    return (now or utcnow()).astimezone(ZoneInfo(MINISTRY_TZ)).date()


# --------------------------------------------------------------------------------- asking

def settings(event: Event) -> QuestionSettings | None:
    return db.session.get(QuestionSettings, event.id)


def asking_closes_at(event: Event) -> datetime:
    """Questions in advance are taken until the organiser's deadline, at the latest the start."""
    chosen = settings(event)
    if chosen is not None and chosen.asking_closes_at is not None:
        return min(chosen.asking_closes_at, event.starts_at)
    return event.starts_at


def asking_state(event: Event, now: datetime) -> str:
    """advance (before the deadline) | live (the event is on) | closed."""
    if event.status != EventStatus.PUBLISHED:
        return "closed"
    if now < event.starts_at:
        return "advance" if now < asking_closes_at(event) else "closed"
    return "live" if now < event.ends_at else "closed"


def _clean(text: str | None, limit: int, field: str, *, required: bool = True) -> str | None:
    value = (text or "").replace("\x00", "").strip()
    if not value:
        if required:
            raise QuestionError("text_required", field)
        return None
    if len(value) > limit:
        raise QuestionError("too_long", field)
    return value


def _agenda_item(event: Event, agenda_item_id: int | None) -> int | None:
    if agenda_item_id is None:
        return None
    item = db.session.get(AgendaItem, agenda_item_id)
    if item is None or item.event_id != event.id:
        raise QuestionError("agenda_item", "agenda_item_id")
    return item.id


def _next_live_position(event_id: int) -> int:
    highest = db.session.scalar(sa.select(sa.func.max(Question.live_position)).where(Question.event_id == event_id))
    return (highest or 0) + 1


def _outlet(person: Person | None) -> Organisation | None:
    organisation = person.organisation if person is not None else None
    return organisation if organisation is not None and organisation.kind == OrganisationKind.PRESS_OUTLET else None


def ask(event: Event, *, text: str, via: AskedVia, topic: str | None = None, agenda_item_id: int | None = None,
        person: Person | None = None, site: Site | None = None, registration: Registration | None = None,
        actor: Any = None, now: datetime | None = None) -> Question:
    """File a new question with its first asker. One asked during the event goes to the stage queue."""
    now = now or utcnow()
    body = _clean(text, MAX_TEXT, "text")
    assert body is not None
    question = Question(event_id=event.id, text=body, original_text=body,
                        topic=_clean(topic, MAX_TOPIC, "topic", required=False),
                        agenda_item_id=_agenda_item(event, agenda_item_id), status=QuestionStatus.NEW,
                        asked_live=via == AskedVia.LIVE)
    if via == AskedVia.LIVE:
        question.handling = Handling.STAGE
        question.live_state = LiveState.QUEUED
        question.live_position = _next_live_position(event.id)
    db.session.add(question)
    outlet = _outlet(person)
    db.session.add(QuestionAsker(
        question=question, person_id=person.id if person else None, outlet_id=outlet.id if outlet else None,
        site_id=site.id if site else None, registration_id=registration.id if registration else None,
        asked_by_user_id=getattr(actor, "id", None), asked_via=via, text=body, asked_at=now))
    db.session.flush()
    audit.record(actor, "question.ask", question, body[:120], {"via": via.value, "event_id": event.id})
    return question


def file_from_registration(registration: Registration, *, text: str) -> None:
    """The registration form's question (the registrations.question_submitted signal)."""
    ask(registration.event, text=text[:MAX_TEXT], via=AskedVia.REGISTRATION, person=registration.person,
        site=registration.site, registration=registration)


def ask_from_ticket(registration: Registration, *, text: str, topic: str | None = None,
                    agenda_item_id: int | None = None, now: datetime | None = None) -> Question:
    """A registrant's question from the ticket page: in advance until the deadline, live during the event."""
    now = now or utcnow()
    state = asking_state(registration.event, now)
    if state == "closed":
        raise QuestionError("closed")
    if registration.status not in ACTIVE_STATUSES:
        raise QuestionError("not_registered")
    via = AskedVia.LIVE if state == "live" else AskedVia.TICKET
    return ask(registration.event, text=text, topic=topic, agenda_item_id=agenda_item_id, via=via,
               person=registration.person, site=registration.site, registration=registration, now=now)


def ask_for_site(event: Event, site: Site, *, text: str, actor: Any, topic: str | None = None,
                 agenda_item_id: int | None = None, now: datetime | None = None) -> Question:
    """A site coordinator's question on behalf of their site (which must take part in the event)."""
    now = now or utcnow()
    state = asking_state(event, now)
    if state == "closed":
        raise QuestionError("closed")
    takes_part = db.session.scalar(sa.select(sa.exists().where(EventSite.event_id == event.id,
                                                               EventSite.site_id == site.id)))
    if not takes_part:
        raise QuestionError("not_participating")
    via = AskedVia.LIVE if state == "live" else AskedVia.COORDINATOR
    return ask(event, text=text, topic=topic, agenda_item_id=agenda_item_id, via=via, site=site, actor=actor,
               now=now)


def asked_by_registration(registration: Registration) -> list[Question]:
    """The questions this registrant asked (followed through merges), newest first."""
    rows = db.session.scalars(
        sa.select(Question).join(QuestionAsker).where(QuestionAsker.registration_id == registration.id)
        .order_by(QuestionAsker.asked_at.desc(), Question.id.desc()))
    return list(dict.fromkeys(rows))


def set_deadline(event: Event, closes_at: datetime | None, *, actor: Any) -> None:
    chosen = settings(event)
    if chosen is None:
        chosen = QuestionSettings(event_id=event.id)
        db.session.add(chosen)
    before = chosen.asking_closes_at
    chosen.asking_closes_at = closes_at
    db.session.flush()
    audit.record(actor, "question.deadline", event, event.title,
                 {"before": before.isoformat() if before else None,
                  "after": closes_at.isoformat() if closes_at else None})


# --------------------------------------------------------------------------------- triage

def _require_open(question: Question) -> None:
    if question.status in CLOSED_STATUSES:
        raise QuestionError("closed_question")


def edit(question: Question, *, text: str, topic: str | None, agenda_item_id: int | None, actor: Any) -> None:
    """Reword for clarity; the asker's original words stay (original_text and each asker's text)."""
    _require_open(question)
    before = {"text": question.text, "topic": question.topic, "agenda_item_id": question.agenda_item_id}
    question.text = _clean(text, MAX_TEXT, "text") or question.text
    question.topic = _clean(topic, MAX_TOPIC, "topic", required=False)
    question.agenda_item_id = _agenda_item(question.event, agenda_item_id)
    after = {"text": question.text, "topic": question.topic, "agenda_item_id": question.agenda_item_id}
    db.session.flush()
    if before != after:
        audit.record(actor, "question.edit", question, question.text[:120], {"before": before, "after": after})


def assign(question: Question, *, unit_ids: list[int], handling: Handling, due_on: date | None, actor: Any,
           now: datetime | None = None) -> None:
    """Give the question to these units (kept ones keep their answers; new due date for all) for the
    stage or in writing. A written answer needs at least one unit and a due date."""
    now = now or utcnow()
    if question.status not in (QuestionStatus.NEW, QuestionStatus.ASSIGNED):
        raise QuestionError("closed_question")
    units = list(db.session.scalars(sa.select(Organisation).where(
        Organisation.id.in_(unit_ids), Organisation.kind == OrganisationKind.MINISTRY_UNIT)))
    if len(units) != len(set(unit_ids)):
        raise QuestionError("unit", "unit_ids")
    if handling == Handling.WRITTEN and not units:
        raise QuestionError("unit_required", "unit_ids")
    if handling == Handling.WRITTEN and due_on is None:
        raise QuestionError("due_required", "due_on")
    before = {"units": sorted(a.unit_id for a in question.assignments),
              "handling": question.handling.value if question.handling else None}
    chosen = {u.id for u in units}
    for assignment in list(question.assignments):
        if assignment.unit_id not in chosen:
            if assignment.answer is not None and assignment.answer.status != "draft":
                raise QuestionError("answered_unit", "unit_ids")
            question.assignments.remove(assignment)
    held = {a.unit_id for a in question.assignments}
    for unit in units:
        if unit.id not in held:
            question.assignments.append(QuestionAssignment(unit_id=unit.id, assigned_at=now))
    for assignment in question.assignments:
        if assignment.due_on != due_on:
            assignment.due_on = due_on
            assignment.reminded_before_at = assignment.reminded_due_at = None  # a new date: new reminders
    question.handling = handling
    question.status = QuestionStatus.ASSIGNED
    if handling == Handling.STAGE and question.live_state is None:
        question.live_state = LiveState.QUEUED
        question.live_position = _next_live_position(question.event_id)
    elif handling == Handling.WRITTEN and question.live_state == LiveState.QUEUED:
        question.live_state = None
    db.session.flush()
    audit.record(actor, "question.assign", question, ", ".join(u.name for u in units)[:300],
                 {"before": before, "after": {"units": sorted(chosen), "handling": handling.value,
                                              "due_on": due_on.isoformat() if due_on else None}})


def decline(question: Question, *, reason: str, actor: Any) -> None:
    _require_open(question)
    if question.status != QuestionStatus.NEW and question.status != QuestionStatus.ASSIGNED:
        raise QuestionError("closed_question")
    why = _clean(reason, MAX_REASON, "reason")
    old = question.status
    question.status = QuestionStatus.DECLINED
    question.decline_reason = why
    if question.live_state in (LiveState.QUEUED, LiveState.BEING_ANSWERED):
        question.live_state = None
    db.session.flush()
    audit.record(actor, "question.decline", question, why or "", {"status": [old.value, "declined"]})


def merge(duplicate: Question, into: Question, *, actor: Any) -> None:
    """The duplicate's askers join `into` (each keeps their own words); the duplicate is closed."""
    if duplicate.id == into.id or duplicate.event_id != into.event_id:
        raise QuestionError("merge_target", "into_id")
    if duplicate.status not in (QuestionStatus.NEW, QuestionStatus.ASSIGNED) or into.status in CLOSED_STATUSES:
        raise QuestionError("closed_question", "into_id")
    if any(a.answer is not None for a in duplicate.assignments):
        raise QuestionError("answered_unit", "into_id")
    moved = [asker.id for asker in duplicate.askers]
    for asker in list(duplicate.askers):
        asker.question = into
    # A unit the duplicate was given to keeps its work (and due date) on the kept question; only a
    # unit the kept question already has is not given it twice.
    held = {a.unit_id for a in into.assignments}
    carried = []
    for assignment in list(duplicate.assignments):
        duplicate.assignments.remove(assignment)
        if assignment.unit_id not in held:
            into.assignments.append(QuestionAssignment(
                unit_id=assignment.unit_id, due_on=assignment.due_on, assigned_at=assignment.assigned_at))
            carried.append(assignment.unit_id)
    if carried and into.status == QuestionStatus.NEW:
        into.status = QuestionStatus.ASSIGNED
        into.handling = duplicate.handling
        if into.handling == Handling.STAGE and into.live_state is None:
            into.live_state = LiveState.QUEUED
            into.live_position = _next_live_position(into.event_id)
    old = duplicate.status
    duplicate.status = QuestionStatus.MERGED
    duplicate.merged_into_id = into.id
    duplicate.live_state = None
    db.session.flush()
    audit.record(actor, "question.merge", duplicate, f"→ #{into.id}",
                 {"status": [old.value, "merged"], "into_id": into.id, "askers": moved})
    audit.record(actor, "question.merged_in", into, f"#{duplicate.id} →",
                 {"from_id": duplicate.id, "askers": moved, "units": sorted(carried)})


def set_published(question: Question, published: bool, *, actor: Any) -> None:
    """Only answered questions go on the event page's record."""
    if published and question.status not in (QuestionStatus.ANSWERED, QuestionStatus.ANSWERED_ON_STAGE):
        raise QuestionError("not_answered")
    if question.is_published == published:
        return
    question.is_published = published
    db.session.flush()
    audit.record(actor, "question.publish" if published else "question.unpublish", question, question.text[:120])
