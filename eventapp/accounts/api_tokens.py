"""API tokens: issue (the secret is shown once, only its hash is kept), list, revoke, authenticate."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from eventapp import audit
from eventapp.accounts.models import ApiToken, User
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.tokens import hash_token, looks_like_token, new_token

MAX_LIVE_TOKENS = 20  # per user: a handful of devices and integrations, never thousands
TOUCH_EVERY = timedelta(hours=1)  # last_used_at is written at most hourly, not on every call


class ApiTokenError(ValueError):
    """A token cannot be issued; the message is translated text for the form."""


def live_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))) or 0


def issue(user: User, name: str, *, actor: User | None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the secret (which is never stored)."""
    if live_count(user) >= MAX_LIVE_TOKENS:
        raise ApiTokenError(gettext("You already have %(count)d active API tokens; revoke one first.",
                                    count=MAX_LIVE_TOKENS))
    secret = new_token()
    token = ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.issue", token, f"{user.email}: {token.name}")
    return token, secret


def revoke(token: ApiToken, *, actor: User | None, now: datetime | None = None) -> bool:
    """Revoke the token (idempotent); True when it was live."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or utcnow()
    db.session.flush()
    audit.record(actor, "api_token.revoke", token, f"{token.user.email}: {token.name}")
    return True


def tokens_of(user_id: int | None = None) -> list[ApiToken]:
    """One user's tokens (or everyone's), live first, newest first, owners loaded in bulk."""
    query = sa.select(ApiToken).options(selectinload(ApiToken.user)).order_by(
        ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(db.session.scalars(query))


def bearer_secret(header: str | None) -> str | None:
    """The secret of an `Authorization: Bearer <secret>` header, or None."""
    scheme, _, secret = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    secret = secret.strip()
    return secret if looks_like_token(secret) else None


def authenticate(secret: str | None, now: datetime | None = None) -> User | None:
    """The active user holding this live token, or None (unknown, revoked, deactivated user).

    Records the use at most hourly with one conditional UPDATE, committed at once (no write per
    API call, and a read-only request has nothing else to commit).
    """
    if not looks_like_token(secret):
        return None
    row = db.session.execute(
        sa.select(ApiToken.id, ApiToken.last_used_at, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row.User.is_active:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == row.id, sa.or_(ApiToken.last_used_at.is_(None),
                                                ApiToken.last_used_at <= now - TOUCH_EVERY))
            .values(last_used_at=now).execution_options(synchronize_session=False))
        db.session.commit()
    return row.User
