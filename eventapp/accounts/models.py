"""Console users, their roles and their API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from eventapp.extensions import Model
from eventapp.models import TimestampMixin, UTCDateTime, enum_check, enum_column, utcnow

if TYPE_CHECKING:
    from eventapp.directory.models import Organisation, Site


class Role(enum.StrEnum):
    """What a console user may do; site coordinators are bound to one site or organisation, unit
    respondents to one ministry unit."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    SITE_COORDINATOR = "site_coordinator"
    CHECKIN_STAFF = "checkin_staff"
    # Drafts answers to the questions assigned to one ministry unit, and sees nothing else.
    UNIT_RESPONDENT = "unit_respondent"


class User(UserMixin, TimestampMixin, Model):
    """A person who signs in to the console."""

    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", Role),
        sa.CheckConstraint(
            "role != 'site_coordinator' OR site_id IS NOT NULL OR organisation_id IS NOT NULL",
            name="coordinator_bound",
        ),
        sa.CheckConstraint("role != 'unit_respondent' OR unit_id IS NOT NULL", name="unit_respondent_bound"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(150), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    role: Mapped[Role] = enum_column(Role, nullable=False)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    # The ministry unit a unit respondent answers for (their whole view of the console).
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    is_active_account: Mapped[bool] = mapped_column(
        "is_active", default=True, server_default=sa.true(), nullable=False
    )
    # Bumped on password change or deactivation: every existing session stops working.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1", nullable=False)
    # A temporary password (set by an admin, or a reset) must be replaced at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi", server_default="vi")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    site: Mapped[Site | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    unit: Mapped[Organisation | None] = relationship(foreign_keys=[unit_id])

    # Flask-Login
    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_organiser(self) -> bool:
        """Organisers and admins run events."""
        return self.role in (Role.ADMIN, Role.ORGANISER)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(Model):
    """A bearer token for /api/v1 clients, acting as its user; only the secret's SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
