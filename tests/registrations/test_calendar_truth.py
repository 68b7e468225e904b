"""What each person's mail calendar shows stays the database's truth through organiser changes:
splits, whole-series registrations, skips, renames, and the choice of one calendar path."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from eventapp.directory.models import CalendarMode
from eventapp.events import occurrences
from eventapp.events import services as events
from eventapp.events.models import Event, EventMode, EventStatus
from eventapp.extensions import db
from eventapp.feeds import tokens
from eventapp.feeds.models import CalendarScope
from eventapp.mail.models import OutboxMessage
from eventapp.models import utcnow
from eventapp.registrations import enrolments, public, services
from eventapp.registrations.models import Enrolment, Registration, RegistrationStatus
from tests.events.conftest import TZ, make_series  # noqa: F401  (fixture)
from tests.registrations.mailcal import MailCalendars, feed_sessions, truth

EMAIL = "binh@baochi.vn"
FAR = datetime(2100, 1, 1, tzinfo=UTC)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _weekly(make_series, **values):  # noqa: F811
    series = make_series("FREQ=WEEKLY;BYDAY=TH", registration_opens_days_before=None,
                         registration_closes_hours_before=None, **values)
    return series, _rows(series.id)


def _rows(series_id: int) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(
        Event.series_id == series_id, Event.status == EventStatus.PUBLISHED).order_by(Event.starts_at)))


def _register(event: Event, *, whole_series: bool = False, email: str = EMAIL) -> Registration:
    public.submit_public(event, services.Applicant(full_name="Trần Thị Bình", email=email),
                           whole_series=whole_series)
    db.session.commit()
    return db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.person_id == services.find_person(email).id))


def _at(spec, hour: int):
    return replace(spec, dtstart_local=datetime.combine(spec.dtstart_local.date(), time(hour, 0)))


def _agrees(mail: MailCalendars, person_id: int, email: str = EMAIL) -> set:
    mail.read_outbox()
    expected = truth(person_id)
    assert mail.sessions(email, EPOCH, FAR) == expected
    return expected


def test_split_moves_a_single_session_without_a_duplicate(app, make_series) -> None:  # noqa: F811
    series, rows = _weekly(make_series)
    registration = _register(rows[7])
    mail = MailCalendars()
    _agrees(mail, registration.person_id)
    before = mail.messages[EMAIL]
    occurrences.split_at(rows[5], _at(events.spec_from_series(series), 14), now=utcnow())
    db.session.commit()
    sessions = _agrees(mail, registration.person_id)
    assert len(sessions) == 1
    [(start, _end, _title, _where)] = sessions
    assert start.astimezone(events.recurrence.zone(TZ)).hour == 14  # once, at the new time
    assert mail.messages[EMAIL] == before + 2  # the old identity withdrawn, the new one invited: two iTIP messages


def test_a_whole_series_registration_is_one_series_invitation(app, make_series) -> None:  # noqa: F811
    _series, rows = _weekly(make_series)
    registration = _register(rows[0], whole_series=True)
    [message] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.ics.count("BEGIN:VCALENDAR") == 1 and "RRULE:" in message.ics
    # The e-mail says how many sessions, which dates, and how to skip one.
    assert f"{len(rows)} buổi" in message.body_text and "Không tham dự buổi này" in message.body_text
    assert message.body_text.count(f"{rows[-1].starts_at:%Y}") >= 1
    form = app.test_client().get(f"/events/{rows[0].id}/register").get_data(as_text=True)
    assert f'data-series-sessions="{len(rows)}"' in form
    mail = MailCalendars()
    sessions = _agrees(mail, registration.person_id)
    assert len(sessions) == len(rows) > 40
    # Skipping a session updates the series invitation (an EXDATE), in one e-mail.
    enrolment = db.session.scalar(sa.select(Enrolment))
    enrolments.skip(enrolment, rows[3])
    db.session.commit()
    assert len(_agrees(mail, registration.person_id)) == len(rows) - 1
    last = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "EXDATE" in re.sub(r"\r\n ", "", last.ics) and mail.messages[EMAIL] == 2
    page = app.test_client().get(f"/ticket/{_ticket_token(registration)}").get_data(as_text=True)
    skipped_row = re.search(rf'data-session="{rows[3].id}".*?</li>', page, re.S).group(0)
    assert "data-session-skipped" in skipped_row  # said as the person's own choice, not "cancelled"
    enrolments.unskip(enrolment, rows[3])
    db.session.commit()
    assert len(_agrees(mail, registration.person_id)) == len(rows)


def test_enrolment_and_its_skips_follow_a_split(app, make_series) -> None:  # noqa: F811
    series, rows = _weekly(make_series)
    registration = _register(rows[0], whole_series=True)
    enrolment = db.session.scalar(sa.select(Enrolment))
    enrolments.skip(enrolment, rows[8])
    db.session.commit()
    mail = MailCalendars()
    _agrees(mail, registration.person_id)
    sent = mail.messages[EMAIL]
    new = occurrences.split_at(rows[5], _at(events.spec_from_series(series), 14), now=utcnow())
    db.session.commit()
    continued = db.session.scalar(sa.select(Enrolment).where(Enrolment.series_id == new.id))
    assert continued is not None and continued.status.value == "active"
    new_rows = _rows(new.id)
    assert len(new_rows) >= len(rows) - 5  # the horizon carried on
    mine = {r.event_id for r in db.session.scalars(sa.select(Registration).where(
        Registration.person_id == registration.person_id, Registration.status == RegistrationStatus.APPROVED))}
    skipped = rows[8]
    assert skipped.id not in mine and {r.id for r in new_rows} - {skipped.id} <= mine
    sessions = _agrees(mail, registration.person_id)
    assert len(sessions) == 5 + len(new_rows) - 1
    assert mail.messages[EMAIL] == sent + 2  # the shortened series and its continuation, never one per session
    # The ticket lists the continuation's sessions too, and one of them can be skipped from it.
    ticket = _ticket_token(registration)
    client = app.test_client()
    page = client.get(f"/ticket/{ticket}").get_data(as_text=True)
    later = next(r for r in new_rows[4:] if r.id != skipped.id)
    assert f'data-session="{later.id}"' in page
    assert client.post(f"/ticket/{ticket}/sessions/{later.id}/skip").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Registration.status).where(
        Registration.event_id == later.id, Registration.person_id == registration.person_id)).value == "cancelled"
    sessions = _agrees(mail, registration.person_id)
    # The subscription shows the same sessions.
    token = tokens.issue_token(CalendarScope.PERSON, registration.person_id)
    db.session.commit()
    body = app.test_client().get(f"/calendar/u/{token}.ics").data
    assert feed_sessions(body, utcnow(), FAR) == {s for s in sessions if s[1] > utcnow()}
    assert len(sessions) == 5 + len(new_rows) - 2  # the skip before the split and the one after


def test_renaming_one_session_reaches_its_registrants(app, make_series) -> None:  # noqa: F811
    _series, rows = _weekly(make_series)
    registration = _register(rows[2])
    mail = MailCalendars()
    _agrees(mail, registration.person_id)
    occurrences.update_event(rows[2], {"title": "Họp báo chuyên đề chuyển đổi số"})
    db.session.commit()
    [(_s, _e, title, _w)] = _agrees(mail, registration.person_id)
    assert title == "Họp báo chuyên đề chuyển đổi số"
    last = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert last.kind == "event_updated" and "tên" in last.body_text.lower() + last.subject.lower()


def test_changing_many_sessions_sends_one_email_per_person(app, make_series) -> None:  # noqa: F811
    series, rows = _weekly(make_series)
    single = _register(rows[1])
    for row in rows[2:6]:
        public.submit_public(row, services.Applicant(full_name="Trần Thị Bình", email=EMAIL))
    db.session.commit()
    mail = MailCalendars()
    _agrees(mail, single.person_id)
    sent = mail.messages[EMAIL]
    occurrences.update_series(series, replace(events.spec_from_series(series), venue="Hội trường B, 18 Nguyễn Du"))
    db.session.commit()
    _agrees(mail, single.person_id)
    assert mail.messages[EMAIL] == sent + 1


def test_one_calendar_path_subscription_withdraws_the_invitations(app, make_event) -> None:
    first = make_event(capacity=10)
    second = make_event(capacity=10, starts_in=timedelta(days=9), mode=EventMode.HYBRID,
                        online_url="https://meet.example.vn/hop-bao")
    db.session.commit()
    registration = _register(first)
    _register(second)
    mail = MailCalendars()
    assert len(_agrees(mail, registration.person_id)) == 2
    client = app.test_client()
    token = _ticket_token(registration)
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert 'data-calendar-path="invitations"' in page
    client.post(f"/ticket/{token}/calendar", data={"action": "issue"})
    assert registration.person.calendar_mode == CalendarMode.SUBSCRIPTION
    mail.read_outbox()
    assert mail.sessions(EMAIL, EPOCH, FAR) == set()  # withdrawn: only the subscription shows them
    # Later changes reach the person by e-mail, without calendar parts.
    occurrences.update_event(first, {"venue": "Phòng 201"})
    db.session.commit()
    last = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert last.kind == "event_updated" and last.ics is None
    client.post(f"/ticket/{token}/calendar", data={"action": "revoke"})
    assert registration.person.calendar_mode == CalendarMode.INVITATIONS
    assert len(_agrees(mail, registration.person_id)) == 2  # invited again


def _ticket_token(registration: Registration) -> str:
    from eventapp.registrations.tickets import issue_ticket

    token = issue_ticket(registration)
    db.session.commit()
    return token


def test_feed_sequence_rises_when_an_override_moves_again(app, make_series) -> None:  # noqa: F811
    _series, rows = _weekly(make_series)
    client = app.test_client()

    def sequences() -> list[int]:
        body = client.get("/calendar.ics").get_data(as_text=True)
        return [int(n) for n in re.findall(r"^SEQUENCE:(\d+)", body, re.MULTILINE)]

    occurrences.update_event(rows[3], {"starts_at": rows[3].starts_at + timedelta(hours=1),
                                       "ends_at": rows[3].ends_at + timedelta(hours=1)})
    db.session.commit()
    first = sequences()
    occurrences.update_event(rows[3], {"starts_at": rows[3].starts_at + timedelta(hours=1),
                                       "ends_at": rows[3].ends_at + timedelta(hours=1)})
    db.session.commit()
    second = sequences()
    assert len(first) == len(second) == 2  # master and its override
    assert min(second) > max(first)  # every component of the UID moved up
    occurrences.update_event(rows[5], {"venue": "Phòng 305"})
    db.session.commit()
    assert min(sequences()) > max(second)
