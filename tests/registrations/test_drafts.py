"""A public submission's e-mail is a draft committed with the seat and rendered after the commit:
by the request, or by the mail worker when the request died in between. Nothing lost, nothing twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.extensions import db
from eventapp.mail import drafts
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.mail.sender import _claim, retry, send_pending
from eventapp.models import utcnow
from eventapp.registrations import emails, public, services
from eventapp.registrations.models import (
    CalendarDelivery,
    CancelledBy,
    Registration,
    RegistrationStatus,
)
from tests.mail.conftest import smtp_server  # noqa: F401  (fixture: a real aiosmtpd on loopback)
from tests.registrations.conftest import TICKET_LINK, messages
from tests.registrations.mailcal import MailCalendars, truth

EMAIL = "binh@baochi.vn"


def _submit_and_die(event) -> int:
    """The seat's transaction commits; the process dies before rendering its e-mail."""
    outcome = public.submit_public(event, services.Applicant(full_name="Trần Thị Bình", email=EMAIL),
                                   render_after_commit=True)
    db.session.commit()
    db.session.info.clear()  # what the dead process knew is gone
    return outcome.registration.person_id


def test_the_form_renders_its_draft_right_after_the_commit(app, make_event, submit) -> None:
    event = make_event(capacity=5)
    db.session.commit()
    assert submit(event).status_code == 302
    (message,) = messages(emails.APPROVED, EMAIL)
    assert message.status == OutboxStatus.QUEUED and message.source_id is not None
    assert TICKET_LINK.search(message.body_text) and "data:image/png;base64," in message.body_html
    assert message.ics_method == "REQUEST" and event.uid in message.ics


def test_a_draft_left_by_a_dead_request_is_rendered_by_the_worker_once(app, make_event) -> None:
    event = make_event(capacity=5)
    db.session.commit()
    person_id = _submit_and_die(event)
    (draft,) = messages(to=EMAIL)
    assert draft.status == OutboxStatus.DRAFT and draft.body_text == ""
    # never sent half-written, and the calendar was not told yet
    assert _claim(utcnow() + timedelta(days=1), 10) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDelivery)) == 0
    # the request's grace period first (it may still be rendering), then the worker takes it
    assert drafts.render_due(utcnow()) == 0
    assert drafts.render_due(utcnow() + drafts.DRAFT_GRACE + timedelta(seconds=1)) == 1
    assert drafts.render_due(utcnow() + timedelta(days=1)) == 0
    db.session.expire_all()
    (message,) = messages(to=EMAIL)
    assert message.id == draft.id and message.status == OutboxStatus.QUEUED
    assert message.kind == emails.APPROVED and TICKET_LINK.search(message.body_text)
    mail = MailCalendars()
    mail.read_outbox()
    assert truth(person_id) and mail.sessions(EMAIL, event.starts_at, event.ends_at) == truth(person_id)


def test_changes_made_before_the_worker_renders_reach_the_calendar(app, make_event) -> None:
    """The organiser moves the event while the draft waits: whichever transaction reconciles first
    tells the calendar, the other finds nothing left to say, and the calendar ends up true."""
    event = make_event(capacity=5)
    db.session.commit()
    person_id = _submit_and_die(event)
    event.starts_at += timedelta(hours=2)
    event.ends_at += timedelta(hours=2)
    event.sequence = (event.sequence or 0) + 1
    db.session.commit()
    drafts.render_due(utcnow() + timedelta(days=1))
    mail = MailCalendars()
    mail.read_outbox()
    assert mail.sessions(EMAIL, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)) \
        == truth(person_id)


def test_a_failing_render_keeps_the_draft_unsent_and_says_why(app, make_event, monkeypatch) -> None:
    event = make_event(capacity=5)
    db.session.commit()
    _submit_and_die(event)

    def broken(_message: OutboxMessage) -> bool:
        raise RuntimeError("template missing")

    monkeypatch.setitem(drafts._RENDERERS, emails.APPROVED, broken)
    assert drafts.render_due(utcnow() + timedelta(days=1)) == 0
    (draft,) = messages(to=EMAIL)
    assert draft.status == OutboxStatus.DRAFT and draft.attempts == 1
    assert "template missing" in draft.last_error and draft.next_attempt_at > utcnow()
    monkeypatch.undo()
    retry(draft)  # the console's "retry": rendered at the next pass, never sent unwritten
    db.session.commit()
    assert draft.status == OutboxStatus.DRAFT and _claim(utcnow(), 10) == []
    assert drafts.render_due(utcnow()) == 1


