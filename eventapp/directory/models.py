"""Organisations (ministry units, provincial departments, press outlets), sites and people."""

from __future__ import annotations

import enum
import unicodedata
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import Model
from eventapp.models import TimestampMixin, enum_check, enum_column

if TYPE_CHECKING:
    from eventapp.registrations.models import Registration


class OrganisationKind(enum.StrEnum):
    """What an organisation is within the communication network."""

    MINISTRY_UNIT = "ministry_unit"
    PROVINCIAL_DEPARTMENT = "provincial_department"
    PRESS_OUTLET = "press_outlet"
    OTHER = "other"


class Region(enum.StrEnum):
    """The socio-economic regions used in provinces.csv, for picking sites in bulk."""

    NORTHERN_MIDLANDS = "northern_midlands"
    RED_RIVER_DELTA = "red_river_delta"
    NORTH_CENTRAL = "north_central"
    SOUTH_CENTRAL_COAST = "south_central_coast"
    CENTRAL_HIGHLANDS = "central_highlands"
    SOUTHEAST = "southeast"
    MEKONG_DELTA = "mekong_delta"


REGION_BY_VIETNAMESE_NAME = {
    "Trung du và miền núi phía Bắc": Region.NORTHERN_MIDLANDS,
    "Đồng bằng sông Hồng": Region.RED_RIVER_DELTA,
    "Bắc Trung Bộ": Region.NORTH_CENTRAL,
    "Duyên hải Nam Trung Bộ": Region.SOUTH_CENTRAL_COAST,
    "Tây Nguyên": Region.CENTRAL_HIGHLANDS,
    "Đông Nam Bộ": Region.SOUTHEAST,
    "Đồng bằng sông Cửu Long": Region.MEKONG_DELTA,
}


def normalise_email(email: str | None) -> str | None:
    """The key people are deduplicated by: NFC, trimmed, lower-cased; None when blank."""
    if email is None:
        return None
    value = unicodedata.normalize("NFC", email).strip().lower()
    return value or None


def normalise_text(value: str | None) -> str:
    """Unicode NFC with surrounding whitespace removed (Vietnamese may arrive decomposed)."""
    return unicodedata.normalize("NFC", value or "").strip()


class Organisation(TimestampMixin, Model):
    """A ministry unit, a provincial department (Sở TT&TT) or a press outlet."""

    __tablename__ = "organisations"
    __table_args__ = (
        sa.UniqueConstraint("kind", "name"),
        enum_check("kind", OrganisationKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = enum_column(OrganisationKind, nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    short_name: Mapped[str | None] = mapped_column(sa.String(60))
    province_code: Mapped[str | None] = mapped_column(sa.String(3), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    # Outlets typed in by a journalist wait for an organiser to confirm them.
    is_confirmed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    sites: Mapped[list[Site]] = relationship(back_populates="organisation")
    people: Mapped[list[Person]] = relationship(back_populates="organisation")

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<Organisation {self.kind} {self.name!r}>"


class Site(TimestampMixin, Model):
    """A place that joins events: a Sở TT&TT (remote site) or one of the Ministry's locations."""

    __tablename__ = "sites"
    __table_args__ = (enum_check("region", Region, nullable=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    province_code: Mapped[str | None] = mapped_column(sa.String(3), index=True)
    region: Mapped[Region | None] = enum_column(Region)
    address: Mapped[str | None] = mapped_column(sa.String(300))
    is_ministry_location: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Provinces merge over time: a site is deactivated, never deleted, so history stays intact.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    organisation: Mapped[Organisation | None] = relationship(back_populates="sites")

    def __repr__(self) -> str:
        return f"<Site {self.code} {self.name!r}>"


class CalendarMode(enum.StrEnum):
    """How a person's calendar learns about their sessions."""

    INVITATIONS = "invitations"
    SUBSCRIPTION = "subscription"


class Person(TimestampMixin, Model):
    """One human, deduplicated by normalised e-mail; registrations and accreditations hang off it."""

    __tablename__ = "people"
    __table_args__ = (enum_check("calendar_mode", CalendarMode),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(150), nullable=False)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # NULLs are distinct, so people without e-mail (registered by a site) never collide.
    email_normalised: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[str | None] = mapped_column(sa.String(150))
    press_card_no: Mapped[str | None] = mapped_column(sa.String(40))
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi", server_default="vi")
    # One calendar path per person: e-mailed invitations (REQUEST/CANCEL) or a personal
    # subscription, never both, or every session would show twice.
    calendar_mode: Mapped[CalendarMode] = enum_column(
        CalendarMode, nullable=False, default=CalendarMode.INVITATIONS,
        server_default=CalendarMode.INVITATIONS.value)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")
    registrations: Mapped[list[Registration]] = relationship(back_populates="person")

    def set_email(self, email: str | None) -> None:
        self.email = normalise_text(email) or None
        self.email_normalised = normalise_email(email)

    def __repr__(self) -> str:
        return f"<Person {self.full_name!r}>"
