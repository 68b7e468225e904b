"""The outbox worker against a real SMTP server: delivery, Vietnamese intact, nothing lost when down."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage, OutboxStatus
from eventapp.mail.sender import MAX_ATTEMPTS, backoff, send_pending
from eventapp.mail.services import queue_message
from eventapp.models import utcnow

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//EventApp//VI\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:abc@eventapp\r\nDTSTAMP:20261122T000000Z\r\nDTSTART:20261203T080000Z\r\n"
    "SUMMARY:Họp báo thường kỳ tháng 12\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _queue(n: int = 1, **values) -> list[OutboxMessage]:
    messages = [queue_message(
        kind="registration_received", to_address=f"nhabao{i}@example.vn", to_name="Nguyễn Thị Hà",
        subject="Xác nhận đăng ký: Họp báo thường kỳ", body_text="Kính gửi chị Hà, đăng ký đã được ghi nhận.",
        body_html="<p>Kính gửi chị <b>Hà</b></p>", **values) for i in range(n)]
    db.session.commit()
    return messages


def test_messages_arrive_with_vietnamese_text_and_a_parseable_invitation(app, smtp_server) -> None:
    _queue(1, ics=ICS, ics_method="REQUEST")
    report = send_pending()
    assert report.sent == 1
    [(recipients, email)] = smtp_server.messages
    assert recipients == ["nhabao0@example.vn"]
    assert email["Subject"] == "Xác nhận đăng ký: Họp báo thường kỳ"
    assert "Nguyễn Thị Hà" in email["To"]
    assert "đăng ký đã được ghi nhận" in email.get_body(preferencelist=("plain",)).get_content()
    assert "<b>Hà</b>" in email.get_body(preferencelist=("html",)).get_content()
    calendars = [part for part in email.walk() if part.get_content_type() == "text/calendar"]
    assert calendars and all(part.get_param("method") == "REQUEST" for part in calendars)
    parsed = Calendar.from_ical(calendars[-1].get_content())
    assert str(parsed.walk("VEVENT")[0]["SUMMARY"]) == "Họp báo thường kỳ tháng 12"
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.SENT and message.sent_at is not None


def test_nothing_is_lost_while_smtp_is_down(app, smtp_server) -> None:
    smtp_server.stop()
    _queue(3)
    now = utcnow()
    report = send_pending(now=now)
    assert (report.sent, report.retrying) == (0, 3)
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert all(m.status == OutboxStatus.QUEUED and m.attempts == 1 and m.last_error for m in messages)
    assert all(m.next_attempt_at >= now + backoff(1) - timedelta(seconds=1) for m in messages)
    # not due yet: a pass right now sends nothing
    smtp_server.start()
    assert send_pending(now=now).sent == 0
    # once due, everything goes out exactly once
    later = now + timedelta(minutes=5)
    assert send_pending(now=later).sent == 3
    assert send_pending(now=later + timedelta(hours=1)).sent == 0
    assert sorted(r[0] for r, _ in smtp_server.messages) == [f"nhabao{i}@example.vn" for i in range(3)]


def test_permanently_failing_message_is_marked_failed_and_retried_from_console(
        app, smtp_server, client, make_user, login) -> None:
    smtp_server.stop()
    [message] = _queue(1)
    when = utcnow()
    for _ in range(MAX_ATTEMPTS):
        send_pending(now=when)
        when += timedelta(hours=2)
    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED and message.attempts == MAX_ATTEMPTS

    login(make_user(Role.ORGANISER))
    page = client.get("/console/outbox/?status=failed")
    assert page.status_code == 200 and "nhabao0@example.vn" in page.get_data(as_text=True)
    assert client.post(f"/console/outbox/{message.id}/retry").status_code == 302
    db.session.refresh(message)
    assert message.status == OutboxStatus.QUEUED
    smtp_server.start()
    assert send_pending().sent == 1


def test_a_claimed_message_is_not_sent_twice(app, smtp_server) -> None:
    _queue(2)
    from eventapp.mail.sender import _claim

    first = _claim(utcnow(), 10)
    second = _claim(utcnow(), 10)
    assert len(first) == 2 and second == []


def test_cli_single_pass(app, smtp_server) -> None:
    _queue(2)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "sent 2" in result.output
    assert len(smtp_server.messages) == 2


def test_html_in_fields_is_escaped_in_the_console(app, client, make_user, login) -> None:
    queue_message(kind="x", to_address="a@example.vn", subject="<script>alert(1)</script>", body_text="x")
    db.session.commit()
    login(make_user(Role.ORGANISER))
    text = client.get("/console/outbox/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text


def test_an_organiser_reads_one_message(app, client, make_user, login) -> None:
    [message] = _queue(1, ics=ICS, ics_method="REQUEST")
    message.last_error = "550 mailbox <unavailable>"
    db.session.commit()
    url = f"/console/outbox/{message.id}"
    login(make_user(Role.ORGANISER))
    assert url in client.get("/console/outbox/").get_data(as_text=True)  # the list links to it
    page = client.get(url).get_data(as_text=True)
    assert "nhabao0@example.vn" in page and "Nguyễn Thị Hà" in page
    assert "Kính gửi chị Hà, đăng ký đã được ghi nhận." in page
    assert "SUMMARY:Họp báo thường kỳ tháng 12" in page and "(REQUEST)" in page
    assert "550 mailbox &lt;unavailable&gt;" in page  # shown, escaped
    assert client.get("/console/outbox/999999").status_code == 404


def test_only_organisers_read_messages(app, client, make_user, make_site, login) -> None:
    [message] = _queue(1)
    site = make_site()
    for role in (Role.SITE_COORDINATOR, Role.CHECKIN_STAFF):
        client.post("/logout")
        login(make_user(role, site=site if role == Role.SITE_COORDINATOR else None))
        assert client.get(f"/console/outbox/{message.id}").status_code == 403
    client.post("/logout")
    assert client.get(f"/console/outbox/{message.id}").status_code == 302  # to the sign-in page
    login(make_user(Role.ADMIN))
    assert client.get(f"/console/outbox/{message.id}").status_code == 200


@pytest.mark.parametrize("subject", [
    "Đã hủy: Hội thảo tập huấn (14:00, Chủ Nhật 20/12/2026)",
    "Thay đổi: Họp báo chuyên đề về chuyển đổi số quốc gia và an toàn thông tin mạng (09:00, Thứ Năm 21/01/2027)",
])
def test_long_vietnamese_subjects_keep_every_space(subject: str) -> None:
    """CPython folds a long encoded subject at 78 octets and drops the space between two encoded
    words; the sender folds headers at 998 so what arrives is what was written."""
    import email
    from email import policy

    from eventapp.mail.models import OutboxMessage
    from eventapp.mail.sender import build_email

    message = OutboxMessage(id=1, kind="notice", to_address="an@baochi.vn", to_name="Nguyễn Văn An",
                            subject=subject, body_text="Nội dung " * 40, locale="vi")
    received = email.message_from_bytes(build_email(message, "EventApp <noreply@eventapp.vn>").as_bytes(),
                                        policy=policy.default)
    assert received["Subject"] == subject
    assert received.get_content().strip() == ("Nội dung " * 40).strip()
    assert received["Content-Transfer-Encoding"] == "quoted-printable"  # 7-bit on the wire
