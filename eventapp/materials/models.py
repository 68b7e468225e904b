"""Material files and recording/livestream links, each shown to the audience the organiser chose."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import Model
from eventapp.models import TimestampMixin, enum_check, enum_column

if TYPE_CHECKING:
    from eventapp.events.models import AgendaItem, Event


class Audience(enum.StrEnum):
    """Who may see a material or a link. Each wider audience includes the one before it:
    organisers and coordinators of the event's sites see everything, approved registrants see
    public and registrants-only items, and anyone sees public ones."""

    PUBLIC = "public"
    REGISTRANTS = "registrants"
    SITES = "sites"


# What each kind of reader may see, from the narrowest reader to the widest.
ANYONE = frozenset({Audience.PUBLIC})
REGISTRANT = frozenset({Audience.PUBLIC, Audience.REGISTRANTS})
SITE_STAFF = frozenset(Audience)


class LinkKind(enum.StrEnum):
    """What an event link leads to."""

    RECORDING = "recording"
    LIVESTREAM = "livestream"


class Material(TimestampMixin, Model):
    """One uploaded file of an event (or of one talk of it); the bytes live in the storage folder."""

    __tablename__ = "materials"
    __table_args__ = (
        enum_check("audience", Audience),
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        sa.CheckConstraint("download_count >= 0", name="download_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    # The uploader's file name, cleaned (shown and offered when saving); never used as a path.
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    # The kind read from the bytes (pdf, docx, pptx, xlsx, png, jpg, gif, webp) and its MIME type.
    kind: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # A random name inside the storage folder: nothing the uploader typed reaches the file system.
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    audience: Mapped[Audience] = enum_column(Audience, nullable=False, default=Audience.PUBLIC)
    download_count: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()


class EventLink(TimestampMixin, Model):
    """A recording or a livestream of an event, shown to the audience the organiser chose."""

    __tablename__ = "event_links"
    __table_args__ = (enum_check("audience", Audience), enum_check("kind", LinkKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LinkKind] = enum_column(LinkKind, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    url: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    audience: Mapped[Audience] = enum_column(Audience, nullable=False, default=Audience.PUBLIC)

    event: Mapped[Event] = relationship()
