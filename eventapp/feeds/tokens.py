"""Calendar subscription tokens: long random secrets, stored hashed, one feed each, revocable."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from eventapp.extensions import db
from eventapp.feeds.models import CalendarScope, CalendarToken
from eventapp.models import rows_changed, utcnow
from eventapp.tokens import hash_token, looks_like_token, new_token


def _owner_filter(scope: CalendarScope, owner_id: int) -> sa.ColumnElement[bool]:
    column = CalendarToken.person_id if scope == CalendarScope.PERSON else CalendarToken.site_id
    return sa.and_(CalendarToken.scope == scope, column == owner_id)


def revoke_tokens(scope: CalendarScope, owner_id: int, now: datetime | None = None) -> int:
    """Revoke every live token of one person's or site's feed; returns how many."""
    result = db.session.execute(
        sa.update(CalendarToken)
        .where(_owner_filter(scope, owner_id), CalendarToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow()))
    db.session.flush()
    return rows_changed(result)


def issue_token(scope: CalendarScope, owner_id: int) -> str:
    """A new secret for the feed, revoking older ones (re-issue); only its hash is stored."""
    revoke_tokens(scope, owner_id)
    token = new_token()
    db.session.add(CalendarToken(
        token_hash=hash_token(token), scope=scope,
        person_id=owner_id if scope == CalendarScope.PERSON else None,
        site_id=owner_id if scope == CalendarScope.SITE else None))
    db.session.flush()
    return token


def find_token(token: str, scope: CalendarScope) -> CalendarToken | None:
    """The live token of this scope, or None (unknown, malformed, revoked or another feed's)."""
    if not looks_like_token(token):
        return None
    found = db.session.scalar(sa.select(CalendarToken).where(
        CalendarToken.token_hash == hash_token(token), CalendarToken.scope == scope,
        CalendarToken.revoked_at.is_(None)))
    return found


def is_revoked(token: str) -> bool:
    """Whether this secret was issued once and revoked since (not a guess)."""
    if not looks_like_token(token):
        return False
    return bool(db.session.scalar(sa.select(sa.exists().where(
        CalendarToken.token_hash == hash_token(token), CalendarToken.revoked_at.is_not(None)))))


def has_live_token(scope: CalendarScope, owner_id: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(
        _owner_filter(scope, owner_id), CalendarToken.revoked_at.is_(None)))))


def touch_token(token: CalendarToken, now: datetime) -> bool:
    """Record use at most daily (a write per hourly poll would cost more than the feed)."""
    if token.last_used_at is None or now - token.last_used_at > timedelta(days=1):
        token.last_used_at = now
        return True
    return False
