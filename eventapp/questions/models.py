"""Questions, their askers, their assignments to ministry units, the units' answers, and per-event settings."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import Model
from eventapp.models import TimestampMixin, UTCDateTime, enum_check, enum_column

if TYPE_CHECKING:
    from eventapp.accounts.models import User
    from eventapp.directory.models import Organisation, Person, Site
    from eventapp.events.models import AgendaItem, Event


class QuestionStatus(enum.StrEnum):
    """Where a question stands in the cycle."""

    NEW = "new"                      # received, waiting for triage
    ASSIGNED = "assigned"            # given to one or more units (for the stage or in writing)
    ANSWERED_ON_STAGE = "answered_on_stage"
    ANSWERED = "answered"            # every unit's written answer approved
    DECLINED = "declined"
    MERGED = "merged"                # a duplicate: its askers now belong to another question


OPEN_STATUSES = frozenset({QuestionStatus.NEW, QuestionStatus.ASSIGNED})
CLOSED_STATUSES = frozenset({QuestionStatus.DECLINED, QuestionStatus.MERGED})


class Handling(enum.StrEnum):
    """How the ministry answers: from the stage during the event, or in writing."""

    STAGE = "stage"
    WRITTEN = "written"


class LiveState(enum.StrEnum):
    """A stage question's place in the moderator's live queue."""

    QUEUED = "queued"
    BEING_ANSWERED = "being_answered"
    DONE = "done"


class AskedVia(enum.StrEnum):
    """The path a question (or one of its askers) came in by."""

    REGISTRATION = "registration"    # the public registration form
    TICKET = "ticket"                # the ticket page, before the event
    LIVE = "live"                    # the ticket page, during the event
    COORDINATOR = "coordinator"      # a site coordinator, on behalf of their site


class AnswerStatus(enum.StrEnum):
    """A unit's written answer: drafted, submitted for approval, returned with a comment, approved."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class Question(TimestampMixin, Model):
    """One question put to the ministry about an event (or one of its agenda items)."""

    __tablename__ = "questions"
    __table_args__ = (
        enum_check("status", QuestionStatus),
        enum_check("handling", Handling, nullable=True),
        enum_check("live_state", LiveState, nullable=True),
        sa.Index("ix_questions_event_id_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id", ondelete="SET NULL"))
    # The text as the organiser edited it for clarity; the asker's own words stay in original_text.
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    original_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    topic: Mapped[str | None] = mapped_column(sa.String(150))
    status: Mapped[QuestionStatus] = enum_column(QuestionStatus, nullable=False, default=QuestionStatus.NEW)
    handling: Mapped[Handling | None] = enum_column(Handling)
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="SET NULL"))
    asked_live: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), nullable=False)
    live_state: Mapped[LiveState | None] = enum_column(LiveState)
    live_position: Mapped[int | None] = mapped_column()
    # Who answered from the stage (the moderator's note) and when.
    answered_by_note: Mapped[str | None] = mapped_column(sa.String(300))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The written answers went to every asker (once).
    answers_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_published: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), nullable=False)

    event: Mapped[Event] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    askers: Mapped[list[QuestionAsker]] = relationship(back_populates="question", order_by="QuestionAsker.id")
    assignments: Mapped[list[QuestionAssignment]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="QuestionAssignment.id")
    merged_into: Mapped[Question | None] = relationship(remote_side=[id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def was_edited(self) -> bool:
        return self.text != self.original_text

    def is_overdue(self, today: date) -> bool:
        """Assigned, and some unit is past its due date without having submitted an answer."""
        return self.status == QuestionStatus.ASSIGNED and any(a.is_overdue(today) for a in self.assignments)


class QuestionAsker(Model):
    """One person, outlet or site that asked a question (a merged duplicate keeps all of them)."""

    __tablename__ = "question_askers"
    __table_args__ = (
        enum_check("asked_via", AskedVia),
        sa.CheckConstraint("person_id IS NOT NULL OR site_id IS NOT NULL", name="someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True,
                                             nullable=False)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    outlet_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"),
                                                  index=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    asked_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    asked_via: Mapped[AskedVia] = enum_column(AskedVia, nullable=False)
    # This asker's own words (a merge keeps them, the question's text may differ).
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    question: Mapped[Question] = relationship(back_populates="askers")
    person: Mapped[Person | None] = relationship()
    outlet: Mapped[Organisation | None] = relationship()
    site: Mapped[Site | None] = relationship()

    @property
    def label(self) -> str:
        """Who asked, as the organiser reads it: name · outlet, or the site."""
        parts = [p for p in (self.person.full_name if self.person else None,
                             self.outlet.name if self.outlet else None,
                             self.site.name if self.site else None) if p]
        return " · ".join(parts)


class QuestionAssignment(Model):
    """A question given to one ministry unit, with a due date; reminders go out once each."""

    __tablename__ = "question_assignments"
    __table_args__ = (sa.UniqueConstraint("question_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True,
                                         nullable=False)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reminded_before_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    question: Mapped[Question] = relationship(back_populates="assignments")
    unit: Mapped[Organisation] = relationship()
    answer: Mapped[QuestionAnswer | None] = relationship(back_populates="assignment", uselist=False,
                                                          cascade="all, delete-orphan")

    @property
    def is_answered(self) -> bool:
        return self.answer is not None and self.answer.status == AnswerStatus.APPROVED

    def is_overdue(self, today: date) -> bool:
        """Past its due date with no answer submitted or approved."""
        if self.due_on is None or self.due_on >= today:
            return False
        return self.answer is None or self.answer.status in (AnswerStatus.DRAFT, AnswerStatus.RETURNED)


class QuestionAnswer(TimestampMixin, Model):
    """A unit's written answer to its assignment, with an optional document."""

    __tablename__ = "question_answers"
    __table_args__ = (enum_check("status", AnswerStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question_assignments.id", ondelete="CASCADE"), unique=True, nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    status: Mapped[AnswerStatus] = enum_column(AnswerStatus, nullable=False, default=AnswerStatus.DRAFT)
    # The attached document: stored under QUESTION_DOCUMENTS_FOLDER by a random name.
    document_key: Mapped[str | None] = mapped_column(sa.String(80))
    document_name: Mapped[str | None] = mapped_column(sa.String(200))
    document_type: Mapped[str | None] = mapped_column(sa.String(100))
    return_comment: Mapped[str | None] = mapped_column(sa.String(1000))
    drafted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assignment: Mapped[QuestionAssignment] = relationship(back_populates="answer")
    drafted_by: Mapped[User | None] = relationship(foreign_keys=[drafted_by_id])


class QuestionSettings(Model):
    """An event's question settings: until when questions may be sent in advance."""

    __tablename__ = "question_settings"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    asking_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
