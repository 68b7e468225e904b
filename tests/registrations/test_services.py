"""Approval, accreditation, waiting-list order, organiser decisions, enrolment skips, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.accounts.models import Role
from eventapp.events.models import Event, EventKind, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.models import utcnow
from eventapp.registrations import emails, enrolments, public, services
from eventapp.registrations.cli import queue_reminders
from eventapp.registrations.models import (
    Accreditation,
    AccreditationStatus,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)
from eventapp.registrations.network import accredit
from tests.registrations.conftest import messages

S = RegistrationStatus


def applicant(email: str, **values) -> services.Applicant:
    return services.Applicant(full_name=values.pop("full_name", "Phạm Minh Đức"), email=email, **values)


def test_approval_needed_unless_accredited_for_the_series_or_a_period(app, make_event, make_person) -> None:
    series = EventSeries(kind=EventKind.PRESS_BRIEFING, title="Họp báo thường kỳ", rrule="FREQ=MONTHLY",
                         dtstart_local=datetime(2026, 1, 5, 15), duration_minutes=90)
    db.session.add(series)
    db.session.flush()
    start = utcnow() + timedelta(days=10)
    event = make_event(requires_approval=True, series_id=series.id, original_start=start, starts_at=start)
    pending = public.submit_public(event, applicant("a@b.vn"))
    assert pending.registration.status == S.PENDING
    assert messages()[-1].kind == emails.RECEIVED

    accredited, general, expired = make_person(), make_person(), make_person()
    accredit(accredited, series=series, valid_until=None, actor=None)
    accredit(general, series=None, valid_until=(start + timedelta(days=1)).date(), actor=None)
    accredit(expired, series=None, valid_until=(start - timedelta(days=2)).date(), actor=None)
    results = [services.register(event, p, channel=RegistrationChannel.PUBLIC).registration.status
               for p in (accredited, general, expired)]
    assert results == [S.APPROVED, S.APPROVED, S.PENDING]


def test_revoked_accreditation_does_not_count(app, make_event, make_person, make_user) -> None:
    from eventapp.registrations.network import revoke

    event = make_event(requires_approval=True)
    person = make_person()
    revoke(accredit(person, series=None, valid_until=None, actor=None), actor=make_user())
    assert services.register(event, person, channel=RegistrationChannel.PUBLIC).registration.status == S.PENDING
    assert db.session.scalar(sa.select(Accreditation.status)) == AccreditationStatus.REVOKED


def test_waiting_list_is_served_in_order_and_promotion_is_told(app, make_event, make_person, make_user) -> None:
    event = make_event(capacity=1)
    organiser = make_user(Role.ORGANISER)
    people = [make_person() for _ in range(4)]
    regs = [services.register(event, p, channel=RegistrationChannel.PUBLIC,
                              now=utcnow() + timedelta(seconds=i)).registration for i, p in enumerate(people)]
    assert [r.status for r in regs] == [S.APPROVED, S.WAITLISTED, S.WAITLISTED, S.WAITLISTED]
    # a manual bump to the waiting list puts that person last
    services.change_status(regs[1], S.REJECTED, actor=organiser)
    services.change_status(regs[0], S.CANCELLED, actor=organiser, reason="Đổi lịch")
    assert regs[2].status == S.APPROVED and regs[3].status == S.WAITLISTED
    assert [m.kind for m in messages(to=people[2].email)] == [emails.PROMOTED]
    cancelled = messages(kind=emails.CANCELLED)
    assert len(cancelled) == 1 and "Đổi lịch" in cancelled[0].body_text


def test_approving_when_full_waitlists_or_refuses(app, make_event, make_person, make_user) -> None:
    organiser = make_user(Role.ORGANISER)
    event = make_event(capacity=1, requires_approval=True)
    a, b = (services.register(event, make_person(), channel=RegistrationChannel.PUBLIC).registration for _ in range(2))
    assert services.change_status(a, S.APPROVED, actor=organiser) == S.APPROVED
    assert services.change_status(b, S.APPROVED, actor=organiser) == S.WAITLISTED
    with pytest.raises(services.RegistrationError) as error:
        services.change_status(b, S.APPROVED, actor=organiser)
    assert error.value.code == "full"
    closed = make_event(capacity=0, waitlist_enabled=False, requires_approval=True)
    c = services.register(closed, make_person(), channel=RegistrationChannel.PUBLIC).registration
    with pytest.raises(services.RegistrationError):
        services.change_status(c, S.APPROVED, actor=organiser)


def test_cancelled_registration_is_revived_not_duplicated(app, make_event, make_person) -> None:
    event = make_event()
    person = make_person()
    first = services.register(event, person, channel=RegistrationChannel.PUBLIC).registration
    services.cancel(first, by=services.CancelledBy.REGISTRANT)
    again = services.register(event, person, channel=RegistrationChannel.PUBLIC)
    assert not again.duplicate and again.registration.id == first.id and again.registration.status == S.APPROVED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def _series_with(n: int) -> tuple[EventSeries, list[Event]]:
    series = EventSeries(kind=EventKind.PRESS_BRIEFING, title="Họp báo", rrule="FREQ=WEEKLY",
                         dtstart_local=datetime(2026, 1, 5, 15), duration_minutes=60)
    db.session.add(series)
    db.session.flush()
    events = []
    for i in range(n):
        start = (datetime.now(UTC) + timedelta(days=7 * (i + 1))).replace(microsecond=0)
        event = Event(series_id=series.id, original_start=start, kind=EventKind.PRESS_BRIEFING, title="Họp báo",
                      starts_at=start, ends_at=start + timedelta(hours=1), status=EventStatus.PUBLISHED)
        db.session.add(event)
        events.append(event)
    db.session.flush()
    return series, events


def test_enrolment_registers_every_session_and_skips_free_the_seat(app, make_person) -> None:
    _series, events = _series_with(3)
    outcome = public.submit_public(events[0], applicant("enrol@b.vn"), whole_series=True)
    enrolment = outcome.registration.enrolment
    assert enrolment is not None
    regs = {r.event_id: r for r in db.session.scalars(sa.select(Registration))}
    assert set(regs) == {e.id for e in events} and all(r.status == S.APPROVED for r in regs.values())
    assert len(messages()) == 1  # one e-mail for the enrolment

    enrolments.skip(enrolment, events[1])
    assert regs[events[1].id].status == S.CANCELLED
    assert [skipped for _e, _r, skipped in enrolments.sessions(enrolment, utcnow())] == [False, True, False]
    enrolments.unskip(enrolment, events[1])
    assert regs[events[1].id].status == S.APPROVED
    # a later occurrence is picked up by the sync; a skipped one is not re-registered
    enrolments.skip(enrolment, events[2])
    extra_start = events[-1].starts_at + timedelta(days=7)
    db.session.add(Event(series_id=events[0].series_id, original_start=extra_start, kind=EventKind.PRESS_BRIEFING,
                         title="Họp báo", starts_at=extra_start, ends_at=extra_start + timedelta(hours=1),
                         status=EventStatus.PUBLISHED))
    db.session.flush()
    assert enrolments.sync_enrolments() == 1
    assert enrolments.sync_enrolments() == 0
    assert regs[events[2].id].status == S.CANCELLED


def test_ticket_page_skips_and_opens_other_sessions(client, app) -> None:
    from tests.registrations.conftest import last_ticket_token

    _series, events = _series_with(2)
    public.submit_public(events[0], applicant("t@b.vn"), whole_series=True)
    db.session.commit()
    token = last_ticket_token("t@b.vn")
    page = client.get(f"/ticket/{token}").get_data(as_text=True)
    assert page.count("data-session=") == 2
    assert client.post(f"/ticket/{token}/sessions/{events[1].id}/skip").status_code == 302
    assert f'data-session="{events[1].id}" data-skipped="yes"' in client.get(f"/ticket/{token}").get_data(as_text=True)
    client.post(f"/ticket/{token}/sessions/{events[1].id}/unskip")
    opened = client.post(f"/ticket/{token}/sessions/{events[1].id}/open")
    assert opened.status_code == 302 and "/ticket/" in opened.headers["Location"]
    assert 'data-status="approved"' in client.get(opened.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/ticket/{token}/sessions/999999/skip").status_code == 404


def test_reminders_are_queued_once_the_day_before_in_the_registrants_language(app, make_event, make_person) -> None:
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    tomorrow = make_event(starts_at=datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    later = make_event(starts_at=datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    english = make_person(locale="en")
    for event in (tomorrow, later):
        services.register(event, english, channel=RegistrationChannel.PUBLIC, locale="en")
    no_address = make_person()
    no_address.set_email(None)
    services.register(tomorrow, no_address, channel=RegistrationChannel.SITE)  # nobody to tell
    waiting = services.register(tomorrow, make_person(), channel=RegistrationChannel.PUBLIC).registration
    waiting.status = S.WAITLISTED
    db.session.commit()
    assert queue_reminders(now) == 1
    assert queue_reminders(now) == 0
    [reminder] = messages(kind=emails.REMINDER)
    assert reminder.to_address == english.email and reminder.locale == "en"
    assert "Reminder" in reminder.subject and "/ticket/" in reminder.body_text


def test_reminders_command_runs(app) -> None:
    result = app.test_cli_runner().invoke(args=["mail", "reminders", "--now", "2026-12-01T10:00+07:00"])
    assert result.exit_code == 0 and "queued 0 reminders" in result.output
    bad = app.test_cli_runner().invoke(args=["mail", "reminders", "--now", "2026-12-01T10:00"])
    assert bad.exit_code != 0


def test_emails_follow_the_registration_language(app, make_event, make_person) -> None:
    event = make_event(title="Họp báo")
    services.register(event, make_person(email="en@b.vn"), channel=RegistrationChannel.PUBLIC, locale="en")
    registration = db.session.scalar(sa.select(Registration))
    emails.notify_status(registration)
    [mail] = messages()
    assert mail.locale == "en" and mail.subject.startswith("Registration confirmed")
    assert 'lang="en"' in mail.body_html
