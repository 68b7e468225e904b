"""Issue 14, findings 6, 11, 12, 13: invitation and header injection, CSV formulas after a
separator, tokens left in the outbox and the development server's log, caching and charset."""

from __future__ import annotations

import csv
import io
import logging
import urllib.request

import sqlalchemy as sa
from icalendar import Calendar

from eventapp.accounts.models import Role
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.mail.sender import build_email, send_pending
from eventapp.registrations import emails, services
from eventapp.registrations.models import Registration, RegistrationChannel
from eventapp.spreadsheets import neutralise
from tests.conftest import LiveServer
from tests.mail import conftest as mail_fixtures
from tests.registrations import conftest as registration_fixtures
from tests.registrations.conftest import last_ticket_token, messages

# fixtures of the registration and mail tests, used here too
outlet, submit, smtp_server = registration_fixtures.outlet, registration_fixtures.submit, mail_fixtures.smtp_server

INJECTED_NAME = "A\nURL:https://evil.example/phish"


def unfolded_lines(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


# ----------------------------------------------------------------------------- 6: injection

def test_the_public_form_refuses_a_line_break_in_a_single_line_field(client, submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    for field, value in (("full_name", INJECTED_NAME), ("position", "a\rb"), ("press_card_no", "1\t2"),
                         ("outlet_name", "Báo\u2028Mới")):
        response = submit(event, **{field: value})
        assert response.status_code == 422, field
        assert "Vui lòng viết trên một dòng, không xuống dòng hay dấu tab." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0 and messages() == []


def test_a_name_with_a_line_break_cannot_add_a_property_to_an_invitation(app, make_event, make_person) -> None:
    # a record from before the form refused it (or an import): the invitation escapes it again
    event = make_event()
    person = make_person(INJECTED_NAME, email="victim@example.vn")
    outcome = services.register(event, person, channel=RegistrationChannel.CONSOLE, needs_approval=False)
    emails.notify_status(outcome.registration)
    db.session.commit()
    [message] = messages(kind=emails.APPROVED)
    assert not any(line.startswith("URL:https://evil") for line in unfolded_lines(message.ics))
    [vevent] = Calendar.from_ical(message.ics).walk("VEVENT")
    assert "evil.example" not in str(vevent.get("URL"))
    assert vevent["ATTENDEE"].params["CN"] == "A URL:https://evil.example/phish"


def test_a_line_break_in_a_name_or_subject_never_adds_an_email_header() -> None:
    message = OutboxMessage(id=1, kind="x", to_address="victim@example.vn", to_name="A\r\nBcc: evil@example.vn\x00",
                            subject="Vé\nBcc: evil@example.vn", body_text="x", locale="vi")
    email = build_email(message, "EventApp <noreply@example.vn>")
    assert email["Bcc"] is None
    assert "\n" not in str(email["To"]) and "\n" not in str(email["Subject"])
    assert b"\nBcc:" not in email.as_bytes()


# ------------------------------------------------------------------------- 11: CSV formulas

def test_formula_triggers_after_any_separator_are_neutralised() -> None:
    assert neutralise('x;=HYPERLINK("https://evil.example")') == 'x;\'=HYPERLINK("https://evil.example")'
    assert neutralise("a, +1") == "a, '+1"
    assert neutralise("a\t@SUM(1)") == "a\t'@SUM(1)"
    assert neutralise("a|-1") == "a|'-1"
    assert neutralise("=1") == "'=1"
    assert neutralise("Nguyễn Văn A; phóng viên") == "Nguyễn Văn A; phóng viên"
    assert neutralise(-5) == -5


def test_registrations_csv_has_no_live_formula_after_a_semicolon(client, login, make_user, make_event, make_person,
                                                                  make_registration) -> None:
    event = make_event()
    make_registration(event, make_person('x;=HYPERLINK("https://evil.example","bấm")'))
    login(make_user(Role.ORGANISER))
    db.session.commit()
    response = client.get(f"/console/registrations/events/{event.id}/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # 13: one charset
    text = response.data.decode("utf-8-sig")
    # split the way a spreadsheet with ";" (or ",") as its list separator would
    for separator in (";", ","):
        cells = [cell.strip().strip('"') for line in text.splitlines() for cell in line.split(separator)]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], separator
    assert list(csv.reader(io.StringIO(text)))[1][1] == 'x;\'=HYPERLINK("https://evil.example","bấm")'


# ------------------------------------------------------------------------ 12: clear tokens

def test_a_sent_message_keeps_no_ticket_link_in_the_outbox(client, submit, make_event, smtp_server) -> None:
    event = make_event()
    db.session.commit()
    submit(event)
    token = last_ticket_token("binh@baochi.vn")
    assert send_pending().sent == 1
    [(_to, delivered)] = smtp_server.messages
    assert token in delivered.get_body(("plain",)).get_content()
    db.session.expire_all()
    [message] = messages()
    stored = message.body_text + (message.body_html or "")
    assert token not in stored and "data:image" not in stored
    assert "/ticket/[token]" in message.body_text and "Trần Thị Bình" in message.body_text  # still readable
    assert client.get(f"/ticket/{token}").status_code == 200


def test_the_development_server_log_redacts_ticket_paths(app, submit, make_event, caplog) -> None:
    event = make_event()
    db.session.commit()
    submit(event)
    token = last_ticket_token("binh@baochi.vn")
    with (caplog.at_level(logging.INFO, logger="werkzeug"), LiveServer(app) as server,
          urllib.request.urlopen(f"{server.url}/ticket/{token}") as response):  # noqa: S310 - loopback
        assert response.status == 200
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/ticket/[token]" in line for line in lines), lines
    assert not any(token in line for line in lines)


# ------------------------------------------------------------------ 13: no-store everywhere

def test_console_and_ticket_pages_are_never_cached(client, login, make_user, submit, make_event) -> None:
    event = make_event()
    db.session.commit()
    submit(event)
    token = last_ticket_token("binh@baochi.vn")
    for path in (f"/ticket/{token}", f"/ticket/{token}/cancel"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert client.post(f"/ticket/{token}/renew").headers.get("Cache-Control") == "no-store"
    login(make_user(Role.ORGANISER))
    for path in ("/console/", f"/console/registrations/events/{event.id}", "/console/directory/people",
                 "/console/outbox/", "/console/events/"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers.get("Cache-Control") == "no-store", path
    assert client.get("/").headers.get("Cache-Control") != "no-store"  # public pages stay cacheable
