"""Registrations, series enrolments with per-session skips, and press accreditations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.extensions import Model
from eventapp.models import TimestampMixin, UTCDateTime, enum_check, enum_column

if TYPE_CHECKING:
    from eventapp.directory.models import Organisation, Person, Site
    from eventapp.events.models import Event, EventSeries


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands; approved ones hold a seat."""

    PENDING = "pending"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = frozenset(
    {RegistrationStatus.PENDING, RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED}
)

# Allowed moves of the state machine; a cancelled or rejected registration may be revived.
TRANSITIONS: dict[RegistrationStatus, frozenset[RegistrationStatus]] = {
    RegistrationStatus.PENDING: frozenset(
        {RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED,
         RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED}
    ),
    RegistrationStatus.APPROVED: frozenset(
        {RegistrationStatus.WAITLISTED, RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED}
    ),
    RegistrationStatus.WAITLISTED: frozenset(
        {RegistrationStatus.APPROVED, RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED}
    ),
    RegistrationStatus.REJECTED: frozenset({RegistrationStatus.PENDING, RegistrationStatus.APPROVED}),
    RegistrationStatus.CANCELLED: frozenset(
        {RegistrationStatus.PENDING, RegistrationStatus.APPROVED, RegistrationStatus.WAITLISTED}
    ),
}


class RegistrationChannel(enum.StrEnum):
    """How the registration arrived."""

    PUBLIC = "public"
    SITE = "site"
    CONSOLE = "console"
    WALK_IN = "walk_in"


class CancelledBy(enum.StrEnum):
    """Who cancelled, shown to the registrant and in reports."""

    REGISTRANT = "registrant"
    ORGANISER = "organiser"
    COORDINATOR = "coordinator"


class CheckinMethod(enum.StrEnum):
    """How attendance was recorded."""

    SCAN = "scan"
    SEARCH = "search"
    ROLL_CALL = "roll_call"
    WALK_IN = "walk_in"


class AccreditationStatus(enum.StrEnum):
    """An organiser's decision on a journalist for a series or a period."""

    PENDING = "pending"
    APPROVED = "approved"
    REVOKED = "revoked"


class EnrolmentStatus(enum.StrEnum):
    """A person's standing registration for every upcoming occurrence of a series."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


class Registration(TimestampMixin, Model):
    """A person's registration for one event; at most one per (event, person)."""

    __tablename__ = "registrations"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "person_id"),
        enum_check("status", RegistrationStatus),
        enum_check("channel", RegistrationChannel),
        enum_check("cancelled_by", CancelledBy, nullable=True),
        enum_check("checkin_method", CheckinMethod, nullable=True),
        sa.Index("ix_registrations_event_id_status", "event_id", "status"),
        sa.Index("ix_registrations_event_id_site_id", "event_id", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="RESTRICT"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="RESTRICT"))
    enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolments.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[RegistrationChannel] = enum_column(RegistrationChannel, nullable=False)
    status: Mapped[RegistrationStatus] = enum_column(
        RegistrationStatus, nullable=False, default=RegistrationStatus.PENDING
    )
    status_reason: Mapped[str | None] = mapped_column(sa.String(500))
    cancelled_by: Mapped[CancelledBy | None] = enum_column(CancelledBy)
    # SHA-256 of the ticket token. The token is derived from (id, ticket_version) and a key from
    # SECRET_KEY (registrations/tickets.py), so e-mails can repeat it; a new link raises the version.
    ticket_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    ticket_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The last ticket reminder asked for from outside (a duplicate submission, a new-link request):
    # at most one per TICKET_REMINDER_INTERVAL, whichever worker answers.
    ticket_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi", server_default="vi")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    checkin_method: Mapped[CheckinMethod | None] = enum_column(CheckinMethod)
    # When the status last changed: the waiting list is served in this order.
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when `flask mail reminders` queued the day-before reminder: it is sent at most once.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(back_populates="registrations")
    person: Mapped[Person] = relationship(back_populates="registrations")
    site: Mapped[Site | None] = relationship()
    enrolment: Mapped[Enrolment | None] = relationship(back_populates="registrations")

    @hybrid_property
    def is_active(self) -> bool:
        """Pending, approved or wait-listed: the person still expects to come."""
        return self.status in ACTIVE_STATUSES

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls) -> sa.ColumnElement[bool]:
        return cls.status.in_(ACTIVE_STATUSES)

    @hybrid_property
    def holds_seat(self) -> bool:
        """Approved registrations hold a seat (the venue's, or their site's quota): the rule of
        capacity, feeds, invitations, reminders and reports alike, in Python and in SQL."""
        return self.status == RegistrationStatus.APPROVED

    def can_transition_to(self, new_status: RegistrationStatus) -> bool:
        return new_status in TRANSITIONS[self.status]

    def set_status(self, new_status: RegistrationStatus, now: datetime, reason: str | None = None) -> None:
        """Move along the state machine (ValueError on a forbidden move) and stamp the change."""
        if not self.can_transition_to(new_status):
            raise ValueError(f"{self.status} -> {new_status} is not allowed")
        self.status = new_status
        self.status_changed_at = now
        self.status_reason = (reason or "")[:500] or None
        if new_status != RegistrationStatus.CANCELLED:
            self.cancelled_by = None


