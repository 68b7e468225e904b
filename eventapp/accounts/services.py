"""Account actions: create users, change roles, reset passwords, deactivate."""

from __future__ import annotations

import secrets
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from werkzeug.security import check_password_hash, generate_password_hash

from eventapp import audit
from eventapp.accounts import passwords
from eventapp.accounts.models import Role, User
from eventapp.directory.models import Organisation, OrganisationKind, normalise_email
from eventapp.extensions import db
from eventapp.models import utcnow


class AccountError(ValueError):
    """A domain rule about accounts was broken; the message is translatable text."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def find_user_by_email(email: str) -> User | None:
    normalised = normalise_email(email)
    if not normalised or "\x00" in normalised:
        return None  # no such account (and PostgreSQL refuses NUL in a text parameter: a 500)
    return db.session.scalar(sa.select(User).where(User.email == normalised))


def generate_password() -> str:
    """A temporary password an admin can read out: 16 URL-safe characters."""
    return secrets.token_urlsafe(12)


def _check_binding(role: Role, site_id: int | None, organisation_id: int | None, unit_id: int | None) -> None:
    if role == Role.SITE_COORDINATOR and site_id is None and organisation_id is None:
        raise AccountError(gettext("A site coordinator must be bound to a site or an organisation."), "site_id")
    if role == Role.UNIT_RESPONDENT:
        unit = db.session.get(Organisation, unit_id) if unit_id is not None else None
        if unit is None or unit.kind != OrganisationKind.MINISTRY_UNIT:
            raise AccountError(gettext("A unit respondent must be bound to a ministry unit."), "unit_id")


def create_user(
    *, email: str, password: str, role: Role, full_name: str = "", site_id: int | None = None,
    organisation_id: int | None = None, unit_id: int | None = None, actor: User | None = None,
    temporary: bool = False,
) -> User:
    """A new account; `temporary`: the password was set by someone else (an admin), so the user
    must replace it at the first sign-in."""
    email_key = normalise_email(email)
    if not email_key:
        raise AccountError(gettext("An e-mail address is required."), "email")
    if find_user_by_email(email_key):
        raise AccountError(gettext("A user with this e-mail address already exists."), "email")
    _check_binding(role, site_id, organisation_id, unit_id)
    user = User(
        email=email_key, full_name=full_name.strip(), role=role,
        site_id=site_id if role == Role.SITE_COORDINATOR else None,
        organisation_id=organisation_id if role == Role.SITE_COORDINATOR else None,
        unit_id=unit_id if role == Role.UNIT_RESPONDENT else None,
        session_version=0, must_change_password=temporary,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, f"{user.email} ({role.value})")
    return user


def update_user(
    user: User, *, full_name: str, role: Role, site_id: int | None, organisation_id: int | None,
    actor: User | None, unit_id: int | None = None,
) -> User:
    _check_binding(role, site_id, organisation_id, unit_id)
    before = {"role": user.role.value, "site_id": user.site_id, "organisation_id": user.organisation_id,
              "unit_id": user.unit_id}
    user.full_name = full_name.strip()
    user.role = role
    user.site_id = site_id if role == Role.SITE_COORDINATOR else None
    user.organisation_id = organisation_id if role == Role.SITE_COORDINATOR else None
    user.unit_id = unit_id if role == Role.UNIT_RESPONDENT else None
    after = {"role": user.role.value, "site_id": user.site_id, "organisation_id": user.organisation_id,
             "unit_id": user.unit_id}
    if before != after:
        # A changed role takes effect at once: existing sessions must sign in again.
        user.session_version += 1
    db.session.flush()
    audit.record(actor, "user.update", user, user.email, {"before": before, "after": after})
    return user


def reset_password(user: User, *, actor: User | None, new_password: str | None = None) -> str:
    """A new temporary password (every session ends); the user must replace it at the next sign-in."""
    password = new_password or generate_password()
    user.set_password(password)
    user.must_change_password = True
    db.session.flush()
    audit.record(actor, "user.reset_password", user, user.email)
    return password


def set_active(user: User, active: bool, *, actor: User | None) -> None:
    if actor is not None and actor.id == user.id and not active:
        raise AccountError(gettext("You cannot deactivate your own account."))
    user.is_active_account = active
    user.session_version += 1
    db.session.flush()
    audit.record(actor, "user.activate" if active else "user.deactivate", user, user.email)


def change_own_password(user: User, *, current: str, new: str) -> None:
    """The user replaces their password: the current one must be right and the new one pass the
    rule; every other session and remember-me cookie of the user ends (set_password)."""
    if not user.check_password(current or ""):
        raise AccountError(gettext("The current password is not correct."), "current_password")
    if new == current:
        raise AccountError(gettext("Choose a password different from the current one."), "new_password")
    reason = passwords.problem(new, user.email)
    if reason:
        raise AccountError(reason, "new_password")
    user.set_password(new)
    user.must_change_password = False
    db.session.flush()
    audit.record(user, "user.change_password", user, user.email)


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie and remember-me cookie carries the old
    version and stops opening the console (a cookie copied before sign-out is worthless)."""
    user.session_version += 1
    db.session.flush()


@lru_cache(maxsize=4)
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_hex(8), method=method)


def _dummy_hash() -> str:
    return _dummy_hash_for(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work is done for unknown e-mails."""
    user = find_user_by_email(email or "")
    if user is None:
        # Check against a dummy hash of the same method so timing does not reveal which e-mails exist.
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user
