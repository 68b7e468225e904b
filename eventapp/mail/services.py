"""Queue e-mail in the outbox (same transaction as the change that caused it)."""

from __future__ import annotations

from datetime import datetime

from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.models import utcnow


def queue_message(
    *, kind: str, to_address: str, subject: str, body_text: str, to_name: str | None = None,
    body_html: str | None = None, ics: str | None = None, ics_method: str | None = None,
    locale: str = "vi", send_after: datetime | None = None,
) -> OutboxMessage:
    """Add a message to the outbox; it is committed with the caller's transaction and sent by
    `flask mail send`, so a request never waits for SMTP and nothing is lost if SMTP is down."""
    message = OutboxMessage(
        kind=kind, to_address=to_address, to_name=to_name, subject=subject[:300], body_text=body_text,
        body_html=body_html, ics=ics, ics_method=ics_method, locale=locale, status=OutboxStatus.QUEUED,
        next_attempt_at=send_after or utcnow(),
    )
    db.session.add(message)
    return message
