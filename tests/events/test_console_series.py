"""Console screens for series: create with the picker, preview, publish, occurrence edits, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventapp.calendar import recurrence
from eventapp.events import occurrences, services
from eventapp.events.models import Event, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.models import utcnow
from eventapp.registrations.models import CancelledBy, RegistrationStatus
from tests.events.conftest import TZ, next_month_start
from tests.events.helpers import assert_field_error, value_of


def series_form(**values) -> dict:
    start = next_month_start()
    return {"title": "Họp báo thường kỳ Bộ TT&TT", "kind": "press_briefing", "start_date": f"{start:%Y-%m-%d}",
            "time_of_day": "09:00", "duration_minutes": "90", "tz": TZ, "preset": "monthly_nth_weekday",
            "nth": "1", "weekday": "3", "day": "1", "mode": "in_person", "venue": "18 Nguyễn Du, Hà Nội",
            "capacity": "60", "registration_opens_days_before": "14", "registration_closes_hours_before": "2",
            **values}


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_series_with_picker_then_publish(client, organiser) -> None:
    response = client.post("/console/events/series/new", data=series_form())
    assert response.status_code == 302
    series = db.session.scalars(sa.select(EventSeries)).one()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TH" and series.dtstart_local.hour == 9
    rows = services.upcoming_occurrences(series, utcnow())
    assert 12 <= len(rows) <= 13 and all(e.status == EventStatus.DRAFT for e in rows)
    assert all(e.starts_at.hour == 2 for e in rows)  # 09:00 in Hà Nội
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "09:00" in page and "Publish upcoming drafts" in page
    assert client.get(f"/events/{rows[0].id}").status_code == 404  # drafts are private
    check = client.post(f"/console/events/series/{series.id}/publish").get_data(as_text=True)
    assert f'data-count="{len(rows)}"' in check  # first how many go public, nothing published yet
    assert all(e.status == EventStatus.DRAFT for e in rows)
    client.post(f"/console/events/series/{series.id}/publish", data={"confirmed": "1"})
    assert all(e.status == EventStatus.PUBLISHED for e in rows)
    assert client.get(f"/events/{rows[0].id}").status_code == 200
    edit = client.get(f"/console/events/series/{series.id}/edit").get_data(as_text=True)
    assert re.search(r'<option (selected value="monthly_nth_weekday"|value="monthly_nth_weekday" selected)', edit)


def test_preview_is_vietnamese_by_default(app, make_user, login) -> None:
    client = app.test_client()
    user = make_user()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    start = next_month_start()
    data = client.get("/console/events/series/preview", query_string={
        "start_date": f"{start:%Y-%m-%d}", "time_of_day": "15:00", "tz": TZ, "preset": "monthly_nth_weekday",
        "nth": "1", "weekday": "3"}).get_json()
    assert data["error"] is None and data["rrule"] == "FREQ=MONTHLY;BYDAY=1TH"
    assert len(data["dates"]) == 10
    assert all(d.startswith("Thứ Năm, ") and d.endswith("15:00") for d in data["dates"])
    bad = client.get("/console/events/series/preview", query_string={
        "start_date": f"{start:%Y-%m-%d}", "time_of_day": "15:00", "tz": TZ, "preset": "custom",
        "rrule": "FREQ=BIWEEKLY"}).get_json()
    assert bad["dates"] == [] and bad["error"]


@pytest.mark.parametrize(("values", "field_id", "message"), [
    ({"preset": "custom", "rrule": "FREQ=MONTHLY;BYDAY=9XX"}, "rrule", "not a valid recurrence rule"),
    ({"preset": "custom", "rrule": "NOT A RULE"}, "rrule", "not a valid recurrence rule"),
    ({"preset": "custom", "rrule": ""}, "rrule", "Enter a recurrence rule."),
    ({"preset": "custom", "rrule": "FREQ=WEEKLY;UNTIL=20200101"}, "rrule", "gives no dates"),
    ({"preset": "custom", "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule", "gives no dates"),
    ({"preset": "custom", "rrule": "FREQ=DAILY"}, "rrule", "more than 500 dates"),
    ({"tz": "Asia/Saigonn"}, "tz", "Unknown time zone"),
    ({"start_date": "2020-01-02"}, "start_date", "in the past"),
    ({"duration_minutes": "-5"}, "duration_minutes", "between 1 and 1440"),
    ({"capacity": "-1"}, "capacity", "between 0 and 100000"),
    ({"capacity": "abc"}, "capacity", ""),
    ({"registration_opens_days_before": "1", "registration_closes_hours_before": "48"},
     "registration_closes_hours_before", "must open before it closes"),
    ({"preset": "monthly_day", "day": "40"}, "day", "between 1 and 31"),
])
def test_bad_series_input_keeps_the_form_and_saves_nothing(app, client, organiser, values, field_id, message) -> None:
    app.config["EVENT_HORIZON_MONTHS"] = 24  # so a daily rule passes 500 dates
    try:
        response = client.post("/console/events/series/new", data=series_form(**values))
    finally:
        app.config["EVENT_HORIZON_MONTHS"] = 12
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert_field_error(html, field_id, message)
    assert value_of(html, "title") == "Họp báo thường kỳ Bộ TT&amp;TT"  # what was typed is kept
    if field_id == "rrule" and values.get("rrule"):
        assert values["rrule"].replace("&", "&amp;") in html
    assert count(EventSeries) == 0 and count(Event) == 0


@pytest.fixture
def series(make_series):
    return make_series()


def test_edit_one_occurrence_from_the_console(client, organiser, series, make_registration) -> None:
    event = services.upcoming_occurrences(series, utcnow())[2]
    registration = make_registration(event)
    db.session.commit()
    local = recurrence.to_local(event.starts_at, TZ) + timedelta(days=1)
    response = client.post(f"/console/events/{event.id}", data={
        "title": event.title,
        "starts_at": f"{local:%Y-%m-%dT%H:%M}", "ends_at": f"{local + timedelta(hours=2):%Y-%m-%dT%H:%M}",
        "mode": "in_person", "venue": "Hội trường tầng 2", "capacity": "80"})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.is_exception and event.venue == "Hội trường tầng 2" and event.capacity == 80
    assert event.original_start != event.starts_at
    assert db.session.scalar(sa.select(OutboxMessage.to_address).where(
        OutboxMessage.kind == "event_rescheduled")) == registration.person.email


def test_rename_one_session_from_the_console(client, organiser, series, make_registration) -> None:
    event = services.upcoming_occurrences(series, utcnow())[3]
    registration = make_registration(event)
    db.session.commit()
    local = recurrence.to_local(event.starts_at, TZ)
    assert 'name="title"' in client.get(f"/console/events/{event.id}").get_data(as_text=True)
    response = client.post(f"/console/events/{event.id}", data={
        "title": "Họp báo chuyên đề an toàn thông tin", "starts_at": f"{local:%Y-%m-%dT%H:%M}",
        "ends_at": f"{recurrence.to_local(event.ends_at, TZ):%Y-%m-%dT%H:%M}", "mode": "in_person",
        "venue": event.venue})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.title == "Họp báo chuyên đề an toàn thông tin" and event.is_exception
    assert [other.title for other in services.upcoming_occurrences(series, utcnow()) if other.id != event.id] \
        == [series.title] * (len(services.upcoming_occurrences(series, utcnow())) - 1)
    notice = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "event_updated"))
    assert notice.to_address == registration.person.email and "SUMMARY:Họp báo chuyên đề" in notice.ics


def test_occurrence_end_before_start_is_a_field_error(client, organiser, series) -> None:
    event = services.upcoming_occurrences(series, utcnow())[0]
    local = recurrence.to_local(event.starts_at, TZ)
    response = client.post(f"/console/events/{event.id}", data={
        "title": event.title,
        "starts_at": f"{local:%Y-%m-%dT%H:%M}", "ends_at": f"{local - timedelta(hours=1):%Y-%m-%dT%H:%M}",
        "mode": "in_person", "venue": "Hội trường mới"})
    html = response.get_data(as_text=True)
    assert_field_error(html, "ends_at", "The end must be after the start.")
    assert value_of(html, "venue") == "Hội trường mới"
    db.session.refresh(event)
    assert not event.is_exception and event.venue == "18 Nguyễn Du, Hà Nội"


def test_cancel_occurrence_from_the_console(client, organiser, series, make_registration) -> None:
    event = services.upcoming_occurrences(series, utcnow())[0]
    registration = make_registration(event)
    db.session.commit()
    assert client.post(f"/console/events/{event.id}/cancel", data={"reason": ""}).status_code == 302
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED  # no reason, no cancellation
    client.post(f"/console/events/{event.id}/cancel", data={"reason": "Trùng lịch họp Chính phủ"})
    db.session.refresh(event)
    db.session.refresh(registration)
    assert event.status == EventStatus.CANCELLED
    assert registration.status == RegistrationStatus.CANCELLED and registration.cancelled_by == CancelledBy.ORGANISER
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "This event has been cancelled." in page and "Trùng lịch họp Chính phủ" in page


def test_this_and_following_from_the_console(client, organiser, series) -> None:
    event = services.upcoming_occurrences(series, utcnow())[3]
    page = client.get(f"/console/events/{event.id}/following").get_data(as_text=True)
    start_date = value_of(page, "start_date")
    response = client.post(f"/console/events/{event.id}/following", data=series_form(
        start_date=start_date, time_of_day="14:30", venue="Trung tâm Báo chí"))
    assert response.status_code == 302
    new = db.session.scalars(sa.select(EventSeries).where(EventSeries.split_from_id == series.id)).one()
    assert response.headers["Location"].endswith(f"/series/{new.id}")
    assert db.session.get(Event, event.id).series_id == new.id
    assert recurrence.to_local(db.session.get(Event, event.id).starts_at, TZ).strftime("%H:%M") == "14:30"


def test_cancel_series_from_the_console(client, organiser, series, make_registration) -> None:
    rows = services.upcoming_occurrences(series, utcnow())
    make_registration(rows[1])
    db.session.commit()
    client.post(f"/console/events/series/{series.id}/cancel", data={"reason": "Tạm dừng"})
    db.session.refresh(series)
    assert series.status.value == "cancelled"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    assert count(Event) == len(rows)  # nothing deleted


def test_the_occurrence_editor_names_its_date_and_says_what_cancel_cancels(client, organiser, series) -> None:
    event = services.upcoming_occurrences(series, utcnow())[1]
    page = client.get(f"/console/events/{event.id}").get_data(as_text=True)
    assert "data-occurrence-date" in page and recurrence.to_local(event.starts_at, TZ).strftime("%d/%m/%Y") in page
    assert ">Cancel<" not in page and "Cancel this occurrence</button>" in page


def test_saving_a_split_series_unchanged_brings_back_no_session(client, organiser, make_series) -> None:
    series = make_series("FREQ=WEEKLY;BYDAY=TH")
    rows = services.upcoming_occurrences(series, utcnow())
    occurrences.split_at(rows[5], services.spec_from_series(series), now=utcnow())
    db.session.commit()
    kept = {e.original_start for e in services.upcoming_occurrences(series, utcnow())}
    page = client.get(f"/console/events/series/{series.id}/edit").get_data(as_text=True)
    last_kept = recurrence.to_local(max(kept), TZ).date()
    split_day = recurrence.to_local(rows[5].original_start, TZ).date()
    assert f"{last_kept:%Y-%m-%d}" <= value_of(page, "until_date") < f"{split_day:%Y-%m-%d}"
    form = series_form(title="Họp báo (đổi tên)", preset="weekly", weekday="3",
                       **{name: value_of(page, name) for name in ("start_date", "time_of_day", "until_date")})
    saved = client.post(f"/console/events/series/{series.id}/edit", data=form)
    assert saved.status_code == 302, re.findall(r'invalid-feedback[^>]*>([^<]*)', saved.get_data(as_text=True))
    db.session.expire_all()
    after = {e.original_start for e in services.upcoming_occurrences(series, utcnow()) if e.status.value != "cancelled"}
    assert after == kept  # nothing came back on the split day
