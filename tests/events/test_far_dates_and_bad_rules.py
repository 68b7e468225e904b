"""Dates years ahead and out-of-range rules: a field error on the form and in the preview, never a 500."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.events import occurrences, oneoff, services
from eventapp.events.models import Event, EventSeries
from eventapp.extensions import db
from eventapp.models import utcnow
from tests.events.conftest import TZ, next_month_start
from tests.events.helpers import assert_field_error

TOO_FAR = "too far ahead"


def series_form(**values) -> dict:
    return {"title": "Họp báo", "kind": "press_briefing", "mode": "in_person", "venue": "18 Nguyễn Du",
            "start_date": f"{next_month_start():%Y-%m-%d}", "time_of_day": "09:00", "duration_minutes": "90",
            "tz": TZ, "preset": "monthly_nth_weekday", "nth": "1", "weekday": "3", "day": "1",
            "registration_opens_days_before": "14", "registration_closes_hours_before": "2", **values}


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("start_date", ["9999-06-01", "2200-01-01"])
def test_series_far_ahead_is_a_field_error(client, organiser, start_date: str) -> None:
    response = client.post("/console/events/series/new", data=series_form(start_date=start_date))
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), "start_date", TOO_FAR)
    preview = client.get("/console/events/series/preview", query_string=series_form(start_date=start_date))
    assert preview.status_code == 200 and TOO_FAR in preview.get_json()["error"]
    assert count(EventSeries) == count(Event) == 0


def test_one_off_at_the_end_of_year_9999_west_of_utc(client, organiser) -> None:
    response = client.post("/console/events/new", data={
        "title": "T", "kind": "training", "mode": "in_person", "venue": "v", "tz": "Etc/GMT+12",
        "starts_at": "9999-12-31T20:00", "ends_at": "9999-12-31T23:00"})
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), "starts_at", TOO_FAR)
    assert count(Event) == 0


@pytest.mark.parametrize(("rule", "message"), [
    ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL values must be between 1 and 1000."),
    ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY values must be between 1 and 31 or between -31 and -1"),
    ("FREQ=DAILY;COUNT=0", "COUNT values must be between 1 and 100000."),
    ("FREQ=YEARLY;BYMONTH=13", "BYMONTH values must be between 1 and 12."),
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=400", "BYSETPOS values must be between 1 and 366"),
    ("FREQ=WEEKLY;BYDAY=2MO", "A position before a weekday"),
])
def test_out_of_range_rule_is_a_field_error_and_a_preview_error(client, organiser, rule: str, message: str) -> None:
    values = series_form(preset="custom", rrule=rule)
    response = client.post("/console/events/series/new", data=values)
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), "rrule", message)
    preview = client.get("/console/events/series/preview", query_string=values)
    assert preview.status_code == 200
    assert preview.get_json()["dates"] == [] and message in preview.get_json()["error"]
    assert count(EventSeries) == count(Event) == 0


def test_services_refuse_dates_too_far_ahead(app, make_event) -> None:
    far = next_month_start() + timedelta(days=366 * 6)
    spec = services.SeriesSpec(title="Họp báo", rrule="FREQ=MONTHLY;BYDAY=1TH", dtstart_local=far,
                               duration_minutes=60, tz=TZ)
    with pytest.raises(services.EventError) as info:
        services.create_series(spec)
    assert (info.value.code, info.value.field) == ("too_far", "start_date")
    with pytest.raises(services.EventError) as info:
        oneoff.create_event(oneoff.EventSpec(title="T", starts_local=datetime(9999, 12, 31, 20),
                                             ends_local=datetime(9999, 12, 31, 23), tz="Etc/GMT+12"))
    assert (info.value.code, info.value.field) == ("too_far", "starts_at")
    event = make_event()
    start = utcnow() + timedelta(days=366 * 6)
    with pytest.raises(services.EventError) as info:
        occurrences.update_event(event, {"starts_at": start, "ends_at": start + timedelta(hours=1)})
    assert info.value.code == "too_far"
