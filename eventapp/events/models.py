"""Event series, their occurrences, one-off events, agendas and site participation."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.calendar.recurrence import DEFAULT_TZ
from eventapp.extensions import Model
from eventapp.models import TimestampMixin, UTCDateTime, enum_check, enum_column, utcnow

if TYPE_CHECKING:
    from eventapp.accounts.models import User
    from eventapp.directory.models import Site
    from eventapp.registrations.models import Registration


# One window for attendance, the door's check-in desk and the sites' roll-call alike: it opens a day
# before the start (people set up, test the video link, arrive early) and the desk closes a day after
# the end (late scans, offline queues replayed). A site's roll-call also locks itself at the end.
ATTENDANCE_OPENS_BEFORE = timedelta(hours=24)
ATTENDANCE_CLOSES_AFTER = timedelta(hours=24)


def new_uid() -> str:
    """A stable, opaque iCalendar UID shared by feeds and e-mailed invitations."""
    return f"{secrets.token_hex(16)}@eventapp"


class EventKind(enum.StrEnum):
    """What an event is; feeds and the home page group by it."""

    PRESS_BRIEFING = "press_briefing"
    TRAINING = "training"
    OTHER = "other"


class EventMode(enum.StrEnum):
    """How people attend."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class EventStatus(enum.StrEnum):
    """Stored lifecycle; "completed" is derived from the end time."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationWindow(enum.StrEnum):
    """Where an event's public registration stands now; the values are RegistrationError codes."""

    OPEN = "open"
    NOT_OPEN = "not_open"  # not published, or already started
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"


class SeriesStatus(enum.StrEnum):
    """A series is active or cancelled as a whole."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


class SiteParticipationStatus(enum.StrEnum):
    """A remote site's state on the roll-call board."""

    INVITED = "invited"
    CONNECTED = "connected"
    REPORTED = "reported"


class EventSeries(TimestampMixin, Model):
    """A recurring series (e.g. the monthly press briefing): a rule plus defaults for its occurrences."""

    __tablename__ = "event_series"
    __table_args__ = (
        enum_check("kind", EventKind),
        enum_check("mode", EventMode),
        enum_check("status", SeriesStatus),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        # Feeds read the newest change and the rows changed since their last look (feeds.listing).
        sa.Index("ix_event_series_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False, default=new_uid)
    kind: Mapped[EventKind] = enum_column(EventKind, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # RFC 5545 RRULE value without DTSTART; DTSTART is the local wall time below, in `tz`.
    rrule: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    dtstart_local: Mapped[datetime] = mapped_column(sa.DateTime(timezone=False), nullable=False)
    duration_minutes: Mapped[int] = mapped_column(nullable=False)
    tz: Mapped[str] = mapped_column(sa.String(64), nullable=False, default=DEFAULT_TZ)
    mode: Mapped[EventMode] = enum_column(EventMode, nullable=False, default=EventMode.IN_PERSON)
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    venue_address: Mapped[str | None] = mapped_column(sa.String(300))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    capacity: Mapped[int | None] = mapped_column()
    registration_opens_days_before: Mapped[int | None] = mapped_column()
    registration_closes_hours_before: Mapped[int | None] = mapped_column()
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    requires_press_card: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[SeriesStatus] = enum_column(SeriesStatus, nullable=False, default=SeriesStatus.ACTIVE)
    # Occurrence rows exist up to this instant; `flask events extend-horizon` moves it on.
    generated_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set on the newer half when "this and all following" splits a series.
    split_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="SET NULL")
    )
    sequence: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)

    occurrences: Mapped[list[Event]] = relationship(
        back_populates="series", order_by="Event.starts_at"
    )

    def __repr__(self) -> str:
        return f"<EventSeries {self.id} {self.title!r} {self.rrule}>"


