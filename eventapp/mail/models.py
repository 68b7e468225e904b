"""The outbox: e-mail written in the same transaction as the change, sent by a worker."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventapp.extensions import Model
from eventapp.models import TimestampMixin, UTCDateTime, enum_check, enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    """Delivery state; failed messages stay visible and can be retried."""

    DRAFT = "draft"  # written with the change, rendered after its commit (mail.drafts)
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(TimestampMixin, Model):
    """One e-mail waiting for, or past, delivery."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        enum_check("status", OutboxStatus),
        sa.CheckConstraint("ics_method IS NULL OR ics_method IN ('REQUEST', 'CANCEL')", name="ics_method_valid"),
        sa.Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    to_address: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    to_name: Mapped[str | None] = mapped_column(sa.String(150))
    subject: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    ics: Mapped[str | None] = mapped_column(sa.Text)
    ics_method: Mapped[str | None] = mapped_column(sa.String(10))
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi", server_default="vi")
    status: Mapped[OutboxStatus] = enum_column(OutboxStatus, nullable=False, default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The row a draft is rendered from (a registration for registration.* kinds).
    source_id: Mapped[int | None] = mapped_column()
