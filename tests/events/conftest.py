"""Builders for scheduling tests: a monthly briefing series starting next month."""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta

import pytest

from eventapp.calendar import recurrence
from eventapp.events import services
from eventapp.events.models import EventMode, EventSeries
from eventapp.extensions import db
from eventapp.models import utcnow

TZ = "Asia/Ho_Chi_Minh"


def next_month_start() -> datetime:
    """09:00 local on the first day of next month (always in the future)."""
    today = recurrence.to_local(utcnow(), TZ).date()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(9, 0))


@pytest.fixture
def make_series(app):
    def build(rule: str = "FREQ=MONTHLY;BYDAY=1TH", publish: bool = True, **values) -> EventSeries:
        spec = services.SeriesSpec(**{
            "title": "Họp báo thường kỳ", "rrule": rule, "dtstart_local": next_month_start(),
            "duration_minutes": 90, "tz": TZ, "mode": EventMode.IN_PERSON, "venue": "18 Nguyễn Du, Hà Nội",
            "capacity": 60, "registration_opens_days_before": 14, "registration_closes_hours_before": 2,
            **values})
        series = services.create_series(spec, publish=publish)
        db.session.commit()
        return series
    return build


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Other test modules build apps with rate limiting on, which switches on the shared limiter;
    start every scheduling test with empty counters so signing in is never refused (429)."""
    from eventapp.extensions import limiter

    with contextlib.suppress(Exception):  # no storage yet: nothing to reset
        limiter.reset()
    yield


@pytest.fixture
def organiser(client, login, make_user):
    """A signed-in organiser reading the console in English (Vietnamese comes from the catalogue)."""
    user = make_user()
    login(user)
    client.post("/language/en")
    return user
