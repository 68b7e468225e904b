"""Calendar subscription tokens (stored hashed, scoped to one feed, revocable)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventapp.extensions import Model
from eventapp.models import UTCDateTime, enum_check, enum_column, utcnow


class CalendarScope(enum.StrEnum):
    """Which personal feed a token opens."""

    PERSON = "person"
    SITE = "site"


class CalendarToken(Model):
    """A secret feed URL for one person's or one site's events."""

    __tablename__ = "calendar_tokens"
    __table_args__ = (
        enum_check("scope", CalendarScope),
        sa.CheckConstraint(
            "(scope = 'person' AND person_id IS NOT NULL AND site_id IS NULL)"
            " OR (scope = 'site' AND site_id IS NOT NULL AND person_id IS NULL)",
            name="scope_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    scope: Mapped[CalendarScope] = enum_column(CalendarScope, nullable=False)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FeedFragment(Model):
    """One feed's serialised blocks for one event or series, kept while the rows' version holds.

    Shared by every worker: a worker that starts, or that missed a change made through another,
    takes the blocks from here instead of rebuilding them (see feeds.fragments).
    """

    __tablename__ = "feed_fragments"

    feed_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # "e<event id>" or "s<series id>"
    version: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    blocks: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)


class FeedState(Model):
    """What a feed last served: the hash of its bytes (ETag) and when those bytes changed."""

    __tablename__ = "feed_states"

    feed_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    etag: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # Whole seconds (HTTP dates have no finer ones), strictly increasing across changes.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
