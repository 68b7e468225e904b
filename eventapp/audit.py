"""The audit log: every state change an organiser makes, with who, what and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventapp.extensions import Model, db
from eventapp.models import UTCDateTime, utcnow


class AuditEntry(Model):
    """One recorded action."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    object_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    object_id: Mapped[int | None] = mapped_column()
    summary: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    diff: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


def record(actor: Any, action: str, obj: Any, summary: str = "", diff: dict | None = None) -> AuditEntry:
    """Add an audit entry for `obj` to the session (flushes with the change, commits with it)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        summary=summary[:300],
        diff=diff,
    )
    db.session.add(entry)
    return entry
