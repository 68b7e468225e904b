"""Splitting a series never rewrites history: past occurrences are not moved, cancelled or deleted."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventapp.calendar import recurrence
from eventapp.events import occurrences, services
from eventapp.events.models import Event, EventSeries, EventStatus
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from eventapp.models import utcnow
from eventapp.registrations.models import RegistrationStatus
from tests.events.conftest import TZ

T0 = datetime(2026, 1, 1, tzinfo=UTC)
THURSDAYS = services.SeriesSpec(title="Họp báo", rrule="FREQ=WEEKLY;BYDAY=TH",
                                dtstart_local=datetime(2026, 1, 1, 9, 0), duration_minutes=60, tz=TZ,
                                venue="18 Nguyễn Du")


def _rows(series_id: int) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.series_id == series_id)
                                   .order_by(Event.original_start)))


def _kinds() -> list[str]:
    return list(db.session.scalars(sa.select(OutboxMessage.kind)))


def test_split_at_a_past_occurrence_is_refused_and_changes_nothing(app, make_registration) -> None:
    series = services.create_series(THURSDAYS, now=T0, publish=True)
    db.session.commit()
    past = _rows(series.id)[2]
    registration = make_registration(past)
    db.session.commit()
    rule, now = series.rrule, T0 + timedelta(days=60)
    for split in (lambda: occurrences.split_series(series, past.original_start, replace(THURSDAYS, venue="y"), now=now),
                  lambda: occurrences.split_at(past, replace(THURSDAYS, venue="y"), now=now)):
        with pytest.raises(services.EventError) as info:
            split()
        assert (info.value.code, info.value.field) == ("split_in_past", "start_date")
        db.session.rollback()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries)) == 1
    assert db.session.get(EventSeries, series.id).rrule == rule
    kept = db.session.get(Event, past.id)
    assert (kept.status, kept.venue, kept.series_id) == (EventStatus.PUBLISHED, "18 Nguyễn Du", series.id)
    assert db.session.get(type(registration), registration.id).status == RegistrationStatus.APPROVED
    assert _kinds() == []


def test_schedule_change_after_months_keeps_every_past_occurrence(app, make_registration) -> None:
    series = services.create_series(THURSDAYS, now=T0, publish=True)
    db.session.commit()
    rows = _rows(series.id)
    now = T0 + timedelta(days=60)
    past = [e for e in rows if e.original_start < now]
    before = {e.id: (e.starts_at, e.status) for e in past}
    past_registration = make_registration(past[2])
    future_registration = make_registration(next(e for e in rows if e.original_start > now + timedelta(days=20)))
    db.session.commit()
    new = occurrences.update_series(series, replace(services.spec_from_series(series), rrule="FREQ=WEEKLY;BYDAY=FR"),
                                 now=now)
    db.session.commit()
    db.session.expire_all()
    assert new.id != series.id
    assert {e.id: (e.starts_at, e.status) for e in _rows(series.id)} == before  # history as it was
    assert new.dtstart_local.date() >= recurrence.to_local(now, TZ).date()
    assert all(e.original_start >= now and e.starts_at.weekday() == 4 for e in _rows(new.id))
    assert db.session.get(type(past_registration), past_registration.id).status == RegistrationStatus.APPROVED
    assert db.session.get(type(future_registration), future_registration.id).status == RegistrationStatus.APPROVED
    assert _kinds() == ["event_rescheduled"]  # only the upcoming registrant hears about it


@pytest.fixture
def running_series(app):
    """A weekly series that started about two months ago (real clock: the console uses it)."""
    now = utcnow()
    start = recurrence.to_local(now - timedelta(days=60), TZ).replace(hour=9, minute=0, second=0, microsecond=0)
    series = services.create_series(replace(THURSDAYS, dtstart_local=start), now=now - timedelta(days=61),
                                     publish=True)
    db.session.commit()
    return series


def test_console_hides_and_refuses_the_split_at_a_past_occurrence(client, login, make_user, running_series) -> None:
    login(make_user())
    client.post("/language/en")
    now = utcnow()
    rows = _rows(running_series.id)
    past, upcoming = rows[0], [e for e in rows if e.starts_at > now]
    link = "Change this and all following instead"
    assert link not in client.get(f"/console/events/{past.id}").get_data(as_text=True)
    assert link in client.get(f"/console/events/{upcoming[0].id}").get_data(as_text=True)
    series_page = client.get(f"/console/events/series/{running_series.id}").get_data(as_text=True)
    assert series_page.count("/following") == len(upcoming)
    for response in (client.get(f"/console/events/{past.id}/following"),
                     client.post(f"/console/events/{past.id}/following", data={"title": "X"})):
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/console/events/{past.id}")
    page = client.get(f"/console/events/{past.id}").get_data(as_text=True)
    assert "has already taken place" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventSeries)) == 1