def test_two_renderers_at_once_render_one_draft_once(app, make_event) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent transactions: PostgreSQL")
    event = make_event(capacity=5)
    db.session.commit()
    _submit_and_die(event)
    (draft,) = messages(to=EMAIL)
    barrier, done = threading.Barrier(2), []

    def render() -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            done.append(drafts.render([draft.id]))
            db.session.remove()

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(done) == [0, 1]
    db.session.expire_all()
    (message,) = messages(to=EMAIL)
    assert message.status == OutboxStatus.QUEUED and message.ics_method == "REQUEST"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDelivery)) == 1


def test_with_rendering_left_to_the_worker_the_form_only_decides_the_seat(app, make_event, submit, monkeypatch,
                                                                         smtp_server) -> None:  # noqa: F811
    monkeypatch.setitem(app.config, "MAIL_RENDER_IN_REQUEST", False)  # production's setting
    event = make_event(capacity=5)
    db.session.commit()
    assert submit(event).status_code == 302
    (draft,) = messages(to=EMAIL)
    # the request left it: a draft, due at once, and the calendar not told yet
    assert draft.status == OutboxStatus.DRAFT and draft.body_text == ""
    assert draft.next_attempt_at <= utcnow()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDelivery)) == 0
    # the worker's next pass renders it and sends it, once
    report = send_pending(now=utcnow())
    assert (report.rendered, report.sent) == (1, 1)
    assert send_pending(now=utcnow() + timedelta(days=1)).sent == 0
    db.session.expire_all()
    (message,) = messages(emails.APPROVED, EMAIL)
    assert message.status == OutboxStatus.SENT and message.ics_method == "REQUEST" and event.uid in message.ics
    [(recipients, received)] = smtp_server.messages
    assert recipients == [EMAIL] and event.title in received["Subject"]
    assert TICKET_LINK.search(received.get_body(preferencelist=("plain",)).get_content())


@pytest.mark.parametrize("change", ["promoted", "rejected", "cancelled"])
def test_a_draft_the_registration_outgrew_before_the_worker_came_is_never_sent(app, make_event, make_registration,
                                                                               submit, smtp_server,  # noqa: F811
                                                                               change, monkeypatch) -> None:
    """The worker lags; meanwhile the wait-listed journalist is promoted (or the approved one is
    rejected, or cancels): only the e-mail of that change goes out, never the stale one after it."""
    monkeypatch.setitem(app.config, "MAIL_RENDER_IN_REQUEST", False)
    event = make_event(capacity=1, waitlist_enabled=True)
    holder = make_registration(event)
    if change != "promoted":
        holder.status = RegistrationStatus.CANCELLED  # the seat is free: the journalist gets it
    db.session.commit()
    assert submit(event).status_code == 302
    (draft,) = messages(to=EMAIL)
    registration = db.session.get(Registration, draft.source_id)
    expected_draft = emails.WAITLISTED if change == "promoted" else emails.APPROVED
    assert draft.status == OutboxStatus.DRAFT and draft.kind == expected_draft
    if change == "promoted":
        services.cancel(holder, by=CancelledBy.REGISTRANT)  # the seat holder withdraws
    elif change == "rejected":
        services.change_status(registration, RegistrationStatus.REJECTED, actor=None, reason="Hết chỗ")
    else:
        services.cancel(registration, by=CancelledBy.REGISTRANT)
    db.session.commit()
    send_pending(now=utcnow())
    db.session.expire_all()
    assert db.session.get(OutboxMessage, draft.id) is None  # dropped, not sent
    sent = [m.kind for m in messages(to=EMAIL)]
    assert sent == [{"promoted": emails.PROMOTED, "rejected": emails.REJECTED, "cancelled": emails.CANCELLED}[change]]
    assert len([to for to, _mail in smtp_server.messages if to == [EMAIL]]) == 1
    # and the calendar holds what the database says
    mail = MailCalendars()
    mail.read_outbox()
    assert mail.sessions(EMAIL, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)) \
        == truth(registration.person_id)
