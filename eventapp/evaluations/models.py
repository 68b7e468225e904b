"""Questions of an event's questionnaire, the responses (one per attendee or per site) and their answers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import Model
from eventapp.models import UTCDateTime, enum_check, enum_column, utcnow

if TYPE_CHECKING:
    from eventapp.directory.models import Site
    from eventapp.events.models import AgendaItem


class QuestionKind(enum.StrEnum):
    """The few kinds of question a questionnaire has."""

    RATING = "rating"   # 1 (poor) to 5 (excellent), usually of one talk
    CHOICE = "choice"   # one of the organiser's options
    TEXT = "text"       # free text


class Respondent(enum.StrEnum):
    """Who answered: one attendee (through their ticket) or a site (its coordinator, for the room)."""

    ATTENDEE = "attendee"
    SITE = "site"


RATING_MIN, RATING_MAX = 1, 5
MAX_TEXT = 2000


class EvaluationQuestion(Model):
    """One question of an event's questionnaire, in the organiser's order."""

    __tablename__ = "evaluation_questions"
    __table_args__ = (enum_check("kind", QuestionKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(nullable=False, default=0)
    kind: Mapped[QuestionKind] = enum_column(QuestionKind, nullable=False)
    prompt: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    # The talk a rating is about (results per talk); None for questions about the whole event.
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    # A single-choice question's options, one per line.
    options_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    agenda_item: Mapped[AgendaItem | None] = relationship()

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.options_text.splitlines() if line.strip()]


class EvaluationResponse(Model):
    """One filled-in questionnaire. `respondent_key` ("r<registration id>" or "s<site id>") is unique
    per event: a second answer from the same attendee or site is refused by the database itself."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "respondent_key"),
        enum_check("respondent", Respondent),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[Respondent] = enum_column(Respondent, nullable=False)
    respondent_key: Mapped[str] = mapped_column(sa.String(24), nullable=False)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    # The attendee's site (if they took part from one) or the site answering: results per site.
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="SET NULL"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    site: Mapped[Site | None] = relationship()
    answers: Mapped[list[EvaluationAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class EvaluationAnswer(Model):
    """One answer: a rating, a chosen option or a text, by the question's kind."""

    __tablename__ = "evaluation_answers"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id"),
        sa.CheckConstraint(f"rating IS NULL OR (rating >= {RATING_MIN} AND rating <= {RATING_MAX})",
                           name="rating_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation_questions.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int | None] = mapped_column()
    choice: Mapped[str | None] = mapped_column(sa.String(200))
    text: Mapped[str | None] = mapped_column(sa.Text)

    response: Mapped[EvaluationResponse] = relationship(back_populates="answers")
    question: Mapped[EvaluationQuestion] = relationship()


class DayAfterEmail(Model):
    """The day-after e-mail queued for one registration: at most once (the primary key says so)."""

    __tablename__ = "day_after_emails"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class SiteEvaluationNotice(Model):
    """The e-mail asking a site's coordinators to answer for their site: at most once per site and event."""

    __tablename__ = "site_evaluation_notices"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
