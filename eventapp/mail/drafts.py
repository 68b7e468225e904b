"""Drafts: an outbox row written with the change that causes it, rendered after that change commits.

Why: rendering an e-mail (templates, a ticket's QR image, the calendar parts worked out by the
reconciler) takes longer than the change itself, and a change that holds a lock (an event's seats)
should not hold it while rendering. So the change writes a `draft` row in its own transaction —
committed with it or not at all, so nothing is lost — and the draft is rendered into a queued
message in a second, short transaction: by the request right after its commit, or, when that
process died in between or the rendering failed, by the mail worker once `next_attempt_at` passes.
With MAIL_RENDER_IN_REQUEST off (production), the request does not render at all: the draft is due
at once and the worker renders it on its next pass, so a burst of registrations costs the web
workers the seat decisions only.
Rendering claims the row first (a conditional UPDATE), so two processes never render one draft.
The sender never sends a draft. Mail sits below the packages whose e-mails these are, so each
package registers the renderer of its kinds here (`register_renderer`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.models import rows_changed, utcnow

log = logging.getLogger(__name__)

# A renderer fills in subject, bodies (and may attach calendar parts); False: nothing to send any more.
Renderer = Callable[[OutboxMessage], bool]
_RENDERERS: dict[str, Renderer] = {}
# How long the request that wrote a draft has to render it before the worker takes over.
DRAFT_GRACE = timedelta(seconds=30)
RETRY_AFTER = timedelta(minutes=1)
_WRITTEN = "outbox_drafts"


def register_renderer(kinds: Iterable[str], renderer: Renderer) -> None:
    """Render drafts of these kinds with `renderer` (called at app start-up by the owner of the kinds)."""
    for kind in kinds:
        _RENDERERS[kind] = renderer


def queue_draft(*, kind: str, to_address: str, source_id: int, to_name: str | None = None,
                locale: str = "vi") -> OutboxMessage:
    """Write a draft in the caller's transaction; `render_written` renders it after the commit."""
    # Left to the worker: due at once. Rendered by the request: the worker waits for it first.
    grace = DRAFT_GRACE if renders_in_request() else timedelta(0)
    message = OutboxMessage(kind=kind, to_address=to_address, to_name=to_name, subject="", body_text="",
                            locale=locale, status=OutboxStatus.DRAFT, source_id=source_id,
                            next_attempt_at=utcnow() + grace)
    db.session.add(message)
    db.session.info.setdefault(_WRITTEN, []).append(message)
    return message


def renders_in_request() -> bool:
    """Whether the request renders its drafts (MAIL_RENDER_IN_REQUEST), or leaves them to the worker."""
    return bool(current_app.config.get("MAIL_RENDER_IN_REQUEST", True))


def render_written() -> int:
    """Render the drafts this session's committed transaction wrote (call right after the commit),
    unless the worker renders them. A failure is logged and left to the worker: the change it
    reports is committed already."""
    written = db.session.info.pop(_WRITTEN, [])
    if not renders_in_request():
        return 0
    # Drafts of a rolled-back attempt are transient again (never committed): they have no identity.
    ids = [identity[0] for identity in (sa.inspect(message).identity for message in written) if identity]
    return render(ids)


def render_due(now: datetime | None = None, limit: int = 100) -> int:
    """The worker's part: drafts whose writer did not render them in time."""
    ids = db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.DRAFT, OutboxMessage.next_attempt_at <= (now or utcnow()))
        .order_by(OutboxMessage.id).limit(limit)).all()
    db.session.rollback()
    return render(list(ids))


def render(ids: list[int]) -> int:
    """Render each draft in its own short transaction; returns how many became queued messages."""
    done = 0
    for message_id in ids:
        try:
            done += _render_one(message_id)
        except Exception as error:  # any failure leaves the draft for a later pass
            db.session.rollback()
            log.exception("outbox draft %s not rendered", message_id)
            _record_failure(message_id, error)
    return done


def _claim(message_id: int) -> bool:
    """Take the draft's row for this transaction; False when another process rendered it first.
    The UPDATE waits for a concurrent renderer's commit and then no longer matches."""
    result = db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.DRAFT)
        .values(status=OutboxStatus.DRAFT).execution_options(synchronize_session=False))
    return rows_changed(result) == 1


def _render_one(message_id: int) -> int:
    if not _claim(message_id):
        db.session.rollback()
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        # No wait for the WAL flush: a rendering lost in a PostgreSQL crash leaves its draft a
        # draft (the transaction that wrote it was flushed), and the worker renders it again. The
        # worker's claim before sending is flushed, and with it every earlier commit.
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    assert message is not None
    renderer = _RENDERERS.get(message.kind)
    if renderer is None:
        raise LookupError(f"no renderer for {message.kind!r}")
    if renderer(message):
        message.status = OutboxStatus.QUEUED
        message.next_attempt_at = utcnow()
    else:
        db.session.delete(message)  # its source is gone: there is nothing left to tell
    db.session.commit()
    return 1


def _record_failure(message_id: int, error: Exception) -> None:
    """Kept as a draft (never sent half-rendered), with the error, and tried again later."""
    try:
        _note_failure(message_id, error)
    except sa.exc.SQLAlchemyError:  # the database itself failed: the draft waits as it was
        db.session.rollback()
        log.exception("outbox draft %s: failure not recorded", message_id)


def _note_failure(message_id: int, error: Exception) -> None:
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.DRAFT)
        .values(attempts=OutboxMessage.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=utcnow() + RETRY_AFTER).execution_options(synchronize_session=False))
    db.session.commit()
