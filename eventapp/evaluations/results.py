"""Results of a questionnaire: per question, per talk and per site, and the rows of its exports."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventapp.calendar import recurrence
from eventapp.directory.collation import sort_key
from eventapp.evaluations.models import (
    RATING_MAX,
    RATING_MIN,
    EvaluationQuestion,
    EvaluationResponse,
    QuestionKind,
)
from eventapp.evaluations.services import questions
from eventapp.events.models import Event
from eventapp.extensions import db


@dataclass
class QuestionResult:
    """What the respondents said to one question."""

    question: EvaluationQuestion
    counts: Counter = field(default_factory=Counter)  # rating (int) or option (str) -> respondents
    texts: list[tuple[str, str]] = field(default_factory=list)  # (who: site name or "", text)

    @property
    def answered(self) -> int:
        return sum(self.counts.values()) if self.question.kind != QuestionKind.TEXT else len(self.texts)

    @property
    def average(self) -> float | None:
        total = sum(self.counts.values())
        if self.question.kind != QuestionKind.RATING or not total:
            return None
        return sum(rating * n for rating, n in self.counts.items()) / total

    def bars(self) -> list[tuple[str, int]]:
        """(label, respondents) in the question's own order: 5 down to 1, or the options."""
        if self.question.kind == QuestionKind.RATING:
            return [(f"{r} ★", self.counts.get(r, 0)) for r in range(RATING_MAX, RATING_MIN - 1, -1)]
        return [(option, self.counts.get(option, 0)) for option in self.question.options]


@dataclass
class SiteResult:
    """One site's responses (its attendees' and its own) and their average rating."""

    name: str
    responses: int = 0
    ratings: list[int] = field(default_factory=list)

    @property
    def average(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None


@dataclass
class Results:
    """Everything the results page and the exports show."""

    questions: list[QuestionResult]
    responses: list[EvaluationResponse]
    sites: list[SiteResult]

    @property
    def talks(self) -> list[QuestionResult]:
        """Ratings of talks, in programme order."""
        rated = [(item.position, r.question.position, r) for r in self.questions
                 if r.question.kind == QuestionKind.RATING and (item := r.question.agenda_item) is not None]
        return [r for _talk, _question, r in sorted(rated, key=lambda row: row[:2])]

    def talk_title(self, result: QuestionResult) -> str:
        """The talk a rating is about (talks lists only ratings of a talk)."""
        item = result.question.agenda_item
        return item.title if item is not None else result.question.prompt


def results(event: Event) -> Results:
    """All responses of the event, aggregated (a handful of queries, whatever the number of answers)."""
    asked = questions(event)
    by_id = {q.id: QuestionResult(q) for q in asked}
    responses = list(db.session.scalars(
        sa.select(EvaluationResponse).options(selectinload(EvaluationResponse.answers),
                                              selectinload(EvaluationResponse.site))
        .where(EvaluationResponse.event_id == event.id).order_by(EvaluationResponse.submitted_at)))
    sites: dict[int, SiteResult] = defaultdict(lambda: SiteResult(""))
    for response in responses:
        site_result = None
        if response.site is not None:
            site_result = sites[response.site.id]
            site_result.name = response.site.name
            site_result.responses += 1
        for answer in response.answers:
            result = by_id.get(answer.question_id)
            if result is None:
                continue
            if answer.rating is not None:
                result.counts[answer.rating] += 1
                if site_result is not None:
                    site_result.ratings.append(answer.rating)
            elif answer.choice is not None:
                result.counts[answer.choice] += 1
            elif answer.text:
                result.texts.append((response.site.name if response.site else "", answer.text))
    return Results(questions=[by_id[q.id] for q in asked], responses=responses,
                   sites=sorted(sites.values(), key=lambda s: sort_key(s.name)))


def export_rows(event: Event, data: Results, respondent_labels: dict, headers_start: list[str]
                ) -> tuple[list[str], list[list[object]]]:
    """One line per response (anonymous: who kind and site only), one column per question."""
    asked = [r.question for r in data.questions]
    headers = headers_start + [q.prompt for q in asked]
    rows = []
    for response in data.responses:
        answers = {a.question_id: a for a in response.answers}
        line: list[object] = [str(respondent_labels[response.respondent]),
                              response.site.name if response.site else "",
                              recurrence.to_local(response.submitted_at, event.tz)]
        for question in asked:
            answer = answers.get(question.id)
            if answer is None:
                line.append("")
            elif answer.rating is not None:
                line.append(answer.rating)
            else:
                line.append(answer.choice if answer.choice is not None else answer.text or "")
        rows.append(line)
    return headers, rows
