"""Which user a signed-in session carries, read back on every request (Flask-Login's user loader)."""

from __future__ import annotations

from eventapp.accounts.models import User
from eventapp.extensions import db


def load_user(user_key: str) -> User | None:
    """Sessions carry "id:version"; a password change or deactivation invalidates them."""
    user_id, _, version = user_key.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user
