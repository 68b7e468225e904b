"""The outbox worker: claim due messages, deliver them over SMTP, retry failures with backoff."""

from __future__ import annotations

import contextlib
import re
import smtplib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa
from flask import current_app

from eventapp.extensions import db
from eventapp.logs import redact
from eventapp.mail.drafts import render_due
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.models import rows_changed, utcnow

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
# A message left in "sending" this long belongs to a worker that died: it is claimed again.
STALE_CLAIM = timedelta(minutes=10)
# Inline images (the ticket's QR code encodes the ticket itself): dropped from sent copies.
DATA_URI = re.compile(r"data:image/[a-z+.-]+;base64,[A-Za-z0-9+/=\s]+")


def one_line(text: str | None) -> str:
    """Header-safe text: every control or line-separator character is a space, runs collapsed."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text or "")
    return " ".join(cleaned.split())


def scrub_sent(message: OutboxMessage) -> None:
    """Once delivered, the stored copy keeps no live secret: links' tokens become "[token]" and
    inline QR images go, so the console's outbox stays readable but opens nobody's ticket."""
    message.body_text = redact(message.body_text)
    if message.body_html:
        message.body_html = redact(DATA_URI.sub("", message.body_html))


@dataclass
class SendReport:
    """What one pass of the worker did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    rendered: int = 0  # drafts rendered into messages first

    def busy(self, limit: int) -> bool:
        """Whether the pass stopped at its limit (more may be due: no pause before the next)."""
        return self.rendered >= limit or self.sent + self.retrying + self.failed >= limit


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most an hour."""
    return min(BASE_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


_CALENDAR_START = re.compile(r"^(?=BEGIN:VCALENDAR\r?$)", re.MULTILINE)


# Headers are folded at RFC 5322's 998 octets, not 78: CPython (up to 3.13) drops the space between
# two encoded words where it folds a long non-ASCII subject ("tuyêntruyền"). Bodies keep 7-bit
# transfer encodings whatever the line length (set per part below).
HEADER_POLICY = email_policy.default.clone(max_line_length=998)


def calendar_parts(ics: str | None) -> list[tuple[str, str]]:
    """(METHOD, text) of each VCALENDAR in a message's calendar text (the reconciler may join several)."""
    if not ics:
        return []
    parts = []
    # Only a line that is exactly BEGIN:VCALENDAR starts one (a typed text is escaped and folded).
    for text in _CALENDAR_START.split(ics):
        if not text.startswith("BEGIN:VCALENDAR"):
            continue
        method = next((line[7:].strip() for line in text.splitlines() if line.startswith("METHOD:")), "REQUEST")
        parts.append((method, text))
    return parts


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """A MIME message: plain text, an HTML alternative, and the calendar part when there is one."""
    email = EmailMessage(policy=HEADER_POLICY)
    email["From"] = sender
    # Header values are one line: a name or title typed with a line break must not break the message.
    email["To"] = formataddr((one_line(message.to_name), one_line(message.to_address)))
    email["Subject"] = one_line(message.subject)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain="eventapp")
    email["Content-Language"] = message.locale
    email.set_content(message.body_text, charset="utf-8", cte="quoted-printable")
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    for position, (method, calendar) in enumerate(calendar_parts(message.ics)):
        # Each iTIP message (one UID) goes in as clients expect: the first also as the inline
        # text/calendar alternative with method= (Outlook, Gmail show it), every one as an .ics
        # attachment, in order (a CANCEL of an old identity before the REQUEST that replaces it).
        if position == 0:
            email.add_alternative(calendar, subtype="calendar", charset="utf-8", cte="quoted-printable",
                                  params={"method": method})
        name = "invite" if method == "REQUEST" else "cancel"
        email.add_attachment(
            calendar, subtype="calendar", charset="utf-8", cte="base64",
            filename=f"{name}.ics" if position == 0 else f"{name}-{position + 1}.ics", params={"method": method},
        )
    return email


def _claim(now: datetime, limit: int) -> list[int]:
    """Mark up to `limit` due messages as sending, atomically, so two workers never send one twice."""
    due = sa.or_(
        sa.and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.updated_at <= now - STALE_CLAIM),
    )
    candidates = db.session.scalars(
        sa.select(OutboxMessage.id).where(due).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    ).all()
    claimed = []
    for message_id in candidates:
        # Conditional update: only one worker's UPDATE matches the row while it is still due.
        result = db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.id == message_id, due)
            .values(status=OutboxStatus.SENDING, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(result) == 1:
            claimed.append(message_id)
    db.session.commit()
    return claimed


def _smtp() -> smtplib.SMTP:
    config = current_app.config
    client = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", 20))
    if config.get("MAIL_USE_TLS"):
        client.starttls()
    if config.get("MAIL_USERNAME"):
        client.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return client


def send_pending(limit: int = 100, now: datetime | None = None) -> SendReport:
    """One pass: deliver due messages; a failure is recorded on the message and retried later."""
    now = now or utcnow()
    report = SendReport()
    # Drafts the request left to the worker (MAIL_RENDER_IN_REQUEST off), or left unrendered (it
    # died, or rendering failed): rendered first, so this pass sends them.
    report.rendered = render_due(now, limit)
    if report.rendered:
        now = max(now, utcnow())  # what was just rendered became due as it was rendered
    ids = _claim(now, limit)
    if not ids:
        return report
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    client: smtplib.SMTP | None = None
    try:
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            if message is None:
                continue  # claimed ids are never deleted meanwhile; nothing to send if one were
            try:
                if client is None:
                    client = _smtp()
                client.send_message(build_email(message, sender))
            except (TimeoutError, smtplib.SMTPException, OSError, ValueError) as exc:
                _record_failure(message, exc, now, report)
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    client = None  # reconnect for the next message
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = utcnow()
                message.attempts += 1
                message.last_error = None
                scrub_sent(message)
                report.sent += 1
            db.session.commit()  # each outcome is durable at once: a crash never resends a sent one
    finally:
        if client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
    return report


def _record_failure(message: OutboxMessage, exc: Exception, now: datetime, report: SendReport) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        message.status = OutboxStatus.QUEUED
        message.next_attempt_at = now + backoff(message.attempts)
        report.retrying += 1


def retry(message: OutboxMessage) -> None:
    """Put a failed (or waiting) message back in the queue for the next pass; a draft stays one
    (never sent unwritten) and is rendered at the next pass."""
    if message.status != OutboxStatus.DRAFT:
        message.status = OutboxStatus.QUEUED
    message.next_attempt_at = utcnow()
    if message.attempts >= MAX_ATTEMPTS:
        message.attempts = MAX_ATTEMPTS - 1