class Enrolment(TimestampMixin, Model):
    """"All upcoming briefings of this series": one decision, with per-session skips."""

    __tablename__ = "enrolments"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "series_id"),
        enum_check("status", EnrolmentStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("event_series.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = enum_column(
        EnrolmentStatus, nullable=False, default=EnrolmentStatus.ACTIVE
    )

    person: Mapped[Person] = relationship()
    series: Mapped[EventSeries] = relationship()
    skips: Mapped[list[EnrolmentSkip]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )
    registrations: Mapped[list[Registration]] = relationship(back_populates="enrolment")


class EnrolmentSkip(Model):
    """One session an enrolled person will not attend."""

    __tablename__ = "enrolment_skips"
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)

    enrolment: Mapped[Enrolment] = relationship(back_populates="skips")


class Accreditation(TimestampMixin, Model):
    """A journalist approved for a series (or, with no series, for a period): later registrations auto-approve."""

    __tablename__ = "accreditations"
    __table_args__ = (
        enum_check("status", AccreditationStatus),
        sa.Index("ix_accreditations_person_id_series_id", "person_id", "series_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    outlet_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_series.id", ondelete="CASCADE"))
    status: Mapped[AccreditationStatus] = enum_column(
        AccreditationStatus, nullable=False, default=AccreditationStatus.PENDING
    )
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.String(500))

    person: Mapped[Person] = relationship()
    outlet: Mapped[Organisation | None] = relationship()
    series: Mapped[EventSeries | None] = relationship()


class CalendarDelivery(TimestampMixin, Model):
    """What one person's mail calendar was last told about one calendar identity (UID plus
    RECURRENCE-ID): the SEQUENCE and significant content of the last REQUEST, or that the last word
    was a CANCEL. The reconciler (calendar_sync) compares it with the database's truth."""

    __tablename__ = "calendar_deliveries"
    __table_args__ = (sa.UniqueConstraint("person_id", "uid", "recurrence_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    # "" for a series master or a one-off event, else the RECURRENCE-ID in UTC (YYYYMMDDTHHMMSSZ):
    # a NULL would not take part in the unique constraint.
    recurrence_key: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="")
    sequence: Mapped[int] = mapped_column(nullable=False, default=0)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="")
    cancelled: Mapped[bool] = mapped_column(nullable=False, default=False)
    # Enough to write a CANCEL once the rows behind the identity are gone or changed.
    summary: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    tz: Mapped[str] = mapped_column(sa.String(64), nullable=False, default=DEFAULT_TZ)
