"""Figures of the question cycle per event or over a period: received, answered on stage or in
writing, overdue; per unit (count, median days to an approved answer); per outlet and per site."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.questions.models import Question, QuestionAsker, QuestionAssignment, QuestionStatus


@dataclass
class UnitFigures:
    """One ministry unit's share of the work."""

    name: str
    assigned: int = 0
    answered: int = 0
    overdue: int = 0
    days: list[float] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self.days), 1) if self.days else None


@dataclass
class Report:
    """The figures for one selection of questions."""

    received: int = 0
    on_stage: int = 0
    in_writing: int = 0
    overdue: int = 0
    declined: int = 0
    open: int = 0
    units: list[UnitFigures] = field(default_factory=list)
    outlets: list[tuple[str, int]] = field(default_factory=list)
    sites: list[tuple[str, int]] = field(default_factory=list)


def build(*, event_id: int | None = None, start: datetime | None = None, end: datetime | None = None,
          today: date) -> Report:
    """Questions of one event, or of the events starting in [start, end); merged duplicates count
    once (their askers are the kept question's)."""
    query = (sa.select(Question).join(Event)
             .options(selectinload(Question.assignments).selectinload(QuestionAssignment.unit),
                      selectinload(Question.assignments).selectinload(QuestionAssignment.answer),
                      selectinload(Question.askers).selectinload(QuestionAsker.outlet),
                      selectinload(Question.askers).selectinload(QuestionAsker.site))
             .where(Question.status != QuestionStatus.MERGED))
    if event_id is not None:
        query = query.where(Question.event_id == event_id)
    if start is not None:
        query = query.where(Event.starts_at >= start)
    if end is not None:
        query = query.where(Event.starts_at < end)
    report = Report()
    units: dict[int, UnitFigures] = {}
    outlets: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    for question in db.session.scalars(query):
        report.received += 1
        report.on_stage += question.status == QuestionStatus.ANSWERED_ON_STAGE
        report.in_writing += question.status == QuestionStatus.ANSWERED
        report.declined += question.status == QuestionStatus.DECLINED
        report.open += question.status in (QuestionStatus.NEW, QuestionStatus.ASSIGNED)
        late = False
        for assignment in question.assignments:
            figures = units.setdefault(assignment.unit_id, UnitFigures(assignment.unit.name))
            figures.assigned += 1
            if assignment.is_answered:
                figures.answered += 1
                approved = assignment.answer.approved_at  # type: ignore[union-attr]
                if approved is not None:
                    figures.days.append((approved - assignment.assigned_at).total_seconds() / 86400)
            elif question.status == QuestionStatus.ASSIGNED and assignment.is_overdue(today):
                figures.overdue += 1
                late = True
        report.overdue += late
        for name in {a.outlet.name for a in question.askers if a.outlet is not None}:
            outlets[name] += 1
        for name in {a.site.name for a in question.askers if a.site is not None}:
            sites[name] += 1
    report.units = sorted(units.values(), key=lambda u: (-u.assigned, u.name))
    report.outlets = sorted(outlets.items(), key=lambda item: (-item[1], item[0]))
    report.sites = sorted(sites.items(), key=lambda item: (-item[1], item[0]))
    return report