class Event(TimestampMixin, Model):
    """One event: an occurrence of a series (possibly edited: an exception) or a one-off."""

    __tablename__ = "events"
    __table_args__ = (
        enum_check("kind", EventKind),
        enum_check("mode", EventMode),
        enum_check("status", EventStatus),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint(
            "(series_id IS NULL) = (original_start IS NULL)", name="occurrence_has_original_start"
        ),
        # An occurrence's identity within its series is its original start (RECURRENCE-ID).
        sa.UniqueConstraint("series_id", "original_start"),
        # Feeds read the newest change and the rows changed since their last look (feeds.listing),
        # and the last row that left their window (feeds.versions._left_by_time).
        sa.Index("ix_events_updated_at", "updated_at"),
        sa.Index("ix_events_ends_at", "ends_at"),
        sa.Index("ix_events_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False, default=new_uid)
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="RESTRICT"), index=True
    )
    original_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_exception: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    kind: Mapped[EventKind] = enum_column(EventKind, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    tz: Mapped[str] = mapped_column(sa.String(64), nullable=False, default=DEFAULT_TZ)
    mode: Mapped[EventMode] = enum_column(EventMode, nullable=False, default=EventMode.IN_PERSON)
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    venue_address: Mapped[str | None] = mapped_column(sa.String(300))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[EventStatus] = enum_column(EventStatus, nullable=False, default=EventStatus.DRAFT)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    capacity: Mapped[int | None] = mapped_column()
    waitlist_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    requires_press_card: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # RFC 5545 SEQUENCE: bumped by every change a calendar must see.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)

    series: Mapped[EventSeries | None] = relationship(back_populates="occurrences")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="event", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    sites: Mapped[list[EventSite]] = relationship(back_populates="event", cascade="all, delete-orphan")
    registrations: Mapped[list[Registration]] = relationship(back_populates="event")

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def is_visible_to(self, user: User) -> bool:
        """The one status rule of every staff screen and API: a draft exists only for organisers;
        coordinators and check-in staff (and their API tokens) get a 404 for it everywhere."""
        return self.status != EventStatus.DRAFT or bool(getattr(user, "is_organiser", False))

    @classmethod
    def visible_to(cls, user: User) -> sa.ColumnElement[bool]:
        """is_visible_to as a condition on Event, for lists."""
        if getattr(user, "is_organiser", False):
            return sa.true()
        return cls.status != EventStatus.DRAFT

    def is_completed(self, now: datetime | None = None) -> bool:
        """Past events are completed; this is derived, never stored."""
        return self.status == EventStatus.PUBLISHED and self.ends_at <= (now or utcnow())

    def registration_window(self, now: datetime | None = None) -> RegistrationWindow:
        """The one rule of the registration window, for the public form, enrolments and pages."""
        now = now or utcnow()
        if self.status != EventStatus.PUBLISHED or self.starts_at <= now:
            return RegistrationWindow.NOT_OPEN
        if self.registration_opens_at and now < self.registration_opens_at:
            return RegistrationWindow.NOT_YET_OPEN
        if self.registration_closes_at and now >= self.registration_closes_at:
            return RegistrationWindow.CLOSED
        return RegistrationWindow.OPEN

    def is_registration_open(self, now: datetime | None = None) -> bool:
        return self.registration_window(now) == RegistrationWindow.OPEN

    @property
    def site_deadline(self) -> datetime:
        """Coordinators may add, edit and cancel their site's people until registration closes
        (or, without a closing time, until the event starts)."""
        return self.registration_closes_at or self.starts_at

    def site_changes_open(self, now: datetime | None = None) -> bool:
        """Whether a coordinator may still change the site's registrations of this event."""
        return self.is_published and (now or utcnow()) < self.site_deadline

    @property
    def attendance_opens_at(self) -> datetime:
        """When the desk and the roll-call open (see ATTENDANCE_OPENS_BEFORE)."""
        return self.starts_at - ATTENDANCE_OPENS_BEFORE

    @property
    def attendance_closes_at(self) -> datetime:
        """When the desk closes (see ATTENDANCE_CLOSES_AFTER)."""
        return self.ends_at + ATTENDANCE_CLOSES_AFTER

    def attendance_not_yet_open(self, now: datetime | None = None) -> bool:
        """True before the attendance window opens: the screens say when it will."""
        return (now or utcnow()) < self.attendance_opens_at

    def is_attendance_open(self, at: datetime | None = None) -> bool:
        """People can be checked in or rolled-called for a published event inside its window."""
        at = at or utcnow()
        return (self.status == EventStatus.PUBLISHED
                and self.attendance_opens_at <= at <= self.attendance_closes_at)

    def bump_sequence(self) -> None:
        """A change calendars must see. An occurrence's calendar identity is its series' UID, whose
        SEQUENCE (the series' counter, never below any of its rows') rises with it: RFC 5545 wants
        the UID's SEQUENCE raised when any of its components changes."""
        self.sequence = (self.sequence or 0) + 1
        if self.series is not None:
            self.series.sequence = max((self.series.sequence or 0) + 1, self.sequence)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class AgendaItem(Model):
    """A talk or session within an event's programme."""

    __tablename__ = "agenda_items"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(nullable=False, default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    speaker: Mapped[str | None] = mapped_column(sa.String(150))
    speaker_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    speaker_organisation_name: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    is_parallel: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    event: Mapped[Event] = relationship(back_populates="agenda_items")


class EventSite(TimestampMixin, Model):
    """A site's participation in one event: its quota, join details and roll-call state."""

    __tablename__ = "event_sites"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "site_id"),
        enum_check("status", SiteParticipationStatus),
        sa.CheckConstraint("quota >= 0", name="quota_not_negative"),
        sa.CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    quota: Mapped[int] = mapped_column(nullable=False, default=0)
    room: Mapped[str | None] = mapped_column(sa.String(200))
    join_url: Mapped[str | None] = mapped_column(sa.String(500))
    passcode: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[SiteParticipationStatus] = enum_column(
        SiteParticipationStatus, nullable=False, default=SiteParticipationStatus.INVITED
    )
    headcount: Mapped[int | None] = mapped_column()
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_locked: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The roll-call locks itself when the event ends; an organiser's reopening is recorded here.
    report_reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(back_populates="sites")
    site: Mapped[Site] = relationship()
