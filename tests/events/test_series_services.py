"""Series services: time conversion, exceptions, splitting, cancelling with registrations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.audit import AuditEntry
from eventapp.calendar import recurrence
from eventapp.events import occurrences, services
from eventapp.events.models import Event, EventSeries, EventStatus, SeriesStatus
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.models import utcnow
from eventapp.registrations.models import CancelledBy, Registration, RegistrationStatus
from tests.events.conftest import TZ, next_month_start


def upcoming(series: EventSeries) -> list[Event]:
    return services.upcoming_occurrences(series, utcnow())


def outbox(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_occurrence_at_nine_in_hanoi_is_stored_as_two_utc(app, make_series) -> None:
    series = make_series(rule="FREQ=WEEKLY;BYDAY=MO")
    first = upcoming(series)[0]
    assert first.starts_at.hour == 2 and first.starts_at.tzinfo == UTC
    assert recurrence.to_local(first.starts_at, TZ).hour == 9
    raw = db.session.execute(sa.text("SELECT starts_at FROM events WHERE id = :id"), {"id": first.id}).scalar()
    raw = raw if isinstance(raw, datetime) else datetime.fromisoformat(raw)
    assert raw.astimezone(UTC).hour == 2 if raw.tzinfo else raw.hour == 2
    from eventapp.web import local_time

    with app.test_request_context():
        assert local_time(first.starts_at, TZ, "HH:mm") == "09:00"
        assert local_time(first.starts_at, TZ, "HH:mm xxx") == "09:00 +07:00"  # formats naming the zone


def test_create_series_generates_a_year_and_anchors_on_the_rule(make_series) -> None:
    series = make_series()
    rows = upcoming(series)
    assert 12 <= len(rows) <= 13
    assert series.dtstart_local.weekday() == 3 and series.dtstart_local.day <= 7  # first Thursday
    assert rows[0].registration_opens_at == rows[0].starts_at - timedelta(days=14)
    assert rows[0].registration_closes_at == rows[0].starts_at - timedelta(hours=2)
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_type == "EventSeries")) == "series.create"


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"rrule": "FREQ=SECONDLY"}, "frequency", "rrule"),
    ({"rrule": "FREQ=DAILY"}, "too_many", "rrule"),
    ({"rrule": "FREQ=WEEKLY;UNTIL=20200101"}, "no_dates", "rrule"),
    ({"tz": "Mars/Olympus"}, "unknown_timezone", "tz"),
    ({"duration_minutes": 0}, "duration_range", "duration_minutes"),
    ({"capacity": -1}, "capacity_range", "capacity"),
    ({"dtstart_local": datetime(2020, 1, 2, 9)}, "past_date", "start_date"),
    ({"registration_opens_days_before": 1, "registration_closes_hours_before": 48}, "window_order",
     "registration_closes_hours_before"),
])
def test_bad_series_saves_nothing(app, values, code, field) -> None:
    spec = services.SeriesSpec(title="Họp báo", rrule="FREQ=MONTHLY;BYDAY=1TH",
                               dtstart_local=next_month_start(), duration_minutes=60, tz=TZ)
    with pytest.raises(services.EventError) as info:
        # a daily rule passes 500 dates only with a longer horizon than the default 12 months
        services.create_series(replace(spec, **values), horizon_months=24)
    assert (info.value.code, info.value.field) == (code, field)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_edit_one_occurrence_makes_an_exception_and_notifies(make_series, make_registration) -> None:
    series = make_series()
    event = upcoming(series)[1]
    original, sequence = event.original_start, event.sequence
    registration = make_registration(event)
    occurrences.update_event(event, {"starts_at": event.starts_at + timedelta(days=1),
                                     "ends_at": event.ends_at + timedelta(days=1), "venue": "Hội trường B"})
    db.session.commit()
    assert event.is_exception and event.original_start == original
    assert event.sequence == sequence + 1
    assert event.registration_opens_at == event.starts_at - timedelta(days=14)
    assert registration.status == RegistrationStatus.APPROVED
    [message] = outbox("event_rescheduled")
    assert message.to_address == registration.person.email
    # the series' defaults no longer override the edited venue
    occurrences.update_series(series, replace(_spec_of(series), venue="Khách sạn Melia"))
    assert event.venue == "Hội trường B" and upcoming(series)[0].venue == "Khách sạn Melia"


def _spec_of(series: EventSeries) -> services.SeriesSpec:
    return services.spec_from_series(series)


def test_cancel_occurrence_keeps_registrations_and_queues_messages(make_series, make_registration, make_person) -> None:
    series = make_series()
    event = upcoming(series)[0]
    active = [make_registration(event), make_registration(event, status=RegistrationStatus.WAITLISTED)]
    rejected = make_registration(event, status=RegistrationStatus.REJECTED)
    no_mail = make_registration(event, person=make_person(email=None))
    no_mail.person.set_email(None)
    count = occurrences.cancel_event(event, "Lãnh đạo Bộ đi công tác")
    db.session.commit()
    assert count == 3
    assert event.status == EventStatus.CANCELLED and event.is_exception and event.cancel_reason
    for registration in [*active, no_mail]:
        assert registration.status == RegistrationStatus.CANCELLED
        assert registration.cancelled_by == CancelledBy.ORGANISER
        assert registration.status_reason == "Lãnh đạo Bộ đi công tác"
    assert rejected.status == RegistrationStatus.REJECTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 4
    messages = outbox("event_cancelled")
    assert sorted(m.to_address for m in messages) == sorted(r.person.email for r in active)
    # the cancelled occurrence survives a horizon extension as it is
    services.extend_horizon(series, series.generated_until + timedelta(days=60))
    assert db.session.get(Event, event.id).status == EventStatus.CANCELLED


def test_cancel_series_cancels_upcoming_only(make_series, make_registration) -> None:
    series = make_series()
    rows = upcoming(series)
    past = rows[0]
    past.starts_at, past.ends_at = utcnow() - timedelta(days=3), utcnow() - timedelta(days=3, hours=-1)
    registrations = [make_registration(rows[1]), make_registration(rows[2])]
    total = occurrences.cancel_series(series, "Thay đổi kế hoạch")
    db.session.commit()
    assert total == 2 and series.status == SeriesStatus.CANCELLED
    assert past.status == EventStatus.PUBLISHED
    assert all(e.status == EventStatus.CANCELLED for e in rows[1:])
    assert all(r.status == RegistrationStatus.CANCELLED for r in registrations)
    assert len(outbox("event_cancelled")) == 2
    assert services.extend_horizon(series, series.generated_until + timedelta(days=90)) == 0
    with pytest.raises(services.EventError):
        occurrences.cancel_series(series, "again")


def test_split_this_and_following(make_series, make_registration) -> None:
    series = make_series()
    rows = upcoming(series)
    at = rows[4]
    split_at = at.original_start
    kept_registration = make_registration(rows[6])
    count_before = len(rows)
    spec = replace(_spec_of(series), dtstart_local=datetime.combine(
        recurrence.to_local(at.original_start, TZ).date(), datetime.min.time().replace(hour=14)),
        venue="Hội trường mới")
    new = occurrences.split_series(series, split_at, spec)
    db.session.commit()
    assert new.split_from_id == series.id and new.id != series.id
    assert "UNTIL=" in series.rrule
    until = datetime.strptime(series.rrule.split("UNTIL=")[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert until == split_at - timedelta(seconds=1)
    old_rows = db.session.scalars(sa.select(Event).where(Event.series_id == series.id)).all()
    assert len(old_rows) == 4 and all(e.venue == "18 Nguyễn Du, Hà Nội" for e in old_rows)
    new_rows = services.upcoming_occurrences(new, utcnow())
    assert new_rows[0].id == at.id  # the same row, re-pointed
    assert all(recurrence.to_local(e.starts_at, TZ).hour == 14 and e.venue == "Hội trường mới" for e in new_rows)
    assert all(recurrence.to_local(e.original_start, TZ).hour == 14 for e in new_rows)
    assert kept_registration.event.series_id == new.id and kept_registration.status == RegistrationStatus.APPROVED
    assert len(outbox("event_rescheduled")) == 1
    assert len(old_rows) + len(new_rows) == count_before
    assert all(e.status == EventStatus.PUBLISHED for e in new_rows)
    # extending either half never re-creates the moved occurrences
    assert services.extend_horizon(series, series.generated_until + timedelta(days=365)) == 0


def test_schedule_change_with_past_occurrences_splits(make_series, make_registration) -> None:
    series = make_series(rule="FREQ=WEEKLY;BYDAY=TH")
    rows = upcoming(series)
    # pretend the first two took place already
    now = rows[1].ends_at + timedelta(hours=1)
    registration = make_registration(rows[3])
    spec = replace(_spec_of(series), rrule="FREQ=WEEKLY;BYDAY=FR")
    new = occurrences.update_series(series, spec, now=now)
    db.session.commit()
    assert new.id != series.id and new.split_from_id == series.id
    assert db.session.scalar(sa.select(sa.func.count()).where(Event.series_id == series.id)) == 2
    moved = db.session.get(Event, rows[3].id)
    assert moved.series_id == new.id and moved.starts_at.weekday() == 4
    assert registration.event_id == moved.id
    assert len(outbox("event_rescheduled")) == 1


def test_schedule_change_without_past_is_in_place(make_series, make_registration) -> None:
    series = make_series(rule="FREQ=MONTHLY;BYDAY=1TH")
    rows = upcoming(series)
    make_registration(rows[0])
    spec = replace(_spec_of(series), rrule="FREQ=MONTHLY;BYDAY=1TH;COUNT=3")
    same = occurrences.update_series(series, spec)
    db.session.commit()
    assert same.id == series.id
    remaining = db.session.scalars(sa.select(Event).where(Event.series_id == series.id)).all()
    assert len(remaining) == 3  # unregistered rows past COUNT are removed, nothing with registrations
    assert series.sequence == 1


def test_drop_occurrence_with_registrations_cancels_instead_of_deleting(make_series, make_registration) -> None:
    series = make_series(rule="FREQ=MONTHLY;BYDAY=1TH")
    rows = upcoming(series)
    registration = make_registration(rows[5])
    occurrences.update_series(series, replace(_spec_of(series), rrule="FREQ=MONTHLY;BYDAY=1TH;COUNT=3"))
    db.session.commit()
    assert db.session.get(Event, rows[5].id).status == EventStatus.CANCELLED
    assert registration.status == RegistrationStatus.CANCELLED and registration.cancelled_by == CancelledBy.ORGANISER
    assert len(outbox("event_cancelled")) == 1


def test_cancelling_an_occurrence_raises_the_feed_master_sequence(client, make_series) -> None:
    """RFC 5545 3.8.7.4: a new EXDATE is a change to the master, so its SEQUENCE must grow, or
    calendars that compare SEQUENCE keep showing the cancelled session."""
    from icalendar import Calendar

    def master() -> dict:
        calendar = Calendar.from_ical(client.get("/calendar.ics").data)
        [found] = [c for c in calendar.walk("VEVENT") if "RRULE" in c]
        return found

    series = make_series()
    before = master()
    event = upcoming(series)[1]
    occurrences.cancel_event(event, "Trùng lịch họp Chính phủ")
    db.session.commit()
    after = master()
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    exdates = after["EXDATE"] if isinstance(after["EXDATE"], list) else [after["EXDATE"]]
    assert event.starts_at in [d.dt for exdate in exdates for d in exdate.dts]
