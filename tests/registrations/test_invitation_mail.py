"""What a journalist's mailbox receives over real SMTP: Vietnamese text and iTIP invitations whose UID
is the feed's, a REQUEST on confirmation and a CANCEL with a higher SEQUENCE on cancellation."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar

from eventapp.events.services import SeriesSpec, create_series
from eventapp.extensions import db
from eventapp.mail.sender import send_pending
from tests.mail.conftest import smtp_server  # noqa: F401  (fixture: a real aiosmtpd on loopback)
from tests.registrations.conftest import TICKET_LINK


def _calendar_part(email):
    parts = [p for p in email.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "no calendar part"
    return parts[-1].get_param("method"), Calendar.from_ical(parts[-1].get_content())


def test_confirmation_carries_a_request_and_cancel_a_cancel(client, submit, make_event, smtp_server) -> None:  # noqa: F811
    event = make_event(title="Họp báo chuyển đổi số", capacity=20)
    db.session.commit()
    assert submit(event, full_name="Trần Thị Bình", email="binh@baochi.vn").status_code == 302
    assert send_pending().sent == 1
    [(recipients, email)] = smtp_server.messages
    assert recipients == ["binh@baochi.vn"]
    assert "Họp báo chuyển đổi số" in email["Subject"]
    assert "Trần Thị Bình" in email.get_body(preferencelist=("plain",)).get_content()
    method, calendar = _calendar_part(email)
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event.uid  # the UID the feeds use for a one-off
    assert str(vevent["SUMMARY"]) == "Họp báo chuyển đổi số"
    assert str(vevent["ATTENDEE"]).lower() == "mailto:binh@baochi.vn"
    assert "ORGANIZER" in vevent and vevent["DTSTART"].dt.tzinfo is not None
    first_sequence = int(vevent["SEQUENCE"])

    feed = Calendar.from_ical(client.get(f"/events/{event.id}.ics").data)
    assert str(feed.walk("VEVENT")[0]["UID"]) == event.uid

    # the link as delivered (the outbox keeps no live link once a message is sent)
    token = TICKET_LINK.search(email.get_body(preferencelist=("plain",)).get_content()).group(1)
    response = client.post(f"/ticket/{token}/cancel", data={"confirm": "y"})
    assert response.status_code in (302, 303)
    assert send_pending().sent == 1
    method, calendar = _calendar_part(smtp_server.messages[-1][1])
    [vevent] = calendar.walk("VEVENT")
    assert method == "CANCEL" and str(vevent["UID"]) == event.uid
    assert int(vevent["SEQUENCE"]) > first_sequence and str(vevent["STATUS"]) == "CANCELLED"


def test_occurrence_invitation_uses_series_uid_and_recurrence_id(submit, smtp_server) -> None:  # noqa: F811
    start = (datetime.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    series = create_series(SeriesSpec(title="Họp báo thường kỳ", rrule="FREQ=WEEKLY",
                                      dtstart_local=start, duration_minutes=60, venue="18 Nguyễn Du"),
                           publish=True)
    db.session.commit()
    occurrence = series.occurrences[1]
    assert submit(occurrence, email="an@baochi.vn").status_code == 302
    send_pending()
    _method, calendar = _calendar_part(smtp_server.messages[-1][1])
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == series.uid
    assert vevent["RECURRENCE-ID"].dt.astimezone(occurrence.original_start.tzinfo) == occurrence.original_start


def test_confirmation_html_carries_the_ticket_qr_code(submit, make_event, smtp_server) -> None:  # noqa: F811
    import base64
    import re

    event = make_event(capacity=5)
    db.session.commit()
    submit(event, email="qr@baochi.vn")
    send_pending()
    html = smtp_server.messages[-1][1].get_body(preferencelist=("html",)).get_content()
    png = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert png and base64.b64decode(png.group(1)).startswith(b"\x89PNG")
