"""Ticket links: derived from (registration, version), stored only as SHA-256; lookup, QR, URLs.

Why derived and not random: an e-mail must be able to carry the holder's *current* link again
(a duplicate submission, the day-before reminder, a decision) without changing it, or anyone who
types a journalist's address into the public form could kill their ticket. A random token can't
be repeated, since only its hash is kept. So the token is HMAC-SHA256(key, "id:version"), the key
derived from SECRET_KEY: it is recomputed whenever a message needs it, and the database still
holds only its hash (lookups, the check-in desk and the API are unchanged). The link changes only
when `ticket_version` is raised: when the holder asks for a new link through a confirmation
link sent to their address (`renewal_token`). Storing the token encrypted would need the same
key and a second secret column; the derivation needs neither.
Rows whose hash does not match the derivation (tickets issued before it, or after SECRET_KEY
was changed) keep working, but can't be repeated: their e-mails offer a new link instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

import segno
import sqlalchemy as sa
from flask import Response, current_app
from markupsafe import Markup

from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations.models import Registration
from eventapp.tokens import hash_token

# How long a "confirm: give me a new ticket link" link works, and how often a registration's
# holder can be sent a reminder or such a link on a stranger's (or their own) request.
RENEWAL_MAX_AGE = timedelta(hours=2)
TICKET_REMINDER_INTERVAL = timedelta(minutes=15)


def _mac(purpose: str, message: str) -> str:
    """43 URL-safe characters: HMAC-SHA256 under a key of its own, derived from SECRET_KEY."""
    key = hashlib.sha256(f"eventapp:{purpose}:".encode() + str(current_app.config["SECRET_KEY"]).encode()).digest()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _derived(registration: Registration) -> str:
    if registration.id is None:
        db.session.flush()
    return _mac("ticket", f"{registration.id}:{registration.ticket_version or 0}")


def current_ticket(registration: Registration) -> str | None:
    """The link token the holder has now (the first one is issued here); None when it can't be
    recomputed (issued before derived tickets, or under another SECRET_KEY). Never changes it."""
    token = _derived(registration)
    if registration.ticket_token_hash is None:
        registration.ticket_token_hash = hash_token(token)
    elif not hmac.compare_digest(registration.ticket_token_hash, hash_token(token)):
        return None
    return token


def issue_ticket(registration: Registration) -> str:
    """A new ticket link: the previous one stops working. Only for the holder's own request."""
    if registration.id is None:
        db.session.flush()
    registration.ticket_version = (registration.ticket_version or 0) + 1
    token = _derived(registration)
    registration.ticket_token_hash = hash_token(token)
    return token


def renewal_token(registration: Registration, now: datetime | None = None) -> str:
    """A confirmation link's token for "give me a new ticket link": signed, short-lived, and
    single-use (it names the ticket version that its use raises)."""
    expires = int(((now or utcnow()) + RENEWAL_MAX_AGE).timestamp())
    message = f"{registration.id}-{registration.ticket_version or 0}-{expires}"
    return f"{message}-{_mac('renew', message)}"


def find_by_renewal(token: str, now: datetime | None = None) -> Registration | None:
    """The registration a valid, unexpired, unused renewal token names, or None."""
    parts = token.split("-", 3) if token and len(token) <= 120 else []
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() for p in parts[:3]):
        return None
    registration_id, version, expires = (int(p) for p in parts[:3])
    if not hmac.compare_digest(parts[3], _mac("renew", "-".join(parts[:3]))):
        return None
    if expires < (now or utcnow()).timestamp() or registration_id > 2**62:
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or (registration.ticket_version or 0) != version:
        return None
    return registration


def may_remind(registration: Registration, now: datetime | None = None) -> bool:
    """Whether a reminder asked for from outside may go now; records it when so (rate limit
    kept in the row, so every worker sees it; callers hold the event lock or the row)."""
    now = now or utcnow()
    last = registration.ticket_reminded_at
    if last is not None and now - last < TICKET_REMINDER_INTERVAL:
        return False
    registration.ticket_reminded_at = now
    return True


def find_by_token(token: str) -> Registration | None:
    """The registration holding this token, or None (also for malformed tokens)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(Registration).where(Registration.ticket_token_hash == hash_token(token)))


def qr_svg(token: str) -> Markup:
    """The ticket's QR code as inline SVG (no style attributes, so the CSP allows it)."""
    code = segno.make(token, error="m")
    svg = code.svg_inline(scale=6, border=2, dark="#0b2540", light="#ffffff", omitsize=True)
    return Markup(svg)  # noqa: S704 - segno's own SVG markup, built from our token only


def public_url(endpoint: str, **values: object) -> str:
    """An absolute link for e-mails, built without a request (CLI, workers) from PUBLIC_BASE_URL."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path


def ticket_url(token: str) -> str:
    return public_url("registrations.ticket", token=token)


def renewal_url(registration: Registration) -> str:
    return public_url("registrations.renew_ticket", token=renewal_token(registration))


def private_response(response: Response) -> Response:
    """A ticket page (or one reached from it): never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
