"""An event's certificate template and the certificates issued to the people present."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.accounts.models import User
from eventapp.events.models import Event
from eventapp.extensions import Model
from eventapp.models import TimestampMixin, UTCDateTime
from eventapp.registrations.models import Registration

CODE_LENGTH = 16


class CertificateTemplate(TimestampMixin, Model):
    """What an event's certificates say; an event without one uses the default wording."""

    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    signatory_name: Mapped[str] = mapped_column(sa.String(150), nullable=False, default="")
    signatory_title: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    place: Mapped[str] = mapped_column(sa.String(150), nullable=False, default="")
    issued_on: Mapped[date | None] = mapped_column(sa.Date)  # None: the event's last day

    event: Mapped[Event] = relationship()


class Certificate(TimestampMixin, Model):
    """One present registrant's certificate: an unguessable code for its verification page, and
    its revocation when it was issued by mistake (the page then says so)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(sa.String(CODE_LENGTH), unique=True, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(300))

    registration: Mapped[Registration] = relationship()
    revoked_by: Mapped[User | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def display_code(self) -> str:
        """The code in groups of four, as printed ("K7QM-3XPA-9RTD-W2HF")."""
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))
